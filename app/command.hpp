#pragma once
// One row per subcommand (docs/style.md §7: dispatch from tables). Each command
// lives in app/commands/<name>.cpp and fills in its CLI11 subcommand.

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace certd::app {

enum ExitCode : int { k_exit_ok = 0, k_exit_failure = 1, k_exit_usage = 2 };

// Options every command accepts.
struct GlobalOptions {
  std::string config_path = "certd.yaml";
  std::string log_level;  // overrides the config's log_level when set
};

// What a command does once its options are parsed.
using Handler = std::function<int()>;

struct CommandSpec {
  const char* name;
  const char* help;
  // Adds the command's options and sub-subcommands to `command` and sets
  // `handler`; `globals` outlives the handler.
  void (*define)(CLI::App& command, const GlobalOptions& globals, Handler& handler);
};

// The table, in the order `certd --help` lists it.
const CommandSpec* command_table(int* count);

}  // namespace certd::app
