// The "Issued" tab of a course: its certificates, searchable, and one
// certificate with its e-mails and what a teacher may do with it —
// download, reissue, revoke, resend the e-mail.
//
//   GET  /console/course/{c}/certificates?q=TEXT   the list (newest first)
//   GET  /console/course/{c}/certificates/{number}  one certificate
//   POST /console/course/{c}/certificates/{number}  action=revoke|reissue|resend
//   GET  /console/course/{c}/certificates/{number}.pdf
//
// Console::route has checked that the viewer teaches {c}; the backend
// scopes every number to {c} (another course's is not_found), so a number
// typed into the address bar reaches nothing outside the course.
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <cctype>

#include "console/certificate_text.hpp"
#include "console/console.hpp"
#include "console/console_pages.hpp"
#include "console/form.hpp"
#include "core/time_format.hpp"

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;
using portal::Request;
using portal::Response;

constexpr std::size_t k_shown = 200;  // rows a list shows; a search finds the rest

constexpr const char* k_list = R"html(<h1>Issued certificates</h1>
<p class="lead">{{course_title}}: every certificate issued in this course, newest first.</p>
<form method="get" action="{{action}}" class="search" role="search">
<label for="q">Search by certificate number, student name or student id</label>
<div class="field"><input type="search" id="q" name="q" value="{{q}}" maxlength="200">
<button type="submit">Search</button></div>
</form>
{{#any}}<div class="table-wrap"><table class="stack">
<caption class="visually-hidden">{{caption}}</caption>
<thead><tr><th scope="col">Number</th><th scope="col">Student</th><th scope="col">Certificate</th><th scope="col">Issued on</th><th scope="col">Status</th><th scope="col">Kind</th></tr></thead>
<tbody>
{{#rows}}<tr><td data-label="Number"><a class="mono" href="{{href}}">{{number}}</a></td><td data-label="Student">{{student}}</td>
<td data-label="Certificate">{{title}}</td><td data-label="Issued on">{{issued_on}}</td>
<td data-label="Status"><span class="badge {{status}}">{{status_text}}</span></td><td data-label="Kind">{{kind}}</td></tr>
{{/rows}}</tbody></table></div>
{{#more}}<p class="hint" role="status">{{more}}</p>{{/more}}{{/any}}
{{^any}}<div class="card"><p>{{empty}}</p></div>{{/any}}
)html";

constexpr const char* k_detail = R"html(<p class="eyebrow"><a href="{{list}}">Back to issued certificates</a></p>
{{#notice}}<div class="notice" role="status"><p>{{notice}}</p>
{{#new_href}}<p><a href="{{new_href}}">Open the new certificate <span class="mono">{{new_number}}</span></a></p>{{/new_href}}</div>{{/notice}}
<article class="card">
<p class="eyebrow">Certificate <span class="mono">{{number}}</span></p>
<h1 class="certificate-title">{{title}}</h1>
<p><span class="badge {{status}}">{{status_text}}</span></p>
{{#revoked_because}}<p class="notice-revoked">The verification page says it was revoked: {{revoked_because}}.</p>{{/revoked_because}}
<dl>
<dt>Student</dt><dd>{{student}}<br><span class="hint">Student id <span class="mono">{{student_id}}</span></span></dd>
{{#course}}<dt>Course</dt><dd>{{course}}</dd>{{/course}}
<dt>Issued on</dt><dd>{{issued_on}}</dd>
{{#expires_on}}<dt>Expires on</dt><dd>{{expires_on}}</dd>{{/expires_on}}
<dt>Kind</dt><dd>{{kind}}</dd>
{{#teacher}}<dt>Teacher</dt><dd>{{teacher}}</dd>{{/teacher}}
{{#requested_by}}<dt>Requested by</dt><dd>{{requested_by}}</dd>{{/requested_by}}
{{#notes}}<dt>Notes</dt><dd class="notes">{{notes}}</dd>{{/notes}}
{{#revoke_note}}<dt>Why it was revoked</dt><dd>{{revoke_note}}<br><span class="hint">The school's own note: never shown publicly.</span></dd>{{/revoke_note}}
</dl>
<div class="actions">{{#download}}<a class="button" href="{{download}}" download>Download PDF</a>{{/download}}
<a class="button secondary" href="{{verify_url}}">Verification page</a></div>
</article>
<section class="card" aria-labelledby="deliveries">
<h2 id="deliveries">E-mails</h2>
{{#any_delivery}}<div class="table-wrap"><table class="stack">
<caption class="visually-hidden">E-mails about certificate {{number}}</caption>
<thead><tr><th scope="col">Recipient</th><th scope="col">Channel</th><th scope="col">Status</th><th scope="col">When</th><th scope="col">The mail server's reply</th></tr></thead>
<tbody>
{{#deliveries}}<tr><td data-label="Recipient"><span>{{recipient}} <span class="hint">({{role}})</span></span></td><td data-label="Channel">{{channel}}</td>
<td data-label="Status"><span>{{status}}{{#resends}} <span class="hint">({{resends}})</span>{{/resends}}</span></td><td data-label="When">{{when}}</td>
<td data-label="Reply"><span class="reply">{{reply}}</span></td></tr>
{{/deliveries}}</tbody></table></div>
<form method="post" action="{{action}}"><input type="hidden" name="csrf" value="{{csrf}}">
<button type="submit" name="action" value="resend" class="secondary">Resend e-mail</button>
<p class="hint">E-mails that were sent and not yet opened are sent again, at most three times each.</p></form>{{/any_delivery}}
{{^any_delivery}}<p>No e-mail was sent about this certificate.</p>{{/any_delivery}}
</section>
{{#can_reissue}}<section class="card" aria-labelledby="reissue">
<h2 id="reissue">Reissue</h2>
<p>Issues it again under a new number with the same details and expiry date{{#valid}}, and revokes this one as replaced{{/valid}}. Whoever got this one by e-mail gets the new one.</p>
<form method="post" action="{{action}}"><input type="hidden" name="csrf" value="{{csrf}}">
<button type="submit" name="action" value="reissue">Reissue certificate</button></form>
</section>{{/can_reissue}}
{{#can_revoke}}<section class="card" aria-labelledby="revoke">
<h2 id="revoke">Revoke</h2>
<form method="post" action="{{action}}"><input type="hidden" name="csrf" value="{{csrf}}">
<fieldset><legend>What the verification page will say</legend>
<label class="choice"><input type="radio" name="category" value="error" required> Issued in error</label>
<label class="choice"><input type="radio" name="category" value="replaced"> Replaced by a new certificate</label>
<label class="choice"><input type="radio" name="category" value="withdrawn"> Withdrawn by the school</label>
</fieldset>
<label for="reason">Reason (required)</label>
<input type="text" class="plain" id="reason" name="reason" maxlength="200" required aria-describedby="reason-hint">
<p class="hint" id="reason-hint">Kept for the school and recorded with your name; never shown publicly.</p>
<div class="actions"><button type="submit" name="action" value="revoke" class="danger">Revoke certificate</button></div>
</form>
</section>{{/can_revoke}}
)html";

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Certificate numbers as links carry them: letters, digits and '-'.
bool plausible_number(const std::string& text) {
  return !text.empty() && text.size() <= 40 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

// What the public is told (portal/portal.cpp public_reason).
std::string public_reason(const store::CertificateRow& row) {
  switch (row.revoke_category.value_or(store::RevocationCategory::withdrawn)) {
    case store::RevocationCategory::issued_in_error: return "issued in error";
    case store::RevocationCategory::replaced: return "replaced by a new certificate";
    case store::RevocationCategory::withdrawn: break;
  }
  return "withdrawn by the school";
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Response Console::issued_page(const Request& request, const Viewer& viewer, const std::string& course,
                              const std::string& sub) const {
  const std::string base = "/console/course/" + url_encode(course) + "/certificates";
  const bool is_post = request.method == "POST";
  const std::int64_t now = to_unix(m_clock.now());
  Frame frame = frame_for(&viewer, course, "certificates");

  if (sub == "certificates") {
    if (is_post) return message(&viewer, 405, "Not allowed here", "");
    auto query_fields = parse_form(request.query);
    if (!query_fields) return failure(&viewer, query_fields.error());
    const std::string q = field(*query_fields, "q");
    auto list = m_backend.course_certificates(course, q, k_shown);
    if (!list) return failure(&viewer, list.error());
    mustache::data rows{mustache::data::type::list};
    for (const store::CertificateRow& row : list->shown) {
      const store::NewCertificate& c = row.certificate;
      std::string status = status_of(row, now);
      mustache::data d;
      d.set("number", c.number);
      d.set("href", base + "/" + c.number);
      d.set("student", c.student_name);
      d.set("title", title_of(c));
      d.set("issued_on", format_date(from_unix(c.issued_at)));
      d.set("status", status);
      d.set("status_text", status_text(row, status));
      d.set("kind", kind_text(c.kind));
      rows.push_back(d);
    }
    mustache::data d;
    d.set("course_title", frame.course_title.empty() ? course : frame.course_title);
    d.set("action", base);
    d.set("q", q);
    d.set("rows", rows);
    d.set("caption", q.empty() ? "Certificates of this course" : "Certificates matching the search");
    if (!list->shown.empty()) d.set("any", mustache::data::type::bool_true);
    d.set("empty", q.empty() ? "No certificates have been issued in this course yet."
                             : "No certificate of this course matches \u201c" + q + "\u201d.");
    if (list->matched > list->shown.size())
      d.set("more", "Showing the newest " + std::to_string(list->shown.size()) + " of " +
                        plural(list->matched, "match", "matches") + ": " +
                        std::to_string(list->matched - list->shown.size()) +
                        " more matched. Search for a number or a name to find them.");
    return html(200, render_console_layout(frame, "Issued certificates", mustache::mustache(k_list).render(d)));
  }

  std::string number = sub.substr(std::string("certificates/").size());
  const bool pdf = ends_with(number, ".pdf");
  if (pdf) number.resize(number.size() - 4);
  if (!plausible_number(number)) return message(&viewer, 404, "Not found", "No such certificate in this course");
  const std::string here = base + "/" + number;

  if (pdf) {
    if (is_post) return message(&viewer, 405, "Not allowed here", "");
    auto detail = m_backend.certificate_detail(course, number);
    if (!detail) return failure(&viewer, detail.error());
    // A revoked certificate's file would still look valid: it stays here.
    if (detail->row.status == store::CertificateStatus::revoked)
      return message(&viewer, 410, "Revoked", "This certificate was revoked and can no longer be downloaded");
    auto bytes = m_backend.pdf_bytes(detail->row);
    if (!bytes) return failure(&viewer, bytes.error());
    Response r;
    r.content_type = "application/pdf";
    r.body = std::move(*bytes);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + number + ".pdf\"");
    return r;
  }

  std::string notice;
  std::string new_number;
  if (is_post) {
    auto form = parse_form(request.body);
    if (!form) return failure(&viewer, form.error());
    if (!csrf_matches(viewer, field(*form, "csrf")))
      return message(&viewer, 403, "Not allowed", "This form has expired. Reload the page and try again");
    const ConsoleActor teacher{viewer.session.user_key, viewer.session.display_name};
    const std::string action = field(*form, "action");
    if (action == "revoke") {
      auto category = store::parse_revocation_category(field(*form, "category"));
      if (!category)
        return message(&viewer, 400, "That could not be done", "Choose what the verification page will say");
      const std::string reason = field(*form, "reason");
      if (blank(reason))
        return message(&viewer, 400, "That could not be done",
                       "Give a reason: it is kept for the school and never shown publicly");
      if (Status revoked = m_backend.revoke(course, number, *category, reason, teacher); !revoked)
        return failure(&viewer, revoked.error());
      notice = "Certificate " + number + " is revoked. Its verification page now says so.";
    } else if (action == "reissue") {
      auto reissued = m_backend.reissue(course, number, teacher);
      if (!reissued) return failure(&viewer, reissued.error());
      new_number = *reissued;
      notice = "Reissued as " + new_number + ".";
    } else if (action == "resend") {
      auto resent = m_backend.resend(course, number, teacher);
      if (!resent) return failure(&viewer, resent.error());
      notice = plural(static_cast<std::size_t>(resent->queued), "e-mail", "e-mails") + " queued to be sent again";
      if (resent->skipped > 0)
        notice += "; " + std::to_string(resent->skipped) +
                  " not (not sent yet, already opened, or sent again three times already)";
      notice += ".";
    } else {
      return message(&viewer, 400, "That could not be done", "Choose one of the page's buttons");
    }
  }

  auto detail = m_backend.certificate_detail(course, number);
  if (!detail) return failure(&viewer, detail.error());
  const store::CertificateRow& row = detail->row;
  const store::NewCertificate& c = row.certificate;
  const std::string status = status_of(row, now);
  mustache::data d;
  d.set("list", base);
  d.set("action", here);
  d.set("csrf", viewer.session.csrf_token);
  if (!notice.empty()) d.set("notice", notice);
  if (!new_number.empty()) {
    d.set("new_number", new_number);
    d.set("new_href", base + "/" + new_number);
  }
  d.set("number", c.number);
  d.set("title", title_of(c));
  d.set("status", status);
  d.set("status_text", status_text(row, status));
  if (status == "revoked") d.set("revoked_because", public_reason(row));
  d.set("student", c.student_name);
  d.set("student_id", c.student_id);
  if (!c.course.empty() && c.course != title_of(c)) d.set("course", c.course);
  d.set("issued_on", format_date(from_unix(c.issued_at)));
  if (status == "valid" && c.expires_at) d.set("expires_on", format_date(from_unix(*c.expires_at)));
  d.set("kind", kind_text(c.kind));
  if (!c.teacher.empty()) d.set("teacher", c.teacher);
  if (!c.requested_by.empty()) d.set("requested_by", c.requested_by);
  if (!c.notes.empty()) d.set("notes", c.notes);
  if (status == "revoked" && !row.revoke_reason.empty()) d.set("revoke_note", row.revoke_reason);
  if (status != "revoked") d.set("download", here + ".pdf");
  d.set("verify_url", m_options.public_url + "/v/" + c.number);
  mustache::data deliveries{mustache::data::type::list};
  for (const store::NotificationRow& n : detail->deliveries) {
    mustache::data e;
    e.set("recipient", n.recipient);
    e.set("role", n.role);
    e.set("channel", "E-mail");
    e.set("status", delivery_status(n));
    if (n.resend_count > 0) e.set("resends", plural(static_cast<std::size_t>(n.resend_count), "resend", "resends"));
    e.set("when", when_text(n.claimed_at ? n.claimed_at : n.sent_at));
    e.set("reply", n.server_reply);
    deliveries.push_back(e);
  }
  d.set("deliveries", deliveries);
  if (!detail->deliveries.empty()) d.set("any_delivery", mustache::data::type::bool_true);
  // A certificate revoked as replaced has its successor already: that one
  // is reissued, if anything.
  const bool replaced = status == "revoked" && row.revoke_category == store::RevocationCategory::replaced;
  if (!replaced) d.set("can_reissue", mustache::data::type::bool_true);
  if (row.status != store::CertificateStatus::revoked) {
    d.set("valid", mustache::data::type::bool_true);
    d.set("can_revoke", mustache::data::type::bool_true);
  }
  return html(200, render_console_layout(frame, "Certificate " + c.number, mustache::mustache(k_detail).render(d)));
}

}  // namespace certd::console
