#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

void define_run(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto once = std::make_shared<bool>(false);
  command.add_flag("--once", *once, "one poll cycle, drain the outbox, exit");
  handler = [once] { return not_available_yet("run", "the daemon work, issue #7"); };
}

}  // namespace certd::app
