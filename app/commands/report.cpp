// Reports and notification resends.
#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct ReportOptions {
  std::string kind;
  bool csv = false;
  std::string number;
  long long batch = 0;
};
}  // namespace

void define_report(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<ReportOptions>();
  command.add_option("kind", o->kind, "certificates, deliveries or verifications")
      ->required()
      ->check(CLI::IsMember({"certificates", "deliveries", "verifications"}));
  command.add_flag("--csv", o->csv, "CSV instead of a table");
  handler = [o] { return not_available_yet("report", "the daemon work, issue #7"); };
}

void define_notify(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<ReportOptions>();
  command.require_subcommand(1);
  CLI::App* resend = command.add_subcommand("resend", "resend unclaimed e-mails (at most three times)");
  auto* number = resend->add_option("number", o->number, "certificate number");
  auto* batch = resend->add_option("--batch", o->batch, "every unclaimed e-mail of a batch");
  number->excludes(batch);
  handler = [o] { return not_available_yet("notify", "the notification work"); };
}

}  // namespace certd::app
