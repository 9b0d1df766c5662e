#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

#include "app/command.hpp"
#include "core/log.hpp"

namespace certd::app {
namespace {

// docs/architecture.md: every command accepts --config and --help. Each subcommand
// gets its own copy of the global options, bound to the same variables, so
// `certd --config F run`, `certd run --config F` and every --help agree.
void add_global_options(CLI::App& command, GlobalOptions& globals) {
  command.add_option("--config", globals.config_path, "configuration file (default: ./certd.yaml)");
  command.add_option("--log-level", globals.log_level, "debug, info, warn or error (overrides the config)");
}

void add_global_options_everywhere(CLI::App& command, GlobalOptions& globals) {
  for (CLI::App* child : command.get_subcommands({})) {
    add_global_options(*child, globals);
    add_global_options_everywhere(*child, globals);
  }
}

int report_parse_error(const CLI::App& root, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return root.exit(e);  // --help, --version
  std::cerr << "certd: " << e.what() << "\n";
  std::cerr << "Run 'certd --help' (or 'certd COMMAND --help') for usage.\n";
  return k_exit_usage;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App root("certd: issues signed PDF certificates from your LMS (Moodle), exactly once.", "certd");
  root.require_subcommand(1);
  root.set_version_flag("--version", "certd 0.1.0");
  GlobalOptions globals;
  add_global_options(root, globals);

  int count = 0;
  const CommandSpec* table = command_table(&count);
  std::vector<Handler> handlers(static_cast<std::size_t>(count));
  std::vector<CLI::App*> commands;
  for (int i = 0; i < count; ++i) {
    CLI::App* command = root.add_subcommand(table[i].name, table[i].help);
    table[i].define(*command, globals, handlers[static_cast<std::size_t>(i)]);
    commands.push_back(command);
  }
  add_global_options_everywhere(root, globals);

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(root, e);
  }
  // Commands speak through their output; the daemon's info lines would be
  // noise there. `run` applies the config's level itself.
  log::set_level(log::Level::warn);
  if (!globals.log_level.empty()) {
    log::Level level;
    if (!log::parse_level(globals.log_level, &level)) {
      std::cerr << "certd: --log-level must be debug, info, warn or error\n";
      return k_exit_usage;
    }
    log::set_level(level);
  }
  try {
    for (int i = 0; i < count; ++i)
      if (commands[static_cast<std::size_t>(i)]->parsed()) return handlers[static_cast<std::size_t>(i)]();
  } catch (const std::exception& e) {
    // Last resort (docs/style.md §3): a bug, or a library that threw past its
    // adapter. Say what happened instead of dying with a core dump.
    std::cerr << "certd: unexpected error: " << e.what() << "\n";
    return k_exit_failure;
  }
  return k_exit_usage;
}

}  // namespace certd::app
