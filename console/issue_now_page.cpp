// "Issue now" (/console/course/{course}/issue-now): a teacher picks a
// student and one of the course's certificates, sees which of its
// conditions the student has not met, and confirms; the certificate is
// then issued anyway (kind "forced"), once. GET renders the choice and,
// with ?student=&rule=, the preview; POST issues. What the backend
// answers is checked there against the course in the path, whatever the
// form says (console_backend.hpp).
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "console/console.hpp"
#include "console/console_pages.hpp"
#include "console/form.hpp"

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;
using portal::Request;
using portal::Response;

constexpr const char* k_page = R"html(<h1>Issue now</h1>
<p class="lead">{{course_title}}: issue a certificate to a student who has not met all of its conditions. You see what is missing before you confirm.</p>
{{#done}}<div class="notice" role="status">
{{#already}}<p>{{student}} already has this certificate ({{certificate}}): <a class="mono" href="{{verify_url}}">{{number}}</a>. Nothing was issued again.</p>{{/already}}
{{^already}}<p>Issued: {{certificate}} for {{student}}, number <a class="mono" href="{{verify_url}}">{{number}}</a>.</p>{{/already}}
</div>{{/done}}
{{#no_rules}}<div class="card"><p>This course has no certificates to issue: no rule in certd names it.</p></div>{{/no_rules}}
{{#no_students}}<div class="card"><p>The LMS lists no students with active access in this course.</p></div>{{/no_students}}
{{#can_choose}}<form method="get" action="{{action}}" class="card">
<label for="student">Student</label>
<select id="student" name="student" required><option value="">Choose a student</option>
{{#students}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>
{{/students}}</select>
<label for="rule">Certificate</label>
<select id="rule" name="rule" required>{{^one_rule}}<option value="">Choose a certificate</option>{{/one_rule}}
{{#rules}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>
{{/rules}}</select>
<div class="actions"><button type="submit" class="secondary">Show what is missing</button></div>
</form>{{/can_choose}}
{{#preview}}<section class="card preview" aria-labelledby="preview-title">
<h2 id="preview-title">Before you issue</h2>
<dl><dt>Student</dt><dd>{{student}}</dd><dt>Certificate</dt><dd>{{certificate}}</dd></dl>
{{#existing}}<p>Already issued as <a class="mono" href="{{existing_url}}">{{existing}}</a>. It is never issued twice: to replace it, reissue that certificate.</p>{{/existing}}
{{^existing}}{{#has_unmet}}<p>{{student}} has not met {{unmet_count}}:</p>
<ul class="unmet">{{#unmet}}<li>{{.}}</li>{{/unmet}}</ul>{{/has_unmet}}
{{^has_unmet}}<p>All conditions are met: this certificate would be issued anyway.</p>{{/has_unmet}}
<form method="post" action="{{action}}">
<input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="student" value="{{student_id}}"><input type="hidden" name="rule" value="{{rule_id}}">
<p class="hint">The certificate is issued at once with your name, and records the conditions it skipped.</p>
<div class="actions"><button type="submit">Issue now</button></div>
</form>{{/existing}}
</section>{{/preview}}
)html";

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string conditions_text(std::size_t n) {
  return n == 1 ? "1 condition of this certificate" : std::to_string(n) + " conditions of this certificate";
}

// The choice of student and certificate, the chosen ones selected.
void set_choices(mustache::data& d, const IssueNowChoices& choices, const std::string& student,
                 const std::string& rule) {
  mustache::data students{mustache::data::type::list};
  for (const IssueNowStudent& s : choices.students) {
    mustache::data option;
    option.set("id", s.id);
    option.set("name", s.name);
    if (s.id == student) option.set("selected", mustache::data::type::bool_true);
    students.push_back(option);
  }
  mustache::data rules{mustache::data::type::list};
  for (const IssueNowRule& r : choices.rules) {
    mustache::data option;
    option.set("id", r.id);
    option.set("name", r.certificate);
    if (r.id == rule || choices.rules.size() == 1) option.set("selected", mustache::data::type::bool_true);
    rules.push_back(option);
  }
  d.set("students", students);
  d.set("rules", rules);
  if (choices.rules.size() == 1) d.set("one_rule", mustache::data::type::bool_true);
  if (choices.rules.empty()) d.set("no_rules", mustache::data::type::bool_true);
  else if (choices.students.empty()) d.set("no_students", mustache::data::type::bool_true);
  else d.set("can_choose", mustache::data::type::bool_true);
}

mustache::data preview_data(const IssueNowPreview& p, const std::string& public_url) {
  mustache::data d;
  d.set("student", p.student_name);
  d.set("certificate", p.certificate);
  if (!p.existing_number.empty()) {
    d.set("existing", p.existing_number);
    d.set("existing_url", public_url + "/v/" + p.existing_number);
  }
  mustache::data unmet{mustache::data::type::list};
  for (const std::string& u : p.unmet) unmet.push_back(mustache::data(u));
  d.set("unmet", unmet);
  if (!p.unmet.empty()) d.set("has_unmet", mustache::data::type::bool_true);
  d.set("unmet_count", conditions_text(p.unmet.size()));
  return d;
}

mustache::data done_data(const IssueNowDone& done, const std::string& public_url) {
  mustache::data d;
  d.set("student", done.student_name);
  d.set("certificate", done.certificate);
  d.set("number", done.number);
  d.set("verify_url", public_url + "/v/" + done.number);
  if (done.already_issued) d.set("already", mustache::data::type::bool_true);
  return d;
}

}  // namespace

Response Console::issue_now_page(const Request& request, const Viewer& viewer, const std::string& course) const {
  // The LMS not answering (or not configured) is said as the backend
  // words it: "Busy right now" would hide that the LMS is the cause.
  auto refused = [&](const Error& e) {
    if (e.code() == ErrorCode::unavailable) return message(&viewer, 503, "The LMS is not available", e.message());
    return failure(&viewer, e);
  };
  const Frame frame = frame_for(&viewer, course, "issue-now");
  mustache::data d;
  d.set("course_title", frame.course_title.empty() ? frame.course : frame.course_title);
  d.set("action", "/console/course/" + frame.course_path + "/issue-now");
  d.set("csrf", viewer.session.csrf_token);
  std::string student;
  std::string rule;
  if (request.method == "POST") {
    auto form = parse_form(request.body);
    if (!form) return failure(&viewer, form.error());
    if (!csrf_matches(viewer, field(*form, "csrf")))
      return message(&viewer, 403, "Not allowed", "This form has expired. Reload the page and try again");
    auto done = m_backend.issue_now(course, field(*form, "student"), field(*form, "rule"),
                                    viewer.session.display_name);
    if (!done) return refused(done.error());
    if (!done->already_issued)
      record(viewer, "console.issue_now", course,
             nlohmann::json{{"student", field(*form, "student")}, {"rule", field(*form, "rule")},
                            {"number", done->number}});
    d.set("done", done_data(*done, m_options.public_url));
  } else {
    auto query = parse_form(request.query);
    if (!query) return failure(&viewer, query.error());
    student = field(*query, "student");
    rule = field(*query, "rule");
    if (student.empty() != rule.empty())
      return message(&viewer, 400, "That could not be done", "Choose both a student and a certificate");
  }
  auto choices = m_backend.issue_now_choices(course);
  if (!choices) return refused(choices.error());
  set_choices(d, *choices, student, rule);
  if (!student.empty()) {
    auto preview = m_backend.preview_issue_now(course, student, rule);
    if (!preview) return refused(preview.error());
    mustache::data p = preview_data(*preview, m_options.public_url);
    p.set("action", "/console/course/" + frame.course_path + "/issue-now");
    p.set("csrf", viewer.session.csrf_token);
    p.set("student_id", student);
    p.set("rule_id", rule);
    d.set("preview", p);
  }
  return html(200, render_console_layout(frame, "Issue now", mustache::mustache(k_page).render(d)));
}

}  // namespace certd::console
