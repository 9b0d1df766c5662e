#pragma once
// What one certificate says: the values behind a template's placeholders.
// Plain values; the caller fills them (times are passed in, never read).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace certd::render {

struct CertificateData {
  std::string number;           // see certificate_number.hpp
  std::string student_name;     // {{student.fullname}}
  std::string course_name;      // {{course.fullname}}; empty for an award without a course
  std::string title;            // {{title}}: what the certificate is called, the course's name or an award's own title; signed
  std::string teacher_name;     // {{teacher.fullname}}
  std::string notes;            // {{notes}}
  std::string level;            // {{level}}
  std::string grade;            // {{grade}}
  std::vector<std::string> skills;  // {{skills}}, joined with " · "
  TimePoint issued_at;          // {{issued_on}}; also the PDF creation date
  std::optional<TimePoint> expires_at;  // {{expires_on}}
  std::string issuer_name;      // {{issuer.name}}; the PDF author
  std::string verify_url;       // what the QR code encodes
  std::string rule_id;          // in the signed payload; empty for ad-hoc
};

// "{public_url}/v/{number}" (docs/architecture.md), without a doubled slash.
std::string make_verify_url(std::string_view public_url, std::string_view number);

// Data for `certd preview` and the demo: names with accents, Polish and a
// fixed date, so a school sees a realistic certificate.
CertificateData sample_certificate_data(std::string_view number_prefix);

}  // namespace certd::render
