#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

void define_verify(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto target = std::make_shared<std::string>();
  command.add_option("target", *target, "a certificate PDF, or a certificate number")->required();
  handler = [target] { return not_available_yet("verify", "the rendering work, issue #4"); };
}

}  // namespace certd::app
