#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/config_check.hpp"

namespace certd::app {

namespace {

int check_config(const GlobalOptions& globals) {
  CheckReport report = check_everything(globals.config_path);
  for (const std::string& note : report.notes) std::cerr << "note: " << note << "\n";
  for (const Error& error : report.errors) std::cerr << error.to_string() << "\n";
  if (!report.errors.empty()) {
    std::cerr << report.errors.size() << (report.errors.size() == 1 ? " error" : " errors") << " in "
              << globals.config_path << "\n";
    return k_exit_usage;
  }
  std::cout << globals.config_path << ": OK\n";
  return k_exit_ok;
}

}  // namespace

void define_check_config(CLI::App& /*command*/, const GlobalOptions& globals, Handler& handler) {
  handler = [&globals] { return check_config(globals); };
}

}  // namespace certd::app
