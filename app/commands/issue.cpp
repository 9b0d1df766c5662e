// Teacher actions on single certificates: ad-hoc, forced, reissue, revoke.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/display_text.hpp"
#include "app/teacher_actions.hpp"
#include "app/school.hpp"
#include "connector/lms.hpp"
#include "render/certificate_data.hpp"
#include "store/revocation.hpp"

namespace certd::app {

namespace {

struct IssueOptions {
  std::string student;
  std::string name;
  std::string email;
  std::string template_id;
  std::string course;
  std::string title;
  std::string teacher;
  std::string notes;
  std::string rule;
  std::string number;
  std::string reason;
  std::string category = "withdrawn";
};


void print_outcome(const IssueOutcome& outcome) {
  if (outcome.status == IssueStatus::already_issued)
    std::cout << "already issued: " << outcome.number << " (nothing new was issued)\n";
  else
    std::cout << "issued " << outcome.number << "\n";
}

// What the teacher typed is printed on the certificate and in reports:
// refused before anything is recorded (exit 2).
Status check_typed_text(const IssueOptions& o) {
  struct Option {
    const char* name;
    const std::string& value;
    TextKind kind;
  };
  const Option options[] = {{"--student", o.student, TextKind::name},
                            {"--name", o.name, TextKind::name},
                            {"--email", o.email, TextKind::name},
                            {"--course", o.course, TextKind::name},
                            {"--title", o.title, TextKind::name},
                            {"--notes", o.notes, TextKind::notes}};
  for (const Option& option : options)
    if (!option.value.empty()) CERTD_TRY(check_display_text(option.value, option.kind, option.name));
  return ok();
}

int adhoc(const GlobalOptions& globals, const IssueOptions& o) {
  if (Status typed = check_typed_text(o); !typed) return fail("issue", typed.error());
  auto runtime = open_runtime(globals);
  if (!runtime) return fail("issue", runtime.error());
  std::unique_ptr<connector::Lms> lms;
  if (!o.course.empty() && o.name.empty()) {
    auto made = make_lms((*runtime)->school.config, &(*runtime)->school.rules, (*runtime)->clock);
    if (!made) return fail("issue", made.error());
    lms = std::move(*made);
  }
  auto teacher = teacher_name(o.teacher);
  if (!teacher) return fail("issue", teacher.error());
  AdhocDetails details{{"", o.student, o.template_id, o.course, *teacher, o.notes}, o.name, o.email, o.title};
  auto outcome = issue_adhoc(**runtime, lms.get(), details);
  if (!outcome) return fail("issue", outcome.error());
  print_outcome(*outcome);
  return k_exit_ok;
}

int forced(const GlobalOptions& globals, const IssueOptions& o) {
  auto runtime = open_runtime(globals);
  if (!runtime) return fail("issue-now", runtime.error());
  auto lms = make_lms((*runtime)->school.config, &(*runtime)->school.rules, (*runtime)->clock);
  if (!lms) return fail("issue-now", lms.error());
  auto teacher = teacher_name(o.teacher);
  if (!teacher) return fail("issue-now", teacher.error());
  auto outcome = issue_now(**runtime, **lms, o.student, o.rule, *teacher);
  if (!outcome) return fail("issue-now", outcome.error());
  print_outcome(*outcome);
  return k_exit_ok;
}

}  // namespace

void define_issue(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("--student", o->student, "LMS user id, or an e-mail address")->required();
  command.add_option("--template", o->template_id, "certificate template")->required();
  command.add_option("--title", o->title, "what the award is called in mails, LMS notes and reports "
                                          "(default: the template's name)");
  command.add_option("--course", o->course,
                     "course shortname, as context (its name is printed; the student is read from the LMS)");
  command.add_option("--name", o->name, "the student's name, when not read from the LMS");
  command.add_option("--email", o->email, "where to send it, when not read from the LMS");
  command.add_option("--teacher", o->teacher, "teacher named on the certificate (default: $USER)");
  command.add_option("--notes", o->notes, "notes printed on the certificate");
  handler = [&globals, o] { return adhoc(globals, *o); };
}

void define_issue_now(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("--student", o->student, "LMS user id")->required();
  command.add_option("--rule", o->rule, "rule id")->required();
  command.add_option("--teacher", o->teacher, "who asked (recorded on the certificate; default: $USER)");
  handler = [&globals, o] { return forced(globals, *o); };
}

void define_reissue(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("number", o->number, "certificate number")->required();
  command.add_option("--teacher", o->teacher, "who asked (default: $USER)");
  handler = [&globals, o] {
    auto runtime = open_runtime(globals);
    if (!runtime) return fail("reissue", runtime.error());
    // The reissue names the original teacher; who asked is only recorded.
    auto outcome = reissue(**runtime, o->number, teacher_name(o->teacher).value_or("a teacher"));
    if (!outcome) return fail("reissue", outcome.error());
    std::cout << o->number << " revoked (reissued); new certificate " << outcome->number << ", verify at "
              << render::make_verify_url((*runtime)->school.config.portal.public_url, outcome->number) << "\n";
    return static_cast<int>(k_exit_ok);
  };
}

void define_revoke(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("number", o->number, "certificate number")->required();
  command.add_option("--reason", o->reason, "the school's own note (reports, certd verify); never shown publicly")
      ->required();
  command.add_option("--category", o->category, "what the verification page says: error, replaced or withdrawn")
      ->check(CLI::IsMember({"error", "replaced", "withdrawn"}))
      ->capture_default_str();
  command.add_option("--teacher", o->teacher, "who revokes (default: $USER)");
  handler = [&globals, o] {
    // The reason is shown in reports and terminals.
    if (Status typed = check_display_text(o->reason, TextKind::name, "--reason"); !typed)
      return fail("revoke", typed.error());
    auto category = store::parse_revocation_category(o->category);
    if (!category) return fail("revoke", category.error());
    auto runtime = open_runtime(globals);
    if (!runtime) return fail("revoke", runtime.error());
    if (auto done = revoke(**runtime, o->number, *category, o->reason, teacher_name(o->teacher).value_or("a teacher"));
        !done)
      return fail("revoke", done.error());
    std::cout << o->number << " revoked (" << o->category << "): " << o->reason << "\n";
    return static_cast<int>(k_exit_ok);
  };
}

}  // namespace certd::app
