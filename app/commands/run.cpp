// certd run: the daemon, until SIGINT/SIGTERM, reloading on SIGHUP;
// --once: one cycle.
#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

#include "app/commands/commands.hpp"
#include "app/daemon.hpp"
#include "app/runtime.hpp"
#include "app/school_setup.hpp"
#include "app/service_notify.hpp"
#include "app/stop_signals.hpp"
#include "connector/lms.hpp"
#include "core/log.hpp"
#include "notify/notifier.hpp"

namespace certd::app {

namespace {

void apply_log_level(const GlobalOptions& globals, const config::Config& config) {
  log::Level level = log::Level::info;
  if (log::parse_level(globals.log_level.empty() ? config.log_level : globals.log_level, &level)) log::set_level(level);
}

// SIGHUP: read everything again; the daemon swaps it in or keeps what runs.
void reload(Daemon& daemon) {
  CERTD_LOG_INFO("reload: reading the config, rules and templates again (SIGHUP)");
  notify_reloading();
  Status reloaded = daemon.reload();
  if (reloaded) {
    CERTD_LOG_INFO("reload: done; new events follow the new config, rules and templates");
    notify_ready("running; reloaded");
    return;
  }
  // One line per problem, each with its file:line:column.
  CERTD_LOG_ERROR("reload refused; certd keeps running with the config, rules and templates it had:");
  std::istringstream problems(reloaded.error().message());
  for (std::string line; std::getline(problems, line);)
    if (!line.empty()) CERTD_LOG_ERROR("reload: {}", line);
  notify_ready("running; the last reload was refused (see the log)");
}

int run(const GlobalOptions& globals, bool once) {
  StopSignals signals(StopSignals::Reload::watched);  // before any thread starts
  SystemClock clock;
  auto setup = load_school_setup(globals.config_path, clock);
  if (!setup) return fail("run", setup.error());
  const School& school = (*setup)->school;
  apply_log_level(globals, school.config);
  DaemonOptions options;
  options.serve_portal = !once;
  Daemon daemon(school, (*setup)->lms.get(), *(*setup)->notifier, clock, options);
  if (auto started = daemon.start(); !started) return fail("run", started.error());
  if (once) {
    auto stats = daemon.run_once();
    if (!stats) return fail("run", stats.error());
    std::cout << "one cycle: " << stats->changes << " changes, " << stats->issued << " issued, " << stats->queued
              << " queued for approval, " << stats->batch_rows << " batch rows, " << stats->delivered
              << " delivered, " << stats->retrying << " to retry, " << stats->failed << " failed; events: "
              << stats->events_failed << " failed, " << stats->events_retried << " retried, " << stats->failed_events
              << " failed kept (certd events list --failed)\n";
    if (!stats->poll_error.empty()) {
      std::cerr << "certd run: the LMS poll failed: " << stats->poll_error << "\n";
      return k_exit_failure;
    }
    return k_exit_ok;
  }
  CERTD_LOG_INFO("certd running for {} (portal port {})", school.config.issuer.name, daemon.portal_port());
  const std::string config_path = globals.config_path;
  daemon.set_loader([config_path, &clock] { return load_school_setup(config_path, clock); });
  signals.watch([&daemon] { daemon.request_stop(); }, [&daemon] { reload(daemon); });
  if (auto ran = daemon.run(); !ran) return fail("run", ran.error());
  return k_exit_ok;
}

}  // namespace

void define_run(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto once = std::make_shared<bool>(false);
  command.add_flag("--once", *once, "one poll cycle, drain the outbox, exit");
  handler = [&globals, once] { return run(globals, *once); };
}

}  // namespace certd::app
