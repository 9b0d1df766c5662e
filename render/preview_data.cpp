#include "render/preview_data.hpp"

#include "core/time_format.hpp"
#include "render/certificate_number.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::render {
namespace {

void read_text(yaml::MapReader& reader, const char* key, std::string& target) {
  if (auto value = reader.string(key)) target = *value;
}

std::optional<TimePoint> read_date(yaml::MapReader& reader, const char* key) {
  auto text = reader.string(key);
  if (!text) return std::nullopt;
  auto parsed = parse_iso8601(*text);
  if (!parsed) reader.error_at(key, "expected a date like 2026-11-23, found '" + *text + "'");
  return parsed;
}

}  // namespace

PreviewDataLoad parse_preview_data(std::string_view text, const std::string& file, CertificateData defaults) {
  yaml::Diagnostics diagnostics(file);
  PreviewDataLoad result{std::move(defaults), {}};
  CertificateData& data = result.data;
  auto root = yaml::parse(text, diagnostics);
  if (root) {
    yaml::MapReader reader(*root, "", diagnostics);
    read_text(reader, "student", data.student_name);
    read_text(reader, "course", data.course_name);
    read_text(reader, "teacher", data.teacher_name);
    read_text(reader, "notes", data.notes);
    read_text(reader, "level", data.level);
    read_text(reader, "grade", data.grade);
    read_text(reader, "issuer", data.issuer_name);
    if (auto skills = reader.string_list("skills")) data.skills = *skills;
    if (auto issued = read_date(reader, "issued_on")) data.issued_at = *issued;
    if (auto expires = read_date(reader, "expires_on")) data.expires_at = *expires;
    if (reader.has("expires_on") && reader.get("expires_on").IsNull()) data.expires_at.reset();
    if (auto number = reader.string("number")) {
      if (!valid_number(*number)) reader.error_at("number", "'" + *number + "' is not a valid certificate number");
      data.number = *number;
    }
    reader.finish();
  }
  result.errors = diagnostics.take();
  return result;
}

}  // namespace certd::render
