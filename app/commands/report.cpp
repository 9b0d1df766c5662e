// certd report certificates|deliveries|verifications [--csv];
// certd notify resend NUMBER | --batch ID
#include <CLI/CLI.hpp>

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands/commands.hpp"
#include "app/mail_resend.hpp"
#include "app/runtime.hpp"
#include "app/text_table.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

constexpr int k_report_rows = 100000;

struct ReportOptions {
  std::string kind;
  bool csv = false;
  std::string number;
  long long batch = 0;
};

std::string when(std::optional<std::int64_t> t) { return t ? format_iso8601(from_unix(*t)) : ""; }

Result<TextTable> certificates_table(store::Store& store) {
  TextTable table({"NUMBER", "STUDENT", "COURSE", "TITLE", "KIND", "ISSUED", "EXPIRES", "STATUS", "REQUESTED BY"});
  CERTD_ASSIGN_OR_RETURN(auto rows, store.recent_certificates(k_report_rows));
  for (const store::CertificateRow& r : rows) {
    const store::NewCertificate& c = r.certificate;
    std::string status = r.status == store::CertificateStatus::revoked ? "revoked: " + r.revoke_reason
                                                                       : store::to_string(r.status);
    table.add({c.number, c.student_name, c.course, c.title, c.kind, when(c.issued_at), when(c.expires_at), status, c.requested_by});
  }
  return table;
}

// E-mails, and every LMS write-back that failed for good (with the LMS's
// error code and message) or is still being retried.
Result<TextTable> deliveries_table(store::Store& store) {
  TextTable table({"CERTIFICATE", "CHANNEL", "TO", "STATUS", "WHEN", "RESENDS", "DETAIL"});
  CERTD_ASSIGN_OR_RETURN(auto mails, store.notifications(std::nullopt, std::nullopt));
  for (const store::NotificationRow& n : mails)
    table.add({n.number, "email", n.recipient + " (" + n.role + ")", n.status,
               when(n.claimed_at ? n.claimed_at : n.sent_at), std::to_string(n.resend_count), n.server_reply});
  for (store::OutboxStatus status : {store::OutboxStatus::failed, store::OutboxStatus::queued}) {
    CERTD_ASSIGN_OR_RETURN(auto items, store.outbox_with_status(status));
    for (const store::OutboxRow& item : items) {
      if (item.item.kind == "email" && status == store::OutboxStatus::failed) continue;  // shown above
      if (status == store::OutboxStatus::queued && item.attempts == 0) continue;
      auto payload = nlohmann::json::parse(item.item.payload, nullptr, false);
      std::string number = payload.is_object() ? payload.value("number", "") : "";
      table.add({number, item.item.kind, "", status == store::OutboxStatus::queued ? "retrying" : "failed", "",
                 std::to_string(item.attempts) + " attempts", item.last_error});
    }
  }
  return table;
}

Result<TextTable> verifications_table(store::Store& store) {
  TextTable table({"NUMBER", "RESULT", "VIA", "WHEN"});
  CERTD_ASSIGN_OR_RETURN(auto rows, store.recent_verifications(k_report_rows));
  for (const store::VerificationRow& v : rows) table.add({v.number, v.result, v.via, when(v.at)});
  return table;
}

int report(const GlobalOptions& globals, const ReportOptions& o) {
  auto runtime = open_store_runtime(globals);
  if (!runtime) return fail("report", runtime.error());
  store::Store& store = *(*runtime)->store;
  Result<TextTable> table = o.kind == "certificates" ? certificates_table(store)
                            : o.kind == "deliveries" ? deliveries_table(store)
                                                     : verifications_table(store);
  if (!table) return fail("report", table.error());
  std::cout << (o.csv ? table->csv() : table->render());
  return k_exit_ok;
}

// Resend only what was sent and not claimed, at most three times
// (mail_resend.hpp, shared with the console).
int resend(const GlobalOptions& globals, const ReportOptions& o) {
  auto runtime = open_store_runtime(globals);
  if (!runtime) return fail("notify resend", runtime.error());
  store::Store& store = *(*runtime)->store;
  std::optional<store::Id> certificate;
  std::optional<store::Id> batch;
  if (!o.number.empty()) {
    auto found = store.certificate_by_number(o.number);
    if (!found) return fail("notify resend", found.error());
    if (!*found) return fail("notify resend", Error(ErrorCode::not_found, "no certificate " + o.number));
    certificate = (*found)->id;
  } else if (o.batch != 0) {
    batch = o.batch;
  } else {
    std::cerr << "certd notify resend: give a certificate number or --batch ID\n";
    return k_exit_usage;
  }
  auto resent = resend_mail(store, certificate, batch, to_unix((*runtime)->clock.now()));
  if (!resent) return fail("notify resend", resent.error());
  std::cout << resent->queued << " e-mails queued to resend (the daemon sends them); " << resent->skipped
            << " skipped (not sent, already claimed, or resent three times)\n";
  return k_exit_ok;
}

}  // namespace

void define_report(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<ReportOptions>();
  command.add_option("kind", o->kind, "certificates, deliveries or verifications")
      ->required()
      ->check(CLI::IsMember({"certificates", "deliveries", "verifications"}));
  command.add_flag("--csv", o->csv, "CSV instead of a table");
  handler = [&globals, o] { return report(globals, *o); };
}

void define_notify(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<ReportOptions>();
  command.require_subcommand(1);
  CLI::App* resend_command = command.add_subcommand("resend", "resend unclaimed e-mails (at most three times)");
  auto* number = resend_command->add_option("number", o->number, "certificate number");
  auto* batch = resend_command->add_option("--batch", o->batch, "every unclaimed e-mail of a batch");
  number->excludes(batch);
  handler = [&globals, o] { return resend(globals, *o); };
}

}  // namespace certd::app
