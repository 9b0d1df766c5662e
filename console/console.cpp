#include "console/console.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "console/api.hpp"
#include "console/console_pages.hpp"
#include "console/form.hpp"
#include "console/local_sign_in.hpp"
#include "console/sign_in_pages.hpp"
#include "core/log.hpp"
#include "core/time_format.hpp"
#include "portal/portal_assets.hpp"

namespace certd::console {
namespace {

using portal::Request;
using portal::Response;

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response see_other(const std::string& location) {
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.body = "See " + location + "\n";
  return r;
}

bool has_header(const Response& r, const std::string& name) {
  return std::any_of(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.first == name; });
}

// A pending id as the form sends it: digits only, no sign, no overflow.
std::optional<store::Id> parse_id(const std::string& text) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
  return std::strtoll(text.c_str(), nullptr, 10);
}

// Certificate numbers as links carry them: letters, digits and '-'.
bool plausible_number(const std::string& text) {
  return !text.empty() && text.size() <= 40 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

std::string status_of(const store::CertificateRow& row, std::int64_t now) {
  if (row.status == store::CertificateStatus::revoked) return "revoked";
  if (row.certificate.expires_at && *row.certificate.expires_at <= now) return "expired";
  return "valid";
}

}  // namespace

Console::Console(ConsoleOptions options, ConsoleBackend& backend, const Clock& clock, const lti::RsaKey& tool_key,
                 lti::KeyCache& platform_keys)
    : m_options(std::move(options)), m_backend(backend), m_clock(clock) {
  m_sessions = std::make_unique<Sessions>(backend, clock, m_options.sessions);
  LtiToolOptions lti_options;
  lti_options.public_url = m_options.public_url;
  lti_options.platforms = m_options.platforms;
  m_lti = std::make_unique<LtiTool>(
      lti_options, tool_key, platform_keys, backend, *m_sessions, clock,
      [this](const std::string&, int status, const std::string& text) {
        return message(nullptr, status, status == 401 ? "Not signed in" : "Sign-in refused", text);
      });
  m_sign_in = std::make_unique<LocalSignIn>(
      LocalSignInOptions{m_options.issuer_name, url_origin(m_options.public_url), m_options.sessions.secure}, backend,
      *m_sessions, clock);
  m_api = std::make_unique<Api>(backend, clock);
  m_frame_ancestors = "'self'";
  for (const lti::Platform& p : m_options.platforms) {
    std::string origin = url_origin(p.issuer);
    if (m_frame_ancestors.find(" " + origin) == std::string::npos) m_frame_ancestors += " " + origin;
  }
}

Console::~Console() = default;

bool Console::owns(const std::string& path) {
  return path == "/console" || starts_with(path, "/console/") || starts_with(path, "/lti/") || Api::owns(path);
}

Response Console::handle(const Request& request) const {
  Response r = route(request);
  auto set = [&](const std::string& name, const std::string& value) {
    if (!has_header(r, name)) r.headers.emplace_back(name, value);
  };
  // Nothing from elsewhere, and no script but the console's own live.js
  // (fetching its own pages); framing only by the LMSs that launch it.
  set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
                                 "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors " +
                                     m_frame_ancestors);
  set("Cache-Control", "no-store");
  // Not no-referrer: under it browsers send "Origin: null" with the
  // console's own forms, and the Origin check below would refuse them.
  // same-origin still tells other sites nothing.
  set("Referrer-Policy", "same-origin");
  set("X-Content-Type-Options", "nosniff");
  set("X-Robots-Tag", "noindex, nofollow");
  return r;
}

Frame Console::frame_for(const Viewer* viewer, const std::string& course, const std::string& active) const {
  Frame frame;
  frame.issuer = m_options.issuer_name;
  if (viewer) {
    frame.user = viewer->session.display_name;
    frame.csrf = viewer->session.csrf_token;
    auto identity = nlohmann::json::parse(viewer->session.identity, nullptr, false);
    if (identity.is_object() && identity.value("course", "") == course)
      frame.course_title = identity.value("course_title", "");
  }
  frame.course = course;
  frame.course_path = url_encode(course);
  frame.active = active;
  frame.teacher = viewer && viewer->is_teacher();
  if (!viewer) frame.teacher = true;  // no tabs at all
  return frame;
}

Response Console::message(const Viewer* viewer, int status, const std::string& title, const std::string& text) const {
  Frame frame = frame_for(viewer, "", "");
  std::string sentence = text;
  if (!sentence.empty() && sentence.back() != '.') sentence += '.';
  return html(status, render_console_message(frame, status, title, sentence));
}

Response Console::failure(const Viewer* viewer, const Error& e) const {
  switch (e.code()) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error: return message(viewer, 400, "That could not be done", e.message());
    case ErrorCode::not_found: return message(viewer, 404, "Not found", e.message());
    case ErrorCode::permission_denied: return message(viewer, 403, "Not allowed", e.message());
    case ErrorCode::conflict: return message(viewer, 409, "Changed meanwhile", e.message() + ". Reload the page");
    case ErrorCode::unavailable: return message(viewer, 503, "Busy right now", "Try again in a minute");
    case ErrorCode::internal: break;
  }
  CERTD_LOG_ERROR("console: internal error: {}", e.message());
  return message(viewer, 500, "Something went wrong", "The error was logged. Try again later");
}

