#include "render/certificate_data.hpp"

#include "render/certificate_number.hpp"

namespace certd::render {

std::string make_verify_url(std::string_view public_url, std::string_view number) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  return std::string(public_url) + "/v/" + std::string(number);
}

CertificateData sample_certificate_data(std::string_view number_prefix) {
  CertificateData data;
  const std::array<std::uint8_t, k_number_random_bytes> fixed{7, 21, 42, 84, 126, 168, 210, 252};
  auto number = make_certificate_number(number_prefix, fixed);
  data.number = number ? *number : "SAMPLE-2345-6789";
  data.student_name = "Zoë Ångström-Łukasiewicz";
  data.course_name = "Swimming Level 3";
  data.title = "Swimming Level 3";
  data.teacher_name = "Maria Kowalska";
  data.notes = "For steady, brave progress in deep water all term.";
  data.level = "Level 3";
  data.grade = "92%";
  data.skills = {"Front crawl 25 m", "Back crawl 25 m", "Treading water 1 min", "Surface dive", "Safe entry"};
  data.issued_at = from_unix(1795435200);  // 2026-11-23 (fixed: previews are byte-identical)
  data.expires_at = from_unix(1858593600);  // 2028-11-23
  data.issuer_name = "Riverside Swim School";
  data.verify_url = make_verify_url("https://certs.example.edu", data.number);
  return data;
}

}  // namespace certd::render
