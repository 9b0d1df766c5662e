#include "connector/lms.hpp"

#include <algorithm>
#include <cstddef>

#include "connector/cursor_store.hpp"

namespace certd::connector {
namespace {

enum class Script { none, han_kana, hangul, other };

// Decodes one UTF-8 sequence at `i` (advancing it); a bad byte is U+FFFD,
// which counts as "other" and so keeps the Western order.
char32_t next_code_point(const std::string& text, std::size_t& i) {
  unsigned char lead = static_cast<unsigned char>(text[i++]);
  int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
  if (lead >= 0x80 && extra == 0) return 0xFFFD;
  char32_t code_point = extra ? lead & (0x3F >> extra) : lead;
  for (int k = 0; k < extra; ++k) {
    if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) return 0xFFFD;
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
  }
  return code_point;
}

Script script_of(char32_t c) {
  bool han = (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x3134F) ||
             (c >= 0xF900 && c <= 0xFAFF) || c == 0x3005;  // 々, the iteration mark of 佐々木
  bool kana = (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF);
  bool hangul = (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F);
  if (han || kana) return Script::han_kana;
  if (hangul) return Script::hangul;
  bool separator = c == ' ' || c == 0x3000 || c == '-' || c == 0x30FB;  // spaces, hyphen, katakana middle dot
  return separator ? Script::none : Script::other;
}

struct NameScript {
  bool east_asian = false;  // only Han, Kana or Hangul letters
  bool hangul = false;
  std::size_t letters = 0;
};

NameScript read_script(const std::string& name) {
  NameScript result;
  bool other = false;
  for (std::size_t i = 0; i < name.size();) {
    Script script = script_of(next_code_point(name, i));
    if (script == Script::none) continue;
    ++result.letters;
    other = other || script == Script::other;
    result.hangul = result.hangul || script == Script::hangul;
  }
  result.east_asian = !other && result.letters > 0;
  return result;
}

std::string trimmed(const std::string& text) {
  std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

std::string compose_full_name(const std::string& given_text, const std::string& family_text) {
  std::string given = trimmed(given_text);
  std::string family = trimmed(family_text);
  if (given.empty()) return family;
  if (family.empty()) return given;
  NameScript given_script = read_script(given);
  NameScript family_script = read_script(family);
  if (!given_script.east_asian || !family_script.east_asian) return given + " " + family;
  if (family_script.hangul && family_script.letters >= 2) return family + " " + given;
  return family + given;
}

const char* to_string(Enrolment enrolment) {
  switch (enrolment) {
    case Enrolment::active: return "active";
    case Enrolment::suspended: return "suspended";
    case Enrolment::not_enrolled: return "not enrolled";
  }
  return "?";
}

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::course_completed: return "course-completed";
    case ChangeKind::grade_changed: return "grade";
    case ChangeKind::skills_changed: return "skills";
    case ChangeKind::issue_now: return "issue-now";
    case ChangeKind::enrolment_suspended: return "suspended";
  }
  return "?";
}

bool SkillLevel::all_proficient() const {
  return !skills.empty() &&
         std::all_of(skills.begin(), skills.end(), [](const Skill& skill) { return skill.proficient; });
}

std::string IssueNowMark::key() const {
  return "moodle:issue-now:" + std::to_string(student) + ":" + std::to_string(activity) + ":" +
         std::to_string(to_unix(marked_at));
}

const CourseProgress* PollResult::snapshot(UserId student, CourseId course) const {
  for (const CourseProgress& progress : snapshots)
    if (progress.student.id == student && progress.course.id == course) return &progress;
  return nullptr;
}

std::string lms_error_code(const Error& error) {
  const std::string& message = error.message();
  if (message.size() < 3 || message[0] != '[') return {};
  std::size_t end = message.find(']');
  if (end == std::string::npos) return {};
  return message.substr(1, end - 1);
}

Result<std::optional<std::string>> MemoryCursorStore::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto it = m_values.find(key);
  if (it == m_values.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryCursorStore::set(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_values[key] = value;
  return ok();
}

std::size_t MemoryCursorStore::size() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_values.size();
}

}  // namespace certd::connector