Response Console::route(const Request& request) const {
  const std::string& path = request.path;
  if (path == k_console_stylesheet_path) {
    Response r;
    r.content_type = "text/css; charset=utf-8";
    r.body = std::string(console_stylesheet());
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return r;
  }
  if (path == k_console_live_script_path) {
    Response r;
    r.content_type = "text/javascript; charset=utf-8";
    r.body = std::string(console_live_script());
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return r;
  }
  if (Api::owns(path)) return m_api->handle(request);
  if (path == "/lti/jwks") return m_lti->jwks();
  if (path == "/lti/login" || path == "/lti/launch") {
    if (!m_lti->enabled()) return message(nullptr, 404, "Not found", "No LMS is registered to open the console");
    if (request.method != "GET" && request.method != "POST" && request.method != "HEAD")
      return message(nullptr, 405, "Not allowed here", "");
    return path == "/lti/login" ? m_lti->login(request) : m_lti->launch(request);
  }
  if (starts_with(path, "/lti/")) return message(nullptr, 404, "Not found", "");

  const bool is_post = request.method == "POST";
  if (!is_post && request.method != "GET" && request.method != "HEAD") {
    Response r = message(nullptr, 405, "Not allowed here", "");
    r.headers.emplace_back("Allow", "GET, HEAD, POST");
    return r;
  }
  if (path == "/console/login") return is_post ? m_sign_in->submit(request) : m_sign_in->form(request);
  auto found = m_sessions->viewer(request);
  if (!found) return failure(nullptr, found.error());
  if (!*found) {
    if (path == "/console/logout") return see_other("/");
    return message(nullptr, 401, "Not signed in",
                   "Open certd from the link in your course (sessions end after a while without use). The school "
                   "office signs in at /console/login");
  }
  const Viewer& viewer = **found;
  if (is_post) {
    // A form from another site is refused whatever it carries; the CSRF
    // token is checked by each form's handler.
    std::string origin = request.header("origin");
    if (!origin.empty() && origin != url_origin(m_options.public_url))
      return message(&viewer, 403, "Not allowed", "This form was sent from another site");
  }
  if (path == "/console/logout") {
    if (!is_post) return message(&viewer, 405, "Not allowed here", "Sign out with the button");
    Response r = see_other("/");
    r.headers.emplace_back("Set-Cookie", m_sessions->close(request));
    return r;
  }
  if (path == "/console" || path == "/console/") return entry(&viewer);
  if (path == "/console/me") {
    if (viewer.session.role != store::Role::student)
      return message(&viewer, 403, "Not allowed", "This page is for students");
    return my_certificates(viewer);
  }
  if (starts_with(path, "/console/me/") && path.size() > 16 && path.compare(path.size() - 4, 4, ".pdf") == 0) {
    if (viewer.session.role != store::Role::student)
      return message(&viewer, 403, "Not allowed", "This page is for students");
    return my_download(viewer, path.substr(12, path.size() - 16));
  }
  if (starts_with(path, "/console/course/")) {
    std::string course = path.substr(16);
    std::string sub;  // the course's page after the '/': "" (the queue), "issue-now"
    if (std::size_t slash = course.find('/'); slash != std::string::npos) {
      sub = course.substr(slash + 1);
      course.resize(slash);
    }
    if (course.empty()) return message(&viewer, 404, "Not found", "");
    if (!viewer.teaches(course))
      return message(&viewer, 403, "Not allowed",
                     viewer.is_teacher() ? "You are not a teacher of this course in the LMS"
                                         : "This page is for the course's teachers");
    if (sub == "issue-now") return issue_now_page(request, viewer, course);
    if (sub == "certificates" || starts_with(sub, "certificates/")) return issued_page(request, viewer, course, sub);
    if (sub == "batches" || starts_with(sub, "batches/")) return batches_page(request, viewer, course, sub);
    if (sub == "award" || sub == "award/preview.pdf") return award_page(request, viewer, course, sub);
    if (sub == "reports" || starts_with(sub, "reports/")) return reports_page(request, viewer, course, sub);
    if (!sub.empty()) return message(&viewer, 404, "Not found", "");
    return this->course(request, viewer, course);
  }
  return message(&viewer, 404, "Not found", "");
}

void Console::record(const Viewer& viewer, const std::string& action, const std::string& subject,
                     const nlohmann::json& details) const {
  // Who acted as the LMS knows them (issuer#sub, or local:NAME) and by the
  // name they were shown; the actions' own records carry the name only.
  nlohmann::json entry = details;
  entry["by"] = viewer.session.display_name;
  Status written = m_backend.audit({viewer.session.user_key, action, subject, entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                     to_unix(m_clock.now())});
  if (!written) CERTD_LOG_WARN("console: could not write the audit log: {}", written.error().message());
}

