#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct PreviewOptions {
  std::string template_id;
  std::string data_file;
  std::string out_file;
};
}  // namespace

void define_preview(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<PreviewOptions>();
  command.add_option("--template", o->template_id, "template id or folder")->required();
  command.add_option("--data", o->data_file, "YAML file with the certificate's data (default: sample data)");
  command.add_option("--out", o->out_file, "PDF file to write")->required();
  handler = [o] { return not_available_yet("preview", "the rendering work, issue #4"); };
}

}  // namespace certd::app
