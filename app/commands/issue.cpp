// Teacher actions on single certificates: ad-hoc, forced, reissue, revoke.
#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct IssueOptions {
  std::string student;
  std::string template_id;
  std::string course;
  std::string teacher;
  std::string notes;
  std::string rule;
  std::string number;
  std::string reason;
};
}  // namespace

void define_issue(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("--student", o->student, "LMS user id or e-mail")->required();
  command.add_option("--template", o->template_id, "certificate template")->required();
  command.add_option("--course", o->course, "course shortname printed on the certificate");
  command.add_option("--teacher", o->teacher, "teacher named on the certificate");
  command.add_option("--notes", o->notes, "notes printed on the certificate");
  handler = [o] { return not_available_yet("issue", "the daemon work, issue #7"); };
}

void define_issue_now(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("--student", o->student, "LMS user id or e-mail")->required();
  command.add_option("--rule", o->rule, "rule id")->required();
  command.add_option("--teacher", o->teacher, "who asked (recorded on the certificate)");
  handler = [o] { return not_available_yet("issue-now", "the daemon work, issue #7"); };
}

void define_reissue(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("number", o->number, "certificate number")->required();
  handler = [o] { return not_available_yet("reissue", "the daemon work, issue #7"); };
}

void define_revoke(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto o = std::make_shared<IssueOptions>();
  command.add_option("number", o->number, "certificate number")->required();
  command.add_option("--reason", o->reason, "shown on the verification page")->required();
  handler = [o] { return not_available_yet("revoke", "the daemon work, issue #7"); };
}

}  // namespace certd::app
