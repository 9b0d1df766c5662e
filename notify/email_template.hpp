#pragma once
// Subject and bodies of the certificate e-mail from mustache templates
// (kainjow mustache); HTML values are escaped by mustache's {{ }}.

#include <map>
#include <string>

#include "core/result.hpp"

namespace certd::notify {

struct EmailTemplate {
  std::string subject;  // mustache
  std::string text;     // mustache
  std::string html;     // mustache; may be empty
};

struct RenderedEmail {
  std::string subject;
  std::string text;
  std::string html;
};

// The built-in certificate e-mail, used unless a school provides its own.
const EmailTemplate& default_certificate_email();

// What a certificate e-mail tells.
struct CertificateMail {
  std::string student_name;
  std::string title;   // what the certificate is called
  std::string course;  // the course's name: context, may be empty
  std::string number;
  std::string verify_url;
  std::string family_url;
  std::string issuer_name;
};

// The values of the certificate e-mail: student_name, certificate_title,
// course_name, number, verify_url, family_url, issuer_name. course_name is
// empty when there is none or it is the title itself (a rule's
// certificate is called by its course), so the mail names it once.
std::map<std::string, std::string> certificate_email_values(const CertificateMail& mail);

// Renders with `values` (e.g. those above). A template that does not
// parse, or names a value that is not given, is an error, never a blank;
// a value given empty is left out, so {{#course_name}}…{{/course_name}}
// shows only when there is one. Subjects must stay one line.
Result<RenderedEmail> render_email(const EmailTemplate& email, const std::map<std::string, std::string>& values);

}  // namespace certd::notify
