// certd pending list | approve IDS|--all [--notes T] | hold IDS
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/display_text.hpp"
#include "app/teacher_actions.hpp"
#include "app/terminal_text.hpp"
#include "app/text_table.hpp"
#include "connector/lms.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

struct PendingOptions {
  std::vector<long long> ids;
  bool all = false;
  std::string notes;
  std::string teacher;
};

int list(Runtime& runtime) {
  TextTable table({"ID", "STUDENT", "RULE", "COURSE", "SINCE", "STATUS", "WHY"});
  for (store::PendingStatus status : {store::PendingStatus::pending, store::PendingStatus::held}) {
    auto rows = runtime.store->pending_with_status(status);
    if (!rows) return fail("pending", rows.error());
    for (const store::PendingRow& r : *rows)
      table.add({std::to_string(r.id), r.pending.student_name + " (" + r.pending.student_id + ")", r.pending.rule_id,
                 r.pending.course, format_date(from_unix(r.pending.created_at)), store::to_string(r.status), r.pending.reason});
  }
  if (table.empty()) {
    std::cout << "No certificates are waiting for approval.\n";
    return k_exit_ok;
  }
  std::cout << "Certificates to be issued:\n" << table.render();
  return k_exit_ok;
}

int approve(Runtime& runtime, const PendingOptions& o) {
  if (o.ids.empty() && !o.all) {
    std::cerr << "certd pending approve: give pending ids, or --all\n";
    return k_exit_usage;
  }
  if (!o.notes.empty())
    if (Status typed = check_display_text(o.notes, TextKind::notes, "--notes"); !typed)
      return fail("pending approve", typed.error());
  std::unique_ptr<connector::Lms> lms;
  if (auto made = make_lms(runtime.school.config, &runtime.school.rules, runtime.clock)) lms = std::move(*made);
  std::vector<store::Id> ids(o.ids.begin(), o.ids.end());
  auto teacher = teacher_name(o.teacher);
  if (!teacher) return fail("pending approve", teacher.error());
  auto result = approve_pending(runtime, lms.get(), ids, o.all, o.notes, *teacher);
  if (!result) return fail("pending approve", result.error());
  for (const std::string& number : result->issued) std::cout << "issued " << number << "\n";
  for (const std::string& problem : result->failed) std::cerr << "not issued: " << terminal_safe(problem) << "\n";
  std::cout << result->issued.size() << " issued; what was not approved stays in the queue.\n";
  return result->failed.empty() ? k_exit_ok : k_exit_failure;
}

int hold(Runtime& runtime, const PendingOptions& o) {
  std::string teacher = teacher_name(o.teacher).value_or("a teacher");  // recorded, not printed
  if (auto held = hold_pending(runtime, std::vector<store::Id>(o.ids.begin(), o.ids.end()), teacher); !held)
    return fail("pending hold", held.error());
  std::cout << o.ids.size() << " held; they stay in the queue for next time.\n";
  return k_exit_ok;
}

}  // namespace

void define_pending(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<PendingOptions>();
  command.require_subcommand(1);
  CLI::App* list_command = command.add_subcommand("list", "students waiting for a teacher's approval, and why");
  CLI::App* approve_command = command.add_subcommand("approve", "issue the selected pending certificates");
  approve_command->add_option("ids", options->ids, "pending ids");
  approve_command->add_flag("--all", options->all, "approve every pending entry");
  approve_command->add_option("--notes", options->notes, "notes printed on the certificates");
  approve_command->add_option("--teacher", options->teacher, "who approves (default: $USER)");
  CLI::App* hold_command = command.add_subcommand("hold", "keep entries in the queue for later");
  hold_command->add_option("ids", options->ids, "pending ids")->required();
  handler = [&globals, options, list_command, approve_command]() {
    // Only approving issues certificates; listing and holding read rows.
    auto runtime = approve_command->parsed() ? open_runtime(globals) : open_store_runtime(globals);
    if (!runtime) return fail("pending", runtime.error());
    if (list_command->parsed()) return list(**runtime);
    if (approve_command->parsed()) return approve(**runtime, *options);
    return hold(**runtime, *options);
  };
}

}  // namespace certd::app
