#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct SimulatorOptions {
  int port = 0;
  std::string data_file;
};
}  // namespace

void define_simulate_lms(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<SimulatorOptions>();
  command.add_option("--port", o->port, "port on 127.0.0.1")->required();
  command.add_option("--data", o->data_file, "YAML file with the school (default: the demo school)");
  handler = [o] { return not_available_yet("simulate-lms", "the Moodle connector work, issue #6"); };
}

}  // namespace certd::app
