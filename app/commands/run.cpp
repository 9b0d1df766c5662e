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
#include "app/store_factory.hpp"
#include "app/stop_signals.hpp"
#include "config/config.hpp"
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

struct RunOptions {
  bool once = false;
  int render_threads = 2;
  std::string worker;  // overrides store.worker: several workers from one config
};

// The config as read, with the command line's worker name over it; a
// reload reads it the same way.
Result<std::unique_ptr<SchoolSetup>> load_setup(const std::string& config_path, const Clock& clock,
                                               const std::string& worker) {
  CERTD_ASSIGN_OR_RETURN(std::unique_ptr<SchoolSetup> setup, load_school_setup(config_path, clock));
  if (!worker.empty()) setup->school.config.store.worker = worker;
  return setup;
}

int run(const GlobalOptions& globals, const RunOptions& o) {
  const bool once = o.once;
  StopSignals signals(StopSignals::Reload::watched);  // before any thread starts
  SystemClock clock;
  auto setup = load_setup(globals.config_path, clock, o.worker);
  if (!setup) return fail("run", setup.error());
  const School& school = (*setup)->school;
  apply_log_level(globals, school.config);
  DaemonOptions options;
  options.serve_portal = !once;
  options.render_threads = o.render_threads;
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
  CERTD_LOG_INFO("certd running for {} (portal port {}, worker {}, {})", school.config.issuer.name,
                 daemon.portal_port(), worker_name(school.config), describe_store(school.config));
  const std::string config_path = globals.config_path;
  const std::string worker = o.worker;
  daemon.set_loader([config_path, &clock, worker] { return load_setup(config_path, clock, worker); });
  signals.watch([&daemon] { daemon.request_stop(); }, [&daemon] { reload(daemon); });
  if (auto ran = daemon.run(); !ran) return fail("run", ran.error());
  return k_exit_ok;
}

}  // namespace

void define_run(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<RunOptions>();
  command.add_flag("--once", o->once, "one poll cycle, drain the outbox, exit");
  command.add_option("--render-threads", o->render_threads, "threads that render PDFs (default 2)")
      ->check(CLI::Range(1, 64));
  command.add_option("--worker", o->worker,
                     "this process's name among several workers on one PostgreSQL store (default: store.worker, "
                     "else the host name)")
      ->check([](const std::string& name) -> std::string {
        return config::is_worker_name(name) ? "" : "1 to 64 letters, digits, '-', '_' or '.'";
      });
  handler = [&globals, o] { return run(globals, *o); };
}

}  // namespace certd::app
