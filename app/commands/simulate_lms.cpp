#include <CLI/CLI.hpp>
#include <signal.h>

#include <filesystem>
#include <iostream>

#include "app/commands/commands.hpp"
#include "app/examples_dir.hpp"
#include "connector/simulator/server.hpp"

namespace certd::app {

namespace {


struct SimulatorOptions {
  int port = 0;
  std::string data_file;
};

Result<connector::simulator::School> school_for(const SimulatorOptions& options) {
  if (!options.data_file.empty()) return connector::simulator::load_school_file(options.data_file);
  // The demo school (app/examples_dir.hpp), as `certd demo` runs it.
  if (auto examples = examples_dir()) return connector::simulator::load_school_file((*examples / "school.yaml").string());
  connector::simulator::GenerateOptions generated;
  generated.students = 50;
  generated.courses = 3;
  return connector::simulator::generate_school(generated);
}

int simulate_lms(const SimulatorOptions& options) {
  Result<connector::simulator::School> school = school_for(options);
  if (!school) {
    std::cerr << "certd simulate-lms: " << school.error().message() << "\n";
    return k_exit_usage;
  }
  // Block the stop signals before any server thread starts, so only the
  // sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  connector::simulator::ServerOptions server_options;
  server_options.port = options.port;
  auto server = connector::simulator::Server::start(std::move(*school), server_options);
  if (!server) {
    std::cerr << "certd simulate-lms: " << server.error().message() << "\n";
    return k_exit_failure;
  }
  std::cout << "simulated Moodle at " << (*server)->url() << "/webservice/rest/server.php\n"
            << "token: " << (*server)->token() << "\n"
            << "control: " << (*server)->url() << "/_sim/ (complete, rate, grade, suspend, issue-now, fault, stats)\n"
            << "Press Ctrl-C to stop.\n"
            << std::flush;
  int received = 0;
  sigwait(&stop_signals, &received);
  (*server)->stop();
  std::cout << "stopped\n";
  return k_exit_ok;
}

}  // namespace

void define_simulate_lms(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<SimulatorOptions>();
  command.add_option("--port", o->port, "port on 127.0.0.1 (0: any free port)")->required();
  command.add_option("--data", o->data_file, "YAML file with the school (default: the demo school, examples/school.yaml)");
  handler = [o] { return simulate_lms(*o); };
}

}  // namespace certd::app
