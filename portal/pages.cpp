#include "portal/pages.hpp"

#include <kainjow/mustache.hpp>

#include "portal/portal_assets.hpp"

namespace certd::portal {
namespace {

namespace mustache = kainjow::mustache;

// The frame of every page. `content` is a page body rendered by the
// templates below, whose values are already escaped; it is the only
// triple mustache.
constexpr const char* k_layout = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}} · {{issuer}}</title>
<link rel="stylesheet" href="{{stylesheet}}"><link rel="icon" href="{{icon}}" type="image/svg+xml">
</head><body>
<header class="site"><div class="wrap"><a class="brand" href="/">{{{icon_svg}}}<span>{{issuer}}</span></a>
<span class="tagline">Certificate check</span></div></header>
<main id="main" class="wrap">
{{{content}}}
</main>
<footer class="wrap"><p>{{footer}}</p></footer>
</body></html>
)html";

constexpr const char* k_number_form = R"html(<form action="/v" method="get" role="search" aria-label="Check a certificate">
<label for="number">Certificate number</label>
<div class="field"><input type="text" id="number" name="number" value="{{typed}}" maxlength="40" autocomplete="off"
autocapitalize="characters" spellcheck="false" required aria-describedby="number-hint{{#error}} number-error{{/error}}"{{#error}} aria-invalid="true"{{/error}}>
<button type="submit">Check</button></div>
{{#error}}<p id="number-error" class="error-text">{{error}}</p>{{/error}}
<p id="number-hint" class="hint">As printed under the QR code, for example SWL3-7K4M-9QXR. Capitals, spaces and dashes do not matter.</p>
</form>)html";

constexpr const char* k_home = R"html(<div class="card">
<h1>Check a certificate</h1>
<p class="lead">Every certificate from {{issuer}} carries a number and a QR code. Type the number to see whether the certificate is genuine and still valid.</p>
{{{form}}}
</div>
<div class="card"><h2>What you will see</h2>
<ul class="steps"><li>Who the certificate was awarded to, for what, and when.</li>
<li>Whether it is valid, has expired, or was revoked by the school.</li>
<li>Scanning the QR code on the certificate opens the same page.</li></ul></div>
)html";

constexpr const char* k_verification = R"html(<div class="card result {{status}}">
<div class="result-head"><span class="mark" aria-hidden="true">{{mark}}</span><div>
<p class="eyebrow">Certificate <span class="mono">{{number}}</span></p><h1>{{heading}}</h1></div></div>
{{#found}}<p class="status-line">{{#dated}}<strong>{{status_text}}</strong>{{#revoked_because}}. Reason: {{revoked_because}}{{/revoked_because}}.
{{/dated}}{{summary}}</p>
<h2 class="certificate-title">{{title}}</h2>
<dl><dt>Awarded to</dt><dd>{{student}}</dd>{{#context}}<dt>Course</dt><dd>{{course}}</dd>{{/context}}
<dt>Issued on</dt><dd>{{issued_on}}</dd>{{#expires_on}}<dt>Valid until</dt><dd>{{expires_on}}</dd>{{/expires_on}}
<dt>Issued by</dt><dd>{{issuer}}</dd></dl>
{{/found}}{{^found}}<p class="status-line">{{issuer}} has no certificate with this number.</p>
<p>The number has the right check character, so it was probably read correctly. The certificate may not be genuine: ask its holder, or contact the school.</p>
{{/found}}</div>
<p><a href="/">Check another certificate</a></p>
)html";

constexpr const char* k_typo = R"html(<div class="card result typo">
<div class="result-head"><span class="mark" aria-hidden="true">?</span><div>
<p class="eyebrow">Nothing was looked up</p><h1>{{heading}}</h1></div></div>
{{#shaped}}<p class="status-line">The last character of <strong class="mono">{{typed}}</strong> is a check character, and it does not match the others: one character is probably mistyped, or two are swapped.</p>
<p>Compare the number with the certificate, one character at a time. Between the first group and the last character, numbers never use 0, 1, I, L, O or U.</p>{{/shaped}}
{{^shaped}}<p class="status-line">A certificate number is a first group of 1 to 8 letters or digits, then two groups of four, for example SWL3-7K4M-9QXR.</p>{{/shaped}}
{{{form}}}
</div>
)html";

constexpr const char* k_family = R"html(<h1>Your certificates</h1>
<p class="lead">From {{issuer}}. Download a certificate as a PDF, or send its verification page to anyone who needs to check it.</p>
{{#certificates}}<article class="card">
<h2>{{title}}</h2>
<span class="badge {{status}}">{{status_text}}</span>
{{#revoked_because}}<p class="notice-revoked">Reason: {{revoked_because}}. It is no longer valid and cannot be downloaded.</p>{{/revoked_because}}
<dl><dt>Awarded to</dt><dd>{{student}}</dd>{{#context}}<dt>Course</dt><dd>{{course}}</dd>{{/context}}<dt>Number</dt><dd class="mono">{{number}}</dd>
<dt>Issued on</dt><dd>{{issued_on}}</dd>{{#expires_on}}<dt>Valid until</dt><dd>{{expires_on}}</dd>{{/expires_on}}</dl>
<div class="actions">{{#download_url}}<a class="button" href="{{download_url}}" download>Download PDF<span class="visually-hidden"> of certificate {{number}}</span></a>{{/download_url}}
<a class="button secondary" href="{{verify_url}}">Verification page<span class="visually-hidden"> of certificate {{number}}</span></a></div>
</article>{{/certificates}}{{^certificates}}<div class="card"><p>No certificates yet.</p></div>{{/certificates}}
)html";

constexpr const char* k_error = R"html(<div class="card">
<p class="eyebrow">Error {{status}}</p><h1>{{title}}</h1>
<p>{{message}}</p>
<p><a href="/">Check a certificate</a></p>
</div>
)html";

constexpr const char* k_public_footer = "Certificates are checked against the school's own records. Each look-up is logged.";

std::string page(const std::string& issuer, const std::string& title, const std::string& content,
                 const std::string& footer = k_public_footer) {
  mustache::data d;
  d.set("issuer", issuer);
  d.set("title", title);
  d.set("stylesheet", std::string(k_stylesheet_path));
  d.set("icon", std::string(k_icon_path));
  d.set("icon_svg", std::string(portal_icon_svg()));
  d.set("content", content);
  d.set("footer", footer);
  return mustache::mustache(k_layout).render(d);
}

std::string number_form(const std::string& typed, const std::string& error) {
  mustache::data d;
  d.set("typed", typed);
  if (!error.empty()) d.set("error", error);
  return mustache::mustache(k_number_form).render(d);
}

mustache::data view_data(const CertificateView& c) {
  mustache::data d;
  d.set("number", c.number);
  d.set("student", c.student);
  d.set("title", c.title);
  d.set("course", c.course);
  // A course certificate's title is its course: saying it twice, or an
  // empty "Course" for an award without one, would only add noise.
  if (!c.course.empty() && c.course != c.title) d.set("context", mustache::data::type::bool_true);
  d.set("issued_on", c.issued_on);
  if (!c.expires_on.empty()) d.set("expires_on", c.expires_on);
  d.set("status", c.status);
  d.set("status_text", c.status_text);
  if (!c.revoked_because.empty()) d.set("revoked_because", c.revoked_because);
  d.set("verify_url", c.verify_url);
  if (!c.download_url.empty()) d.set("download_url", c.download_url);
  return d;
}

struct Verdict {
  const char* mark;
  const char* heading;
  const char* summary;
};

Verdict verdict_of(const std::string& status) {
  if (status == "valid") return {"\u2713", "Valid certificate", "It was issued by the school and has not been revoked."};
  if (status == "expired") return {"!", "Expired certificate", "It was genuine, but is no longer valid."};
  return {"\u2715", "Revoked certificate", "It is no longer valid."};
}

}  // namespace

std::string render_home_page(const std::string& issuer, const std::string& error) {
  mustache::data d;
  d.set("issuer", issuer);
  d.set("form", number_form("", error));
  return page(issuer, "Check a certificate", mustache::mustache(k_home).render(d));
}

std::string render_verification_page(const std::string& issuer, const std::string& number,
                                      const CertificateView* certificate) {
  mustache::data d = certificate ? view_data(*certificate) : mustache::data();
  d.set("issuer", issuer);
  d.set("number", number);
  d.set("found", certificate ? mustache::data::type::bool_true : mustache::data::type::bool_false);
  if (certificate) {
    Verdict verdict = verdict_of(certificate->status);
    d.set("mark", verdict.mark);
    d.set("heading", verdict.heading);
    d.set("summary", verdict.summary);
    // "Valid" is the heading already; a revocation or expiry has a date.
    if (certificate->status != "valid") d.set("dated", mustache::data::type::bool_true);
  } else {
    d.set("status", "unknown");
    d.set("mark", "?");
    d.set("heading", "No certificate found");
  }
  return page(issuer, "Certificate " + number, mustache::mustache(k_verification).render(d));
}

std::string render_typo_page(const std::string& issuer, const std::string& typed, bool shaped_like_a_number) {
  mustache::data d;
  d.set("typed", typed);
  d.set("shaped", shaped_like_a_number ? mustache::data::type::bool_true : mustache::data::type::bool_false);
  const char* heading = shaped_like_a_number ? "This number has a typo" : "This is not a certificate number";
  d.set("heading", heading);
  d.set("form", number_form(typed, "Check the number and try again."));
  return page(issuer, heading, mustache::mustache(k_typo).render(d));
}

std::string render_family_page(const std::string& issuer, const std::vector<CertificateView>& certificates) {
  mustache::data list{mustache::data::type::list};
  for (const CertificateView& c : certificates) list.push_back(view_data(c));
  mustache::data d;
  d.set("issuer", issuer);
  d.set("certificates", list);
  return page(issuer, "Your certificates", mustache::mustache(k_family).render(d),
              "This page is private to your family: anyone with its link can download these certificates.");
}

std::string render_error_page(const std::string& issuer, int status, const std::string& title,
                              const std::string& message) {
  mustache::data d;
  d.set("status", std::to_string(status));
  d.set("title", title);
  d.set("message", message);
  return page(issuer, title, mustache::mustache(k_error).render(d));
}

}  // namespace certd::portal
