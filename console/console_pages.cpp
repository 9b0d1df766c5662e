#include "console/console_pages.hpp"

#include <kainjow/mustache.hpp>

#include "portal/portal_assets.hpp"

namespace certd::console {
namespace {

namespace mustache = kainjow::mustache;

// `content` is rendered by the templates below (values escaped there);
// it is the only triple mustache besides the icon.
constexpr const char* k_layout = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
{{#refresh}}<script src="{{live_js}}" defer></script>{{/refresh}}
<title>{{title}} · {{issuer}}</title>
<link rel="stylesheet" href="{{portal_css}}"><link rel="stylesheet" href="{{console_css}}">
<link rel="icon" href="{{icon}}" type="image/svg+xml">
</head><body class="console">
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="wrap"><span class="brand">{{{icon_svg}}}<span>{{issuer}}</span></span>
{{#user}}<div class="who"><span class="tagline">Signed in as {{user}}</span>
{{#csrf}}<form method="post" action="/console/logout" class="signout"><input type="hidden" name="csrf" value="{{csrf}}">
<button type="submit" class="link">Sign out</button></form>{{/csrf}}</div>{{/user}}{{^user}}<span class="tagline">Teacher console</span>{{/user}}</div></header>
{{#has_tabs}}<nav class="tabs" aria-label="Console"><div class="wrap"><ul>
{{#tabs}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/tabs}}
</ul></div></nav>{{/has_tabs}}
<main id="main" class="wrap"{{#refresh}} data-refresh="{{refresh}}"{{/refresh}}>
{{{content}}}
</main>
{{#user}}<footer class="wrap"><p>{{footer}}</p></footer>{{/user}}
</body></html>
)html";

constexpr const char* k_queue = R"html(<h1>Certificates to be issued</h1>
<p class="lead">{{course_title}}: students whose certificates wait for a teacher. Ticked rows are issued when you start; unticked rows stay in the queue.</p>
{{#notice}}<div class="notice" role="status"><p>{{notice}}</p>
{{#has_issued}}<p>Issued: {{#issued}}<span class="mono">{{.}}</span> {{/issued}}</p>{{/has_issued}}
{{#has_failed}}<p class="error-text">Not issued (still in the queue):</p><ul>{{#failed}}<li>{{.}}</li>{{/failed}}</ul>{{/has_failed}}
</div>{{/notice}}
{{#any}}<form method="post" action="{{action}}">
<input type="hidden" name="csrf" value="{{csrf}}">
<div class="table-wrap"><table>
<caption class="visually-hidden">Certificates waiting for approval</caption>
<thead><tr><th scope="col">Issue</th><th scope="col">Student</th><th scope="col">Certificate</th><th scope="col">Waiting since</th><th scope="col">Why it waits</th></tr></thead>
<tbody>
{{#open}}<tr><td><input type="checkbox" name="id" value="{{id}}" id="row-{{id}}" checked></td>
<td><label for="row-{{id}}">{{student}}</label></td><td>{{certificate}}</td><td>{{since}}</td><td>{{reason}}</td></tr>
{{/open}}{{#held}}<tr class="held"><td><input type="checkbox" name="id" value="{{id}}" id="row-{{id}}"></td>
<td><label for="row-{{id}}">{{student}}</label> <span class="badge held">On hold</span></td><td>{{certificate}}</td><td>{{since}}</td><td>{{reason}}</td></tr>
{{/held}}</tbody></table></div>
<label for="notes">Notes printed on the certificates (optional)</label>
<textarea id="notes" name="notes" rows="3" maxlength="2000"></textarea>
<div class="actions"><button type="submit" name="action" value="approve">Start certificate generation</button>
<button type="submit" name="action" value="hold" class="secondary">Hold ticked rows</button></div>
</form>{{/any}}
{{^any}}<div class="card"><p>No certificates are waiting for approval in this course.</p></div>{{/any}}
)html";

constexpr const char* k_mine = R"html(<h1>My certificates</h1>
<p class="lead">Download a certificate as a PDF, or share its verification page with anyone who needs to check it.</p>
{{#certificates}}<article class="card">
<h2>{{title}}</h2>
<span class="badge {{status}}">{{status_text}}</span>
<dl><dt>Number</dt><dd class="mono">{{number}}</dd><dt>Issued on</dt><dd>{{issued_on}}</dd></dl>
<div class="actions">{{#download_url}}<a class="button" href="{{download_url}}" download>Download PDF<span class="visually-hidden"> of certificate {{number}}</span></a>{{/download_url}}
<a class="button secondary" href="{{verify_url}}">Verification page<span class="visually-hidden"> of certificate {{number}}</span></a></div>
<p class="hint">Share link: <span class="mono share">{{verify_url}}</span></p>
</article>{{/certificates}}{{^certificates}}<div class="card"><p>You have no certificates yet.</p></div>{{/certificates}}
)html";

constexpr const char* k_message = R"html(<div class="card">
<p class="eyebrow">{{#error}}Error {{status}}{{/error}}</p><h1>{{title}}</h1>
<p>{{message}}</p>
</div>
)html";

constexpr std::string_view k_css = R"css(.skip{position:absolute;left:-999px}.skip:focus{left:12px;top:12px;background:#fff;padding:8px;z-index:2}
body.console .wrap{max-width:1040px}
.tabs{background:#fff;border-bottom:1px solid #d9e1ea}
.tabs ul{display:flex;flex-wrap:wrap;gap:4px 20px;list-style:none;margin:0;padding:0}
.tabs a{display:inline-block;padding:12px 2px;color:#1b2a41;text-decoration:none;font-weight:600;border-bottom:3px solid transparent}
.tabs a[aria-current=page]{border-bottom-color:#1f5fa8;color:#1f5fa8}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid #d9e1ea;border-radius:12px;margin-bottom:20px}
table{border-collapse:collapse;width:100%;font-size:15px}
th,td{text-align:left;padding:10px 12px;border-bottom:1px solid #e3e9f0;vertical-align:top}
th{background:#f3f6fa;color:#1b2a41}
td label{font-weight:600;display:inline;margin:0}
tr.held td{background:#fbfcfe}
input[type=checkbox]{width:22px;height:22px}
textarea{display:block;width:100%;font:inherit;padding:10px 12px;border:2px solid #6b7a8f;border-radius:8px;margin-bottom:8px}
button.secondary{background:#fff;color:#1f5fa8}
.badge.held{background:#eceff3;color:#3c4a5e;font-size:13px}
.notice{background:#e8f1fb;border:1px solid #b9d3ee;border-radius:12px;padding:16px 20px;margin-bottom:20px}
.share{overflow-wrap:anywhere}
.who{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
.signout{margin:0}
button.link{background:none;border:0;padding:4px 0;color:#fff;text-decoration:underline;font-weight:400;font-size:14px}
.narrow{max-width:480px;margin:0 auto}
.narrow input[type=text],.narrow input[type=password]{display:block;width:100%;font:inherit;font-size:18px;padding:10px 12px;border:2px solid #6b7a8f;border-radius:8px;margin-bottom:16px;text-transform:none}
.notice.error{background:#fdecec;border-color:#e6a3a3;color:#7a1414}
.course-list{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px}
select{display:block;width:100%;max-width:520px;font:inherit;font-size:17px;padding:10px 12px;border:2px solid #6b7a8f;border-radius:8px;background:#fff;color:#1b2a41;margin-bottom:16px}
select:focus-visible{outline:3px solid #1f5fa8;outline-offset:2px}
.preview dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0 0 12px}
.preview dt{font-weight:700}.preview dd{margin:0}
.card>dl:first-child{border-top:0;padding-top:0}
.unmet li{margin-bottom:4px}
progress.batch{display:block;width:100%;height:14px;margin-top:8px}
/* Issued certificates (issued_page.cpp) */
input[type=search],input.plain{display:block;flex:1 1 260px;min-width:0;width:100%;max-width:520px;font:inherit;font-size:17px;padding:10px 12px;border:2px solid #6b7a8f;border-radius:8px;color:#1b2a41;background:#fff;text-transform:none}
.search{margin-bottom:20px}
fieldset{border:0;padding:0;margin:0 0 16px}
legend{font-weight:700;margin-bottom:6px}
label.choice{font-weight:400;display:flex;align-items:center;gap:10px;margin:6px 0}
input[type=radio]{width:20px;height:20px}
button.danger{background:#9b1c1c;border-color:#9b1c1c}
.notes{white-space:pre-line}
fieldset.students{margin-top:20px} /* ad-hoc awards (award_page.cpp) */
.reply{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:13px;overflow-wrap:anywhere}
/* Reports (reports_page.cpp): each table's heading with its CSV link */
.report-head{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px 16px;margin:32px 0 12px}
.report-head h2{margin:0}
.report td a.mono{white-space:nowrap}
@media (max-width:640px){
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack tr{display:block;border-bottom:1px solid #d9e1ea;padding:8px 0}
table.stack td{display:grid;grid-template-columns:7.5em 1fr;justify-items:start;gap:8px;border:0;padding:4px 12px}
table.stack td::before{content:attr(data-label);font-weight:700;color:#4a5a70}
}
)css";

constexpr const char* k_footer = "Every action here is recorded with your name.";

mustache::data tab(const std::string& href, const std::string& label, bool current) {
  mustache::data d;
  d.set("href", href);
  d.set("label", label);
  if (current) d.set("current", mustache::data::type::bool_true);
  return d;
}

std::string page(const Frame& frame, const std::string& title, const std::string& content) {
  mustache::data d;
  d.set("issuer", frame.issuer);
  d.set("title", title);
  if (frame.refresh_seconds > 0) {
    d.set("refresh", std::to_string(frame.refresh_seconds));
    d.set("live_js", std::string(k_console_live_script_path));
  }
  if (!frame.user.empty()) d.set("user", frame.user);
  if (!frame.csrf.empty()) d.set("csrf", frame.csrf);
  d.set("portal_css", std::string(portal::k_stylesheet_path));
  d.set("console_css", std::string(k_console_stylesheet_path));
  d.set("icon", std::string(portal::k_icon_path));
  d.set("icon_svg", std::string(portal::portal_icon_svg()));
  mustache::data tabs{mustache::data::type::list};
  if (frame.teacher && !frame.course.empty()) {
    tabs.push_back(tab("/console/course/" + frame.course_path, "To be issued", frame.active == "queue"));
    tabs.push_back(tab("/console/course/" + frame.course_path + "/issue-now", "Issue now", frame.active == "issue-now"));
    tabs.push_back(tab("/console/course/" + frame.course_path + "/certificates", "Issued",
                       frame.active == "certificates"));
    tabs.push_back(tab("/console/course/" + frame.course_path + "/award", "Award", frame.active == "award"));
    tabs.push_back(tab("/console/course/" + frame.course_path + "/batches", "Batches", frame.active == "batches"));
    tabs.push_back(tab("/console/course/" + frame.course_path + "/reports", "Reports", frame.active == "reports"));
  } else if (!frame.teacher) {
    tabs.push_back(tab("/console/me", "My certificates", frame.active == "me"));
  }
  if (!tabs.is_empty_list()) d.set("has_tabs", mustache::data::type::bool_true);
  d.set("tabs", tabs);
  d.set("content", content);
  d.set("footer", frame.teacher ? k_footer : "This page is yours: only you see it after signing in to your course.");
  return mustache::mustache(k_layout).render(d);
}

mustache::data strings(const std::vector<std::string>& values) {
  mustache::data list{mustache::data::type::list};
  for (const std::string& v : values) list.push_back(mustache::data(v));
  return list;
}

mustache::data rows(const std::vector<QueueRow>& values) {
  mustache::data list{mustache::data::type::list};
  for (const QueueRow& r : values) {
    mustache::data d;
    d.set("id", r.id);
    d.set("student", r.student);
    d.set("certificate", r.certificate);
    d.set("since", r.since);
    d.set("reason", r.reason);
    list.push_back(d);
  }
  return list;
}

}  // namespace

std::string_view console_stylesheet() { return k_css; }

// A page with data-refresh on <main> (a running batch) fetches itself every
// that many seconds and swaps in its #live part, until the new page has no
// data-refresh. Only #live: a form the teacher is filling in stays as it
// is. Without script the page says how to refresh it. A meta refresh
// would do the same without script, but reloading a page on a timer fails
// WCAG 2.2.1 (axe: meta-refresh, critical).
constexpr const char* k_live_js = R"js((function () {
  "use strict";
  var main = document.getElementById("main");
  var seconds = main ? Number(main.getAttribute("data-refresh")) : 0;
  if (!seconds) return;
  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var live = document.getElementById("live");
    var fresh = next.getElementById("live");
    if (live && fresh) live.innerHTML = fresh.innerHTML;
    var nextMain = next.getElementById("main");
    return nextMain ? Number(nextMain.getAttribute("data-refresh")) : 0;
  }
  function tick() {
    fetch(location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.text() : Promise.reject(answer.status); })
      .then(function (html) {
        var again = swap(html);
        if (again) setTimeout(tick, again * 1000);
        else main.removeAttribute("data-refresh");
      })
      .catch(function () { setTimeout(tick, seconds * 1000); });
  }
  setTimeout(tick, seconds * 1000);
})();
)js";

std::string_view console_live_script() { return k_live_js; }

std::string render_queue_page(const Frame& frame, const QueuePage& p) {
  mustache::data d;
  d.set("course_title", frame.course_title.empty() ? frame.course : frame.course_title);
  d.set("action", "/console/course/" + frame.course_path);
  d.set("csrf", p.csrf);
  d.set("open", rows(p.open));
  d.set("held", rows(p.held));
  if (!p.open.empty() || !p.held.empty()) d.set("any", mustache::data::type::bool_true);
  if (!p.notice.empty()) d.set("notice", p.notice);
  d.set("issued", strings(p.issued));
  d.set("failed", strings(p.failed));
  if (!p.issued.empty()) d.set("has_issued", mustache::data::type::bool_true);
  if (!p.failed.empty()) d.set("has_failed", mustache::data::type::bool_true);
  return page(frame, "Certificates to be issued", mustache::mustache(k_queue).render(d));
}

std::string render_my_certificates(const Frame& frame, const std::vector<StudentCertificate>& certificates) {
  mustache::data list{mustache::data::type::list};
  for (const StudentCertificate& c : certificates) {
    mustache::data d;
    d.set("number", c.number);
    d.set("title", c.title);
    d.set("issued_on", c.issued_on);
    d.set("status", c.status);
    d.set("status_text", c.status_text);
    if (!c.download_url.empty()) d.set("download_url", c.download_url);
    d.set("verify_url", c.verify_url);
    list.push_back(d);
  }
  mustache::data d;
  d.set("certificates", list);
  return page(frame, "My certificates", mustache::mustache(k_mine).render(d));
}

std::string render_console_layout(const Frame& frame, const std::string& title, const std::string& content) {
  return page(frame, title, content);
}

std::string render_console_message(const Frame& frame, int status, const std::string& title,
                                   const std::string& message) {
  mustache::data d;
  d.set("status", std::to_string(status));
  if (status >= 400) d.set("error", mustache::data::type::bool_true);
  d.set("title", title);
  d.set("message", message);
  return page(frame, title, mustache::mustache(k_message).render(d));
}

std::string render_console_page(const Frame& frame, const std::string& title, const std::string& content_html) {
  return page(frame, title, content_html);
}

}  // namespace certd::console
