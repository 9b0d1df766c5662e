// certd status [--json]: the daemon's state on one screen, read from the
// store alone, so it works beside a running `certd run` and needs neither
// the LMS token nor the network.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "app/status_report.hpp"
#include "app/store_factory.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

int status(const GlobalOptions& globals, bool json_output) {
  auto school = load_school_settings(globals.config_path);
  if (!school) return fail("status", school.error());
  // A store that cannot be opened is a runtime failure (1), whatever its
  // error code says.
  auto store = open_store(school->config);
  if (!store) {
    std::cerr << "certd status: cannot open " << describe_store(school->config) << ": " << store.error().to_string()
              << "\n";
    return k_exit_failure;
  }
  SystemClock clock;
  auto report = gather_status(**store, *school, clock.now());
  if (!report) {
    std::cerr << "certd status: " << report.error().to_string() << "\n";
    return k_exit_failure;
  }
  std::cout << (json_output ? status_json(*report) : status_text(*report));
  return k_exit_ok;
}

}  // namespace

void define_status(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto json_output = std::make_shared<bool>(false);
  command.add_flag("--json", *json_output, "print one JSON document");
  handler = [&globals, json_output] { return status(globals, *json_output); };
}

}  // namespace certd::app
