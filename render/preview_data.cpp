// The keys come from the placeholder list (render/template.hpp), so the
// data file and the templates can never disagree on a name: a group key
// ("student") holds the rest of each dotted name ("fullname").

#include "render/preview_data.hpp"

#include <yaml-cpp/yaml.h>

#include "core/time_format.hpp"
#include "render/certificate_number.hpp"
#include "render/template.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::render {
namespace {

// A key with no value (`notes:`) leaves the placeholder empty, to see
// how a design does without it.
bool given_empty(yaml::MapReader& reader, std::string_view key) {
  return reader.has(key) && reader.get(key).IsNull();
}

void read_text(yaml::MapReader& reader, std::string_view key, std::string& target) {
  if (given_empty(reader, key)) target.clear();
  else if (auto value = reader.string(key)) target = *value;
}

std::optional<TimePoint> read_date(yaml::MapReader& reader, std::string_view key) {
  auto text = reader.string(key);
  if (!text) return std::nullopt;
  auto parsed = parse_iso8601(*text);
  if (!parsed) reader.error_at(key, "expected a date like 2026-11-23, found '" + *text + "'");
  return parsed;
}

// Reads the value of `p`, found under `key` in `reader`'s map.
void read_value(Placeholder p, yaml::MapReader& reader, std::string_view key, CertificateData& data) {
  switch (p) {
    case Placeholder::student_name: return read_text(reader, key, data.student_name);
    case Placeholder::course_name: return read_text(reader, key, data.course_name);
    case Placeholder::title: return read_text(reader, key, data.title);
    case Placeholder::teacher_name: return read_text(reader, key, data.teacher_name);
    case Placeholder::notes: return read_text(reader, key, data.notes);
    case Placeholder::level: return read_text(reader, key, data.level);
    case Placeholder::grade: return read_text(reader, key, data.grade);
    case Placeholder::issuer_name: return read_text(reader, key, data.issuer_name);
    case Placeholder::skills:
      if (given_empty(reader, key)) data.skills.clear();
      else if (auto skills = reader.string_list(key)) data.skills = *skills;
      return;
    case Placeholder::issued_on:
      if (auto issued = read_date(reader, key)) data.issued_at = *issued;
      return;
    case Placeholder::expires_on:
      if (given_empty(reader, key)) data.expires_at.reset();  // never expires
      else if (auto expires = read_date(reader, key)) data.expires_at = *expires;
      return;
    case Placeholder::certificate_number:
      if (auto number = reader.string(key)) {
        if (!valid_number(*number)) reader.error_at(key, "'" + *number + "' is not a valid certificate number");
        data.number = *number;
      }
      return;
  }
}

// "student.fullname" -> ("student", "fullname"); "notes" -> ("notes", "").
std::pair<std::string, std::string> split(Placeholder p) {
  std::string name = to_string(p);
  auto dot = name.find('.');
  if (dot == std::string::npos) return {name, ""};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

std::string valid_names() {
  std::string names;
  for (Placeholder p : all_placeholders()) names += (names.empty() ? "" : ", ") + std::string(to_string(p));
  return names;
}

// One top-level key: a placeholder, or a group of them (a map, or its one
// value as shorthand). False when no placeholder has that name.
bool read_key(const std::string& key, yaml::MapReader& root, yaml::Diagnostics& diagnostics, CertificateData& data) {
  std::vector<std::pair<Placeholder, std::string>> group;
  for (Placeholder p : all_placeholders()) {
    auto [head, rest] = split(p);
    if (head != key) continue;
    if (rest.empty()) {
      read_value(p, root, key, data);
      return true;
    }
    group.emplace_back(p, rest);
  }
  if (group.empty()) return false;
  YAML::Node value = root.get(key);
  if (value.IsMap()) {
    yaml::MapReader inner(value, key, diagnostics);
    for (const auto& [p, rest] : group) read_value(p, inner, rest, data);
    inner.finish();
  } else if (group.size() == 1) {
    read_value(group.front().first, root, key, data);
  } else {
    root.error_at(key, "expected a map of " + key + " values");
  }
  return true;
}

}  // namespace

PreviewDataLoad parse_preview_data(std::string_view text, const std::string& file, CertificateData defaults) {
  yaml::Diagnostics diagnostics(file);
  PreviewDataLoad result{std::move(defaults), {}};
  auto root = yaml::parse(text, diagnostics);
  // An empty file changes nothing: the sample data stands.
  if (root && !root->IsNull()) {
    yaml::MapReader reader(*root, "", diagnostics);
    if (reader.valid()) {
      for (const auto& entry : *root) {
        const std::string key = entry.first.Scalar();
        if (read_key(key, reader, diagnostics, result.data)) continue;
        reader.get(key);  // reported here, with the valid names, not again by finish()
        diagnostics.error(entry.first, "unknown key '" + key + "' (the data file uses the placeholders' names: " +
                                           valid_names() + "; student.fullname is written student: { fullname: ... })");
      }
      reader.finish();
    }
  }
  result.errors = diagnostics.take();
  return result;
}

}  // namespace certd::render
