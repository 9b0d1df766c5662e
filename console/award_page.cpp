// "Award" (/console/course/{course}/award): an ad-hoc award that no rule
// issues ("Lifeguard of the month"), as `certd issue` gives it, for some
// of the course's students at once.
//
//   GET  .../award                   the form: template, students, title, notes
//   POST .../award action=preview    checks it all; the confirm page with a
//                                    request id made now
//   GET  .../award/preview.pdf?...   the first student's award, unsigned and
//                                    stamped PREVIEW, never stored
//   POST .../award action=issue      one certificate per student, once per
//                                    request id and student
//
// The preview is a link, not an embed: the console's CSP forbids frames
// and objects. What the form says is checked by the backend against the
// course in the path (console_backend.hpp).
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "console/console.hpp"
#include "console/console_pages.hpp"
#include "console/form.hpp"
#include "core/random_token.hpp"

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;
using portal::Request;
using portal::Response;

// More would hold the store for minutes in one request; the backend
// refuses them too.
constexpr std::size_t k_max_students = 200;
constexpr std::size_t k_request_id_bytes = 18;  // 24 characters of base64url

constexpr const char* k_form = R"html(<h1>Award</h1>
<p class="lead">{{course_title}}: give an award that no rule issues, such as &ldquo;Lifeguard of the month&rdquo;. You see a preview before anything is issued.</p>
{{#no_students}}<div class="card"><p>The LMS lists no students with active access in this course.</p></div>{{/no_students}}
{{^no_students}}<form method="post" action="{{action}}" class="card">
<input type="hidden" name="csrf" value="{{csrf}}">
<label for="template">Certificate design</label>
<select id="template" name="template" required>
{{#templates}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>
{{/templates}}</select>
<label for="title">Title <span class="hint">(optional)</span></label>
<input class="plain" type="text" id="title" name="title" value="{{title}}" maxlength="200" aria-describedby="title-hint">
<p class="hint" id="title-hint">What the award is called, e.g. &ldquo;Brave first dive&rdquo;. Empty: the design&rsquo;s name.</p>
<fieldset class="students"><legend>Students</legend>
{{#students}}<label class="choice"><input type="checkbox" name="student" value="{{id}}"{{#checked}} checked{{/checked}}> {{name}}</label>
{{/students}}</fieldset>
<label for="notes">Notes <span class="hint">(optional, printed on the certificate)</span></label>
<textarea id="notes" name="notes" rows="3">{{notes}}</textarea>
<div class="actions"><button type="submit" name="action" value="preview">Preview</button></div>
</form>{{/no_students}}
)html";

constexpr const char* k_confirm = R"html(<h1>Award</h1>
<section class="card preview" aria-labelledby="confirm-title">
<h2 id="confirm-title">Before you issue</h2>
<dl><dt>Award</dt><dd>{{award_title}}</dd><dt>Design</dt><dd>{{template_name}}</dd>
{{#notes}}<dt>Notes</dt><dd class="notes">{{notes}}</dd>{{/notes}}
<dt>Students</dt><dd>{{count_text}}</dd></dl>
<ul>{{#students}}<li>{{name}}</li>{{/students}}</ul>
<p><a class="button secondary" href="{{preview_url}}">Open the preview (PDF)<span class="visually-hidden"> of {{first_student}}&rsquo;s award</span></a></p>
<p class="hint">The preview shows {{first_student}}&rsquo;s certificate, unsigned and marked PREVIEW.</p>
<form method="post" action="{{action}}">
<input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="request" value="{{request_id}}">
<input type="hidden" name="template" value="{{template_id}}"><input type="hidden" name="title" value="{{title}}"><input type="hidden" name="notes" value="{{notes}}">
{{#students}}<input type="hidden" name="student" value="{{id}}">
{{/students}}<p class="hint">Each certificate is issued at once with your name and sent to the student. Confirming twice issues nothing twice.</p>
<div class="actions"><button type="submit" name="action" value="issue">Issue {{count_text}}</button>
<a class="button secondary" href="{{action}}">Start again</a></div>
</form>
</section>
)html";

constexpr const char* k_done = R"html(<h1>Award</h1>
<div class="notice" role="status"><p>{{summary}}</p></div>
{{#has_issued}}<div class="table-wrap"><table class="stack"><caption class="visually-hidden">Awards issued</caption>
<thead><tr><th scope="col">Student</th><th scope="col">Certificate</th></tr></thead><tbody>
{{#issued}}<tr><td data-label="Student">{{name}}</td><td data-label="Certificate"><a class="mono" href="{{verify_url}}">{{number}}</a>{{#already}} (issued before: not again){{/already}}</td></tr>
{{/issued}}</tbody></table></div>{{/has_issued}}
{{#has_failed}}<div class="notice error" role="alert"><p>Not issued:</p><ul>{{#failed}}<li>{{.}}</li>{{/failed}}</ul></div>{{/has_failed}}
<p><a class="button secondary" href="{{action}}">Give another award</a></p>
)html";

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string awards_text(std::size_t n) { return n == 1 ? "1 award" : std::to_string(n) + " awards"; }

AwardRequest request_from(const FormFields& form) {
  AwardRequest r;
  r.template_id = field(form, "template");
  r.student_ids = fields_named(form, "student");
  r.title = field(form, "title");
  r.notes = field(form, "notes");
  r.request_id = field(form, "request");
  return r;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Response Console::award_page(const Request& request, const Viewer& viewer, const std::string& course,
                             const std::string& sub) const {
  auto refused = [&](const Error& e) {
    if (e.code() == ErrorCode::unavailable) return message(&viewer, 503, "The LMS is not available", e.message());
    return failure(&viewer, e);
  };
  const Frame frame = frame_for(&viewer, course, "award");
  const std::string here = "/console/course/" + frame.course_path + "/award";
  const std::string& teacher = viewer.session.display_name;

  if (sub == "award/preview.pdf") {
    if (request.method == "POST") return message(&viewer, 405, "Not allowed here", "");
    auto query = parse_form(request.query);
    if (!query) return failure(&viewer, query.error());
    AwardRequest wanted = request_from(*query);
    auto pdf = m_backend.award_preview_pdf(course, wanted, teacher);
    if (!pdf) return refused(pdf.error());
    Response r;
    r.content_type = "application/pdf";
    r.body = std::move(*pdf);
    r.headers.emplace_back("Content-Disposition", "inline; filename=\"award-preview.pdf\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    // A browser's PDF viewer is a plugin: the pages' default-src 'none'
    // would block it here, on the PDF's own response.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; object-src 'self'; base-uri 'none'; frame-ancestors " +
                               m_frame_ancestors);
    return r;
  }

  auto templates = m_backend.award_templates();
  if (!templates) return failure(&viewer, templates.error());
  auto template_name = [&](const std::string& id) {
    for (const AwardTemplate& t : *templates)
      if (t.id == id) return t.name;
    return id;
  };
  mustache::data d;
  d.set("course_title", frame.course_title.empty() ? frame.course : frame.course_title);
  d.set("action", here);
  d.set("csrf", viewer.session.csrf_token);

  if (request.method == "POST") {
    auto form = parse_form(request.body);
    if (!form) return failure(&viewer, form.error());
    if (!csrf_matches(viewer, field(*form, "csrf")))
      return message(&viewer, 403, "Not allowed", "This form has expired. Reload the page and try again");
    AwardRequest wanted = request_from(*form);
    if (wanted.student_ids.empty())
      return message(&viewer, 400, "That could not be done", "Tick at least one student");
    if (wanted.student_ids.size() > k_max_students)
      return message(&viewer, 400, "That could not be done",
                     "Choose at most " + std::to_string(k_max_students) + " students at a time");
    const std::string action = field(*form, "action");
    if (action == "preview") {
      // Rendering the preview checks everything the backend checks (the
      // students are the course's, the text is printable), before the
      // confirm page promises anything.
      if (auto pdf = m_backend.award_preview_pdf(course, wanted, teacher); !pdf) return refused(pdf.error());
      auto choices = m_backend.issue_now_choices(course);
      if (!choices) return refused(choices.error());
      auto request_id = random_token_base64url(k_request_id_bytes);
      if (!request_id) return failure(&viewer, request_id.error());
      mustache::data students{mustache::data::type::list};
      std::string first;
      for (const std::string& id : wanted.student_ids)
        for (const IssueNowStudent& s : choices->students)
          if (s.id == id) {
            if (first.empty()) first = s.name;
            mustache::data row;
            row.set("id", s.id);
            row.set("name", s.name);
            students.push_back(row);
          }
      d.set("students", students);
      d.set("first_student", first);
      d.set("count_text", awards_text(wanted.student_ids.size()));
      d.set("award_title", wanted.title.empty() ? template_name(wanted.template_id) : wanted.title);
      d.set("template_name", template_name(wanted.template_id));
      d.set("template_id", wanted.template_id);
      d.set("title", wanted.title);
      if (!wanted.notes.empty()) d.set("notes", wanted.notes);
      d.set("request_id", *request_id);
      d.set("preview_url", here + "/preview.pdf?template=" + url_encode(wanted.template_id) +
                               "&student=" + url_encode(wanted.student_ids.front()) + "&title=" +
                               url_encode(wanted.title) + "&notes=" + url_encode(wanted.notes));
      return html(200, render_console_layout(frame, "Award: confirm", mustache::mustache(k_confirm).render(d)));
    }
    if (action != "issue") return message(&viewer, 400, "That could not be done", "Choose one of the form's buttons");
    auto outcome = m_backend.award(course, wanted, teacher);
    if (!outcome) return refused(outcome.error());
    std::vector<std::string> numbers;
    mustache::data issued{mustache::data::type::list};
    std::size_t fresh = 0;
    for (const AwardIssued& a : outcome->issued) {
      numbers.push_back(a.number);
      if (!a.already_issued) ++fresh;
      mustache::data row;
      row.set("name", a.student_name);
      row.set("number", a.number);
      row.set("verify_url", m_options.public_url + "/v/" + a.number);
      if (a.already_issued) row.set("already", mustache::data::type::bool_true);
      issued.push_back(row);
    }
    mustache::data failed{mustache::data::type::list};
    for (const std::string& f : outcome->failed) failed.push_back(mustache::data(f));
    record(viewer, "console.award", course,
           nlohmann::json{{"request", wanted.request_id}, {"template", wanted.template_id},
                          {"title", wanted.title}, {"students", wanted.student_ids}, {"numbers", numbers},
                          {"new", fresh}, {"failed", outcome->failed.size()}});
    d.set("issued", issued);
    if (!outcome->issued.empty()) d.set("has_issued", mustache::data::type::bool_true);
    d.set("failed", failed);
    if (!outcome->failed.empty()) d.set("has_failed", mustache::data::type::bool_true);
    std::string summary = fresh == 1 ? "1 award issued." : std::to_string(fresh) + " awards issued.";
    if (fresh < outcome->issued.size())
      summary += " " + std::to_string(outcome->issued.size() - fresh) + " had been issued by an earlier confirm.";
    d.set("summary", summary);
    return html(200, render_console_layout(frame, "Award", mustache::mustache(k_done).render(d)));
  }

  // GET: the form, filled again from the query when a teacher starts over.
  auto query = parse_form(request.query);
  if (!query) return failure(&viewer, query.error());
  auto choices = m_backend.issue_now_choices(course);
  if (!choices) return refused(choices.error());
  const std::vector<std::string> ticked = fields_named(*query, "student");
  mustache::data students{mustache::data::type::list};
  for (const IssueNowStudent& s : choices->students) {
    mustache::data row;
    row.set("id", s.id);
    row.set("name", s.name);
    if (contains(ticked, s.id)) row.set("checked", mustache::data::type::bool_true);
    students.push_back(row);
  }
  if (choices->students.empty()) d.set("no_students", mustache::data::type::bool_true);
  mustache::data options{mustache::data::type::list};
  for (const AwardTemplate& t : *templates) {
    mustache::data row;
    row.set("id", t.id);
    row.set("name", t.name);
    if (t.id == field(*query, "template")) row.set("selected", mustache::data::type::bool_true);
    options.push_back(row);
  }
  d.set("students", students);
  d.set("templates", options);
  d.set("title", field(*query, "title"));
  d.set("notes", field(*query, "notes"));
  return html(200, render_console_layout(frame, "Award", mustache::mustache(k_form).render(d)));
}

}  // namespace certd::console
