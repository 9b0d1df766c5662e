// certd run: the daemon, until SIGINT/SIGTERM; --once: one cycle.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/daemon.hpp"
#include "app/runtime.hpp"
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

int run(const GlobalOptions& globals, bool once) {
  StopSignals signals;  // before any thread starts
  auto school = load_school(globals.config_path);
  if (!school) return fail("run", school.error());
  apply_log_level(globals, school->config);
  SystemClock clock;
  auto lms = make_lms(school->config, &school->rules, clock);
  if (!lms) return fail("run", lms.error());
  auto notifier = make_notifier(school->config);
  if (!notifier) return fail("run", notifier.error());
  DaemonOptions options;
  options.serve_portal = !once;
  Daemon daemon(*school, lms->get(), **notifier, clock, options);
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
  CERTD_LOG_INFO("certd running for {} (portal port {})", school->config.issuer.name, daemon.portal_port());
  signals.watch([&daemon] { daemon.request_stop(); });
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