Response Console::entry(const Viewer* viewer) const {
  if (viewer->session.role == store::Role::student) return see_other("/console/me");
  if (viewer->session.courses.size() == 1) return see_other("/console/course/" + url_encode(viewer->session.courses[0]));
  // An admin chooses among the courses the rules name; a teacher with
  // several courses (a local account) among theirs.
  std::vector<std::string> courses =
      viewer->session.role == store::Role::admin ? m_backend.rule_courses() : viewer->session.courses;
  std::vector<CourseLink> links;
  for (const std::string& c : courses) links.push_back({c, "/console/course/" + url_encode(c)});
  return html(200, render_course_choice(frame_for(viewer, "", ""), links));
}

Response Console::course(const Request& request, const Viewer& viewer, const std::string& course) const {
  QueuePage page;
  page.csrf = viewer.session.csrf_token;
  if (request.method == "POST") {
    auto form = parse_form(request.body);
    if (!form) return failure(&viewer, form.error());
    if (!csrf_matches(viewer, field(*form, "csrf")))
      return message(&viewer, 403, "Not allowed", "This form has expired. Reload the page and try again");
    std::vector<store::Id> ids;
    for (const std::string& text : fields_named(*form, "id")) {
      auto id = parse_id(text);
      if (!id) return message(&viewer, 400, "That could not be done", "The form named a row that does not exist");
      ids.push_back(*id);
    }
    std::string action = field(*form, "action");
    if (ids.empty()) {
      page.notice = "No rows were ticked: nothing was done.";
    } else if (action == "approve") {
      auto outcome = m_backend.approve(course, ids, field(*form, "notes"), viewer.session.display_name);
      if (!outcome) return failure(&viewer, outcome.error());
      page.issued = outcome->issued;
      page.failed = outcome->failed;
      page.notice = std::to_string(outcome->issued.size()) +
                    (outcome->issued.size() == 1 ? " certificate issued." : " certificates issued.");
      record(viewer, "console.approve", course,
             nlohmann::json{{"rows", ids}, {"issued", outcome->issued}, {"failed", outcome->failed.size()}});
    } else if (action == "hold") {
      if (Status held = m_backend.hold(course, ids, viewer.session.display_name); !held)
        return failure(&viewer, held.error());
      record(viewer, "console.hold", course, nlohmann::json{{"rows", ids}});
      page.notice = std::to_string(ids.size()) + (ids.size() == 1 ? " row put on hold." : " rows put on hold.");
    } else {
      return message(&viewer, 400, "That could not be done", "Choose one of the form's buttons");
    }
  }
  auto entries = m_backend.queue(course);
  if (!entries) return failure(&viewer, entries.error());
  for (const QueueEntry& e : *entries) {
    QueueRow row{std::to_string(e.id), e.student_name, e.certificate, format_date(from_unix(e.since)), e.reason};
    (e.held ? page.held : page.open).push_back(std::move(row));
  }
  return html(200, render_queue_page(frame_for(&viewer, course, "queue"), page));
}

Response Console::my_certificates(const Viewer& viewer) const {
  auto rows = m_backend.certificates_of(viewer.student_id);
  if (!rows) return failure(&viewer, rows.error());
  std::int64_t now = to_unix(m_clock.now());
  std::vector<StudentCertificate> list;
  for (const store::CertificateRow& row : *rows) {
    const store::NewCertificate& c = row.certificate;
    StudentCertificate view;
    view.number = c.number;
    view.title = c.title.empty() ? c.course : c.title;
    view.issued_on = format_date(from_unix(c.issued_at));
    view.status = status_of(row, now);
    view.status_text = view.status == "valid" ? "Valid" : view.status == "expired" ? "Expired" : "Revoked";
    if (view.status != "revoked") view.download_url = "/console/me/" + c.number + ".pdf";
    view.verify_url = m_options.public_url + "/v/" + c.number;
    list.push_back(std::move(view));
  }
  return html(200, render_my_certificates(frame_for(&viewer, "", "me"), list));
}

Response Console::my_download(const Viewer& viewer, const std::string& number) const {
  if (!plausible_number(number)) return message(&viewer, 404, "Not found", "No such certificate");
  auto row = m_backend.certificate(number);
  if (!row) return failure(&viewer, row.error());
  // Someone else's certificate gets the same answer as one that does not
  // exist.
  if (!*row || (*row)->certificate.student_id != viewer.student_id || viewer.student_id.empty())
    return message(&viewer, 404, "Not found", "No such certificate");
  if ((*row)->status == store::CertificateStatus::revoked)
    return message(&viewer, 410, "Revoked", "This certificate was revoked and can no longer be downloaded");
  auto bytes = m_backend.pdf_bytes(**row);
  if (!bytes) return failure(&viewer, bytes.error());
  Response r;
  r.content_type = "application/pdf";
  r.body = std::move(*bytes);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + number + ".pdf\"");
  return r;
}

}  // namespace certd::console
