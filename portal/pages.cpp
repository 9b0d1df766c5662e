#include "portal/pages.hpp"

#include <kainjow/mustache.hpp>

namespace certd::portal {
namespace {

namespace mustache = kainjow::mustache;

constexpr const char* k_style = R"css(
body{margin:0;font-family:"DejaVu Sans",system-ui,sans-serif;background:#eef3f8;color:#1b2a41}
main{max-width:720px;margin:40px auto;padding:0 16px}
.card{background:#fff;border-radius:14px;box-shadow:0 2px 12px rgba(27,42,65,.12);padding:28px 32px;margin-bottom:18px}
h1{font-size:22px;margin:0 0 4px}
.issuer{color:#5a6b82;font-size:14px;margin-bottom:20px}
.badge{display:inline-block;padding:6px 14px;border-radius:999px;font-weight:bold;font-size:15px}
.valid{background:#e2f6e9;color:#17663a}.revoked{background:#fde8e8;color:#9b1c1c}.expired{background:#fff4dc;color:#8a5a00}
.unknown{background:#eceff3;color:#3c4a5e}
dl{display:grid;grid-template-columns:140px 1fr;gap:8px 16px;margin:22px 0 0}
dt{color:#5a6b82}dd{margin:0;font-weight:600}
a.button{display:inline-block;margin:16px 12px 0 0;padding:9px 16px;border-radius:8px;background:#1f5fa8;color:#fff;text-decoration:none}
a.secondary{background:#e6edf5;color:#1f5fa8}
footer{color:#7b8aa0;font-size:12px;text-align:center;margin-top:24px}
)css";

constexpr const char* k_verification = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Certificate {{number}} · {{issuer}}</title><style>{{{style}}}</style></head>
<body><main><div class="card">
<h1>Certificate {{number}}</h1><div class="issuer">Issued by {{issuer}}</div>
{{#found}}<span class="badge {{status}}">{{status_text}}</span>
<dl><dt>Awarded to</dt><dd>{{student}}</dd><dt>For</dt><dd>{{course}}</dd>
<dt>Issued on</dt><dd>{{issued_on}}</dd>{{#expires_on}}<dt>Valid until</dt><dd>{{expires_on}}</dd>{{/expires_on}}</dl>
{{/found}}{{^found}}<span class="badge unknown">Not found</span>
<p>No certificate with this number was issued by {{issuer}}. Check the number for typing mistakes.</p>{{/found}}
</div><footer>Verified by certd · every look-up is recorded</footer></main></body></html>
)html";

constexpr const char* k_family = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Certificates · {{issuer}}</title><style>{{{style}}}</style></head>
<body><main><h1>Certificates</h1><div class="issuer">from {{issuer}}</div>
{{#certificates}}<div class="card"><span class="badge {{status}}">{{status_text}}</span>
<dl><dt>Awarded to</dt><dd>{{student}}</dd><dt>For</dt><dd>{{course}}</dd><dt>Number</dt><dd>{{number}}</dd>
<dt>Issued on</dt><dd>{{issued_on}}</dd>{{#expires_on}}<dt>Valid until</dt><dd>{{expires_on}}</dd>{{/expires_on}}</dl>
<a class="button" href="{{download_url}}" download>Download PDF</a><a class="button secondary" href="{{verify_url}}">Share verification link</a>
</div>{{/certificates}}{{^certificates}}<div class="card">No certificates yet.</div>{{/certificates}}
<footer>Anyone with a verification link can check a certificate is genuine.</footer></main></body></html>
)html";

mustache::data view_data(const CertificateView& c) {
  mustache::data d;
  d.set("number", c.number);
  d.set("student", c.student);
  d.set("course", c.course);
  d.set("issued_on", c.issued_on);
  if (!c.expires_on.empty()) d.set("expires_on", c.expires_on);
  d.set("status", c.status);
  d.set("status_text", c.status_text);
  d.set("verify_url", c.verify_url);
  d.set("download_url", c.download_url);
  return d;
}

}  // namespace

std::string render_verification_page(const std::string& issuer, const std::string& number,
                                      const CertificateView* certificate) {
  mustache::data d = certificate ? view_data(*certificate) : mustache::data();
  d.set("issuer", issuer);
  d.set("number", number);
  d.set("style", k_style);
  d.set("found", certificate ? mustache::data::type::bool_true : mustache::data::type::bool_false);
  return mustache::mustache(k_verification).render(d);
}

std::string render_family_page(const std::string& issuer, const std::vector<CertificateView>& certificates) {
  mustache::data list{mustache::data::type::list};
  for (const CertificateView& c : certificates) list.push_back(view_data(c));
  mustache::data d;
  d.set("issuer", issuer);
  d.set("style", k_style);
  d.set("certificates", list);
  return mustache::mustache(k_family).render(d);
}

}  // namespace certd::portal
