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

// Renders with `values` (e.g. student_name, certificate_title, number,
// verify_url, family_url, issuer_name). A template that does not parse,
// or names a value that is not given, is an error, never a blank.
Result<RenderedEmail> render_email(const EmailTemplate& email, const std::map<std::string, std::string>& values);

}  // namespace certd::notify
