#include "notify/email_template.hpp"

#include <kainjow/mustache.hpp>

namespace certd::notify {
namespace {

namespace mustache = kainjow::mustache;

// kainjow renders a missing name as an empty string; a certificate e-mail
// with a blank where the number should be is worse than no e-mail, so the
// plain {{name}} / {{{name}}} tags are checked against the values first.
Status check_names(const std::string& text, const std::map<std::string, std::string>& values) {
  std::size_t at = 0;
  while ((at = text.find("{{", at)) != std::string::npos) {
    std::size_t end = text.find("}}", at + 2);
    if (end == std::string::npos) break;
    std::string name = text.substr(at + 2, end - at - 2);
    at = end + 2;
    if (!name.empty() && name.front() == '{') name.erase(0, 1);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty() || std::string("#^/!>&=").find(name.front()) != std::string::npos) continue;
    if (!values.count(name)) return Error(ErrorCode::invalid_argument, "e-mail template uses unknown value {{" + name + "}}");
  }
  return ok();
}

Result<std::string> render_one(const std::string& text, const std::map<std::string, std::string>& values,
                               bool escape_html) {
  CERTD_TRY(check_names(text, values));
  mustache::mustache tmpl(text);
  if (!tmpl.is_valid()) return Error(ErrorCode::parse_error, "e-mail template: " + tmpl.error_message());
  if (!escape_html) tmpl.set_custom_escape([](const std::string& s) { return s; });
  mustache::data data;
  // Empty values stay unset: a section on them is skipped.
  for (const auto& [key, value] : values)
    if (!value.empty()) data.set(key, value);
  return tmpl.render(data);
}

}  // namespace

// An award may have a title and no course, a course as its title, or
// both; an old row may have neither. Each reads as a sentence:
//   "Star Swimmer for Anna" / "... to Anna: Star Swimmer."
//   "... to Anna: Star Swimmer, in the course Swim Level 3."
//   "A certificate for Anna" / "... has issued a certificate to Anna."
const EmailTemplate& default_certificate_email() {
  static const EmailTemplate k_email{
      "{{#certificate_title}}{{certificate_title}}{{/certificate_title}}"
      "{{^certificate_title}}A certificate{{/certificate_title}} for {{student_name}}",
      "Hello,\n\n"
      "{{issuer_name}} has issued a certificate to {{student_name}}"
      "{{#certificate_title}}: {{certificate_title}}{{/certificate_title}}"
      "{{#course_name}}, in the course {{course_name}}{{/course_name}}.\n\n"
      "Certificate number: {{number}}\n"
      "Anyone can check it is genuine at {{verify_url}}\n"
      "All of {{student_name}}'s certificates, to download and share: {{family_url}}\n\n"
      "{{issuer_name}}\n",
      "<!doctype html><html><body style=\"font-family:sans-serif;color:#1b2a41\">"
      "<p>Hello,</p>"
      "<p><strong>{{issuer_name}}</strong> has issued a certificate to <strong>{{student_name}}</strong>"
      "{{#certificate_title}}: {{certificate_title}}{{/certificate_title}}"
      "{{#course_name}}, in the course {{course_name}}{{/course_name}}.</p>"
      "<p>Certificate number: <code>{{number}}</code><br>"
      "Anyone can check it is genuine at <a href=\"{{verify_url}}\">{{verify_url}}</a>.</p>"
      "<p><a href=\"{{family_url}}\">Open {{student_name}}'s certificates</a> to download and share them.</p>"
      "<p>{{issuer_name}}</p></body></html>"};
  return k_email;
}

std::map<std::string, std::string> certificate_email_values(const CertificateMail& mail) {
  return {{"student_name", mail.student_name},
          {"certificate_title", mail.title},
          {"course_name", mail.course == mail.title ? std::string() : mail.course},
          {"number", mail.number},
          {"verify_url", mail.verify_url},
          {"family_url", mail.family_url},
          {"issuer_name", mail.issuer_name}};
}

Result<RenderedEmail> render_email(const EmailTemplate& email, const std::map<std::string, std::string>& values) {
  RenderedEmail out;
  CERTD_ASSIGN_OR_RETURN(out.subject, render_one(email.subject, values, /*escape_html=*/false));
  if (out.subject.find_first_of("\r\n") != std::string::npos)
    return Error(ErrorCode::invalid_argument, "e-mail subject must be one line");
  CERTD_ASSIGN_OR_RETURN(out.text, render_one(email.text, values, /*escape_html=*/false));
  if (!email.html.empty()) {
    CERTD_ASSIGN_OR_RETURN(out.html, render_one(email.html, values, /*escape_html=*/true));
  }
  return out;
}

}  // namespace certd::notify
