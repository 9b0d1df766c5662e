#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct PendingOptions {
  std::vector<long long> ids;
  bool all = false;
  std::string notes;
};
}  // namespace

void define_pending(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto options = std::make_shared<PendingOptions>();
  command.require_subcommand(1);
  command.add_subcommand("list", "students waiting for a teacher's approval, and why");
  CLI::App* approve = command.add_subcommand("approve", "issue the selected pending certificates");
  approve->add_option("ids", options->ids, "pending ids");
  approve->add_flag("--all", options->all, "approve every pending entry");
  approve->add_option("--notes", options->notes, "notes printed on the certificates");
  CLI::App* hold = command.add_subcommand("hold", "keep entries in the queue for later");
  hold->add_option("ids", options->ids, "pending ids")->required();
  handler = [options] { return not_available_yet("pending", "the daemon work, issue #7"); };
}

}  // namespace certd::app
