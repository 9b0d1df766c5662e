#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/config_check.hpp"
#include "app/runtime.hpp"
#include "connector/lms.hpp"
#include "core/clock.hpp"

namespace certd::app {

namespace {

struct CheckOptions {
  bool online = false;
};

// After the offline checks: connect with the configured token and name
// each missing web-service function or capability in plain words.
// Exit 2 if something is missing (or the token is refused), 1 if the LMS
// cannot be reached.
int check_online(const std::string& config_path) {
  config::LoadResult loaded = config::load_file(config_path);
  SystemClock clock;
  Result<std::unique_ptr<connector::Lms>> lms = make_lms(loaded.config, nullptr, clock);
  if (!lms) {
    std::cerr << "online check: " << lms.error().message() << "\n";
    return lms.error().code() == ErrorCode::unavailable ? k_exit_failure : k_exit_usage;
  }
  Result<connector::SiteCheck> check = (*lms)->check_site();
  if (!check) {
    std::cerr << "online check: cannot use " << loaded.config.lms.url << ": " << check.error().message() << "\n";
    return check.error().code() == ErrorCode::unavailable || check.error().code() == ErrorCode::internal
               ? k_exit_failure
               : k_exit_usage;
  }
  std::cout << "LMS: " << check->site_name << " (Moodle " << check->release << "), service user "
            << check->service_user << "\n";
  for (const std::string& note : check->notes) std::cerr << "note: " << note << "\n";
  for (const std::string& missing : check->missing) std::cerr << "missing: " << missing << "\n";
  if (!check->missing.empty()) {
    std::cerr << check->missing.size() << " missing in the LMS service; certd cannot work fully until fixed\n";
    return k_exit_usage;
  }
  std::cout << loaded.config.lms.url << ": every function and probed capability is there\n";
  return k_exit_ok;
}

int check_config(const GlobalOptions& globals, const CheckOptions& options) {
  CheckReport report = check_everything(globals.config_path);
  for (const std::string& note : report.notes) std::cerr << "note: " << note << "\n";
  for (const Error& error : report.errors) std::cerr << error.to_string() << "\n";
  if (!report.errors.empty()) {
    std::cerr << report.errors.size() << (report.errors.size() == 1 ? " error" : " errors") << " in "
              << globals.config_path << "\n";
    return k_exit_usage;
  }
  std::cout << globals.config_path << ": OK\n";
  return options.online ? check_online(globals.config_path) : k_exit_ok;
}

}  // namespace

void define_check_config(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<CheckOptions>();
  command.add_flag("--online", options->online,
                   "also connect to the LMS with the configured token and list missing functions and capabilities");
  handler = [&globals, options] { return check_config(globals, *options); };
}

}  // namespace certd::app
