#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/config_check.hpp"
#include "app/online_check.hpp"
#include "app/runtime.hpp"
#include "app/terminal_text.hpp"
#include "connector/lms.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

namespace certd::app {

namespace {

struct CheckOptions {
  bool online = false;
};

std::string warnings(int n) { return n == 0 ? "" : " with " + std::to_string(n) + (n == 1 ? " warning" : " warnings"); }

// After the offline checks: connect with the configured token, name each
// missing web-service function or capability, then run one read-only poll
// cycle and name each condition that makes the daemon skip part of its
// work (online_check.hpp). Exit 2 if something is missing in the service
// or the token is refused, 1 if the LMS cannot be reached or the cycle
// fails; conditions are warnings (the school's data): 0.
int check_online(const GlobalOptions& globals, const CheckedSchool& school) {
  const config::Config& config = school.config;
  // The adapter logs each condition as the daemon's log would; here the
  // report below says it, in more words. An explicit --log-level wins.
  if (globals.log_level.empty()) log::set_level(log::Level::error);
  SystemClock clock;
  Result<std::unique_ptr<connector::Lms>> lms = make_lms(config, &school.rules, clock);
  if (!lms) {
    std::cerr << "online check: " << lms.error().message() << "\n";
    return lms.error().code() == ErrorCode::unavailable ? k_exit_failure : k_exit_usage;
  }
  std::string token = config::resolve(config.lms.token).value_or(std::string());
  Result<connector::SiteCheck> check = (*lms)->check_site();
  if (!check) {
    std::cerr << "online check: cannot use " << config.lms.url << ": "
              << terminal_safe(check.error().message()) << "\n";
    return check.error().code() == ErrorCode::unavailable || check.error().code() == ErrorCode::internal
               ? k_exit_failure
               : k_exit_usage;
  }
  int missing = print_site_check(std::cout, *check, token);
  if (missing == 0) std::cout << config.lms.url << ": every function and probed capability is there\n";
  Result<CycleFindings> cycle = poll_once(**lms);
  if (!cycle) {
    bool transient = cycle.error().code() == ErrorCode::unavailable;
    std::cerr << "online check: the poll cycle failed: " << terminal_safe(cycle.error().message()) << "\n"
              << (transient ? "The LMS did not answer in time or is in maintenance: try again later.\n"
                            : "certd could not read the LMS: see the message above.\n");
    return k_exit_failure;
  }
  int conditions = print_cycle(std::cout, *cycle, static_cast<int>(config.lms.sweep_budget), token);
  std::cout << "\n";
  if (missing > 0) {
    std::cout << config.lms.url << ": " << missing << " missing in the LMS service" << warnings(conditions)
              << "; certd cannot work fully until fixed\n";
    return k_exit_usage;
  }
  std::cout << config.lms.url << ": OK" << warnings(conditions) << "\n";
  return k_exit_ok;
}

int check_config(const GlobalOptions& globals, const CheckOptions& options) {
  CheckedSchool school;
  CheckReport report = check_everything(globals.config_path, options.online ? &school : nullptr);
  for (const std::string& note : report.notes) std::cerr << "note: " << note << "\n";
  for (const Error& error : report.errors) std::cerr << error.to_string() << "\n";
  if (!report.errors.empty()) {
    std::cerr << report.errors.size() << (report.errors.size() == 1 ? " error" : " errors") << " in "
              << globals.config_path << "\n";
    return k_exit_usage;
  }
  std::cout << globals.config_path << ": OK\n";
  return options.online ? check_online(globals, school) : k_exit_ok;
}

}  // namespace

void define_check_config(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<CheckOptions>();
  command.add_flag("--online", options->online,
                   "also connect to the LMS with the configured token: list missing functions and capabilities, "
                   "then read the LMS for one poll cycle (changes nothing: no cursor moves, nothing is issued or "
                   "written) and name each condition that makes certd skip part of its work, with what to do");
  handler = [&globals, options] { return check_config(globals, *options); };
}

}  // namespace certd::app
