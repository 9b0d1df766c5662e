#include "rules/idempotency.hpp"

#include <charconv>
#include <optional>
#include <vector>

namespace certd::rules {
namespace {

struct OriginName {
  Origin origin;
  std::string_view name;
};

constexpr OriginName k_origins[] = {{Origin::rule, "rule"}, {Origin::adhoc, "adhoc"}, {Origin::batch, "batch"}};

std::string_view name_of(Origin origin) {
  for (const auto& row : k_origins)
    if (row.origin == origin) return row.name;
  return "rule";
}

// '%' first, so the escapes it introduces are not escaped again.
void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '%') out += "%25";
    else if (c == '|') out += "%7C";
    else out += c;
  }
}

std::optional<std::string> unescape(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    std::string_view code = value.substr(i + 1, 2);
    if (code == "25") out += '%';
    else if (code == "7C") out += '|';
    else return std::nullopt;
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find(separator, start)) != std::string_view::npos; start = end + 1)
    parts.push_back(text.substr(start, end - start));
  parts.push_back(text.substr(start));
  return parts;
}

// "name:value" -> value, or nullopt if the name differs.
std::optional<std::string_view> field(std::string_view part, std::string_view name) {
  if (part.size() <= name.size() || part.substr(0, name.size()) != name || part[name.size()] != ':')
    return std::nullopt;
  return part.substr(name.size() + 1);
}

std::optional<int> parse_generation(std::string_view text) {
  if (text.empty() || text[0] < '1' || text[0] > '9') return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Error bad_key(std::string_view text, const char* why) {
  return Error(ErrorCode::parse_error, "bad idempotency key '" + std::string(text) + "': " + why);
}

Result<IdempotencyKey> finish_key(std::string_view text, IdempotencyKey key, std::string_view source,
                                  std::string_view student, std::string_view course, std::string_view generation) {
  auto source_id = unescape(source);
  auto student_id = unescape(student);
  auto course_name = unescape(course);
  if (!source_id || !student_id || !course_name) return bad_key(text, "bad %-escape");
  auto number = parse_generation(generation);
  if (!number) return bad_key(text, "the generation must be a whole number from 1");
  key.source_id = std::move(*source_id);
  key.student_id = std::move(*student_id);
  key.course = std::move(*course_name);
  key.generation = *number;
  return key;
}

}  // namespace

std::string IdempotencyKey::to_string() const {
  std::string text(name_of(origin));
  text += ':';
  append_escaped(text, source_id);
  text += "|student:";
  append_escaped(text, student_id);
  text += "|course:";
  append_escaped(text, course);
  text += "|gen:" + std::to_string(generation);
  return text;
}

bool IdempotencyKey::operator==(const IdempotencyKey& other) const {
  return origin == other.origin && source_id == other.source_id && student_id == other.student_id &&
         course == other.course && generation == other.generation;
}

IdempotencyKey rule_key(std::string_view rule_id, std::string_view student_id, std::string_view course,
                        int generation) {
  return IdempotencyKey{Origin::rule, std::string(rule_id), std::string(student_id), std::string(course),
                        generation};
}

IdempotencyKey reissue_key(const IdempotencyKey& previous) {
  IdempotencyKey next = previous;
  next.generation = previous.generation + 1;
  return next;
}

Result<IdempotencyKey> parse_idempotency_key(std::string_view text) {
  constexpr const char* k_shape = "expected <origin>:<id>|student:<id>|course:<course>|gen:<n>";
  std::vector<std::string_view> parts = split(text, '|');
  if (parts.size() != 4) return bad_key(text, k_shape);
  IdempotencyKey key;
  std::optional<std::string_view> source;
  for (const auto& row : k_origins) {
    source = field(parts[0], row.name);
    key.origin = row.origin;
    if (source) break;
  }
  auto student = field(parts[1], "student");
  auto course = field(parts[2], "course");
  auto generation = field(parts[3], "gen");
  if (!source || !student || !course || !generation) return bad_key(text, k_shape);
  if (source->empty() || student->empty()) return bad_key(text, "empty source or student id");
  return finish_key(text, std::move(key), *source, *student, *course, *generation);
}

std::string key_for_log(std::string_view text) {
  auto key = parse_idempotency_key(text);
  if (!key || key->student_id.find('@') == std::string::npos) return std::string(text);
  key->student_id = "(address)";
  return key->to_string();
}

}  // namespace certd::rules
