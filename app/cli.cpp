#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "app/nearest_word.hpp"
#include "app/terminal_text.hpp"
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

std::vector<CLI::App*> named_subcommands(CLI::App& command) {
  // Option groups are unnamed subcommands in CLI11.
  return command.get_subcommands([](CLI::App* child) { return !child->get_name().empty(); });
}

// "--studnet=5" -> "studnet"; "-x" -> "x".
std::string option_name(const std::string& arg) {
  if (arg.compare(0, 2, "--") != 0) return arg.substr(1, 1);
  std::string name = arg.substr(2);
  return name.substr(0, name.find('='));
}

const CLI::Option* find_option(CLI::App& command, const std::string& arg) {
  std::string name = option_name(arg);
  bool long_form = arg.compare(0, 2, "--") == 0;
  for (const CLI::Option* option : command.get_options())
    if (long_form ? option->check_lname(name) : option->check_sname(name)) return option;
  return nullptr;
}

std::string usage_hint(const std::string& path) { return "Run '" + path + " --help' for usage.\n"; }

std::string unknown_option(CLI::App& command, const std::string& path, const std::string& arg) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options())
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  std::string typed = arg.substr(0, arg.find('='));
  std::string message = path + ": unknown option '" + terminal_safe(typed) + "'.";
  if (auto meant = nearest_word(typed, names)) message += " Did you mean '" + *meant + "'?";
  return message + "\n" + usage_hint(path);
}

std::string unknown_command(CLI::App& command, const std::string& path, const std::string& arg) {
  std::vector<std::string> names;
  for (CLI::App* child : named_subcommands(command)) names.push_back(child->get_name());
  std::string message = path + ": unknown command '" + terminal_safe(arg) + "'.";
  if (auto meant = nearest_word(arg, names)) return message + " Did you mean '" + *meant + "'?\n" + usage_hint(path);
  message += " Commands:";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : " ") + names[i];
  return message + ".\n" + usage_hint(path);
}

// CLI11 reports a mistyped command as "A subcommand is required" and a
// mistyped option as "not expected", naming neither what was meant. This
// walks the arguments as CLI11 read them (options, their values, the
// subcommand path) to the first word no command knows, and says what is
// near it. nullopt: every word is known, CLI11's own message says more.
std::optional<std::string> diagnose(CLI::App& root, const std::vector<std::string>& args) {
  CLI::App* command = &root;
  std::string path = "certd";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      const CLI::Option* option = find_option(*command, arg);
      if (!option) return unknown_option(*command, path, arg);
      bool value_inline = arg.find('=') != std::string::npos || (arg[1] != '-' && arg.size() > 2);
      if (option->get_type_size_max() > 0 && !value_inline) ++i;  // skip its value
      continue;
    }
    std::vector<CLI::App*> children = named_subcommands(*command);
    auto child = std::find_if(children.begin(), children.end(), [&](CLI::App* c) { return c->check_name(arg); });
    if (child != children.end()) {
      command = *child;
      path += " " + command->get_name();
      continue;
    }
    bool takes_words = !command->get_options([](const CLI::Option* o) { return !o->nonpositional(); }).empty();
    if (!children.empty() && !takes_words) return unknown_command(*command, path, arg);
  }
  return std::nullopt;
}

int report_parse_error(CLI::App& root, const CLI::ParseError& e, const std::vector<std::string>& args) {
  if (e.get_exit_code() == 0) return root.exit(e);  // --help, --version
  if (auto diagnosis = diagnose(root, args)) {
    std::cerr << *diagnosis;
    return k_exit_usage;
  }
  // CLI11's messages quote the arguments: what was typed is printed inert.
  std::cerr << "certd: " << terminal_safe(e.what()) << "\n";
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
    return report_parse_error(root, e, std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
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
