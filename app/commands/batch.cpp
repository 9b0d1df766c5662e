#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct BatchOptions {
  std::string file;
  std::string template_id;
  bool skip_bad = false;
  long long id = 0;
};
}  // namespace

void define_batch(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<BatchOptions>();
  command.require_subcommand(1);
  CLI::App* import = command.add_subcommand("import", "start a batch from a CSV file");
  import->add_option("file", o->file, "CSV: student id or email, name, course, [expiry date], [notes]")->required();
  import->add_option("--template", o->template_id, "certificate template")->required();
  import->add_flag("--skip-bad", o->skip_bad, "issue the good rows of a file that has bad ones");
  CLI::App* status = command.add_subcommand("status", "progress of one batch, or of all");
  status->add_option("id", o->id, "batch id");
  CLI::App* cancel = command.add_subcommand("cancel", "stop a batch and revoke what it issued");
  cancel->add_option("id", o->id, "batch id")->required();
  handler = [o] { return not_available_yet("batch", "the daemon work, issue #7"); };
}

}  // namespace certd::app
