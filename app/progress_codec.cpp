#include "app/progress_codec.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

namespace certd::app {
namespace {

using nlohmann::json;

// nlohmann turns a floating-point number into an integer with a plain
// cast, which is undefined outside the integer's range (1e30, found by the
// event_payload fuzz target): every integer these codecs read must be one.
std::int64_t integer(const json& value) {
  if (!value.is_number_integer()) throw json::type_error::create(302, "type must be an integer", &value);
  return value.get<std::int64_t>();
}

json student_json(const connector::Student& s) {
  return json{{"id", s.id},
              {"username", s.username},
              {"idnumber", s.idnumber},
              {"fullname", s.fullname},
              {"email", s.email},
              {"guardian_emails", s.guardian_emails},
              {"profile_fields", s.profile_fields}};
}

connector::Student student_from(const json& j) {
  connector::Student s;
  s.id = integer(j.at("id"));
  s.username = j.value("username", "");
  s.idnumber = j.value("idnumber", "");
  s.fullname = j.at("fullname").get<std::string>();
  s.email = j.value("email", "");
  s.guardian_emails = j.value("guardian_emails", std::vector<std::string>{});
  s.profile_fields = j.value("profile_fields", std::map<std::string, std::string>{});
  return s;
}

const char* enrolment_name(connector::Enrolment e) { return connector::to_string(e); }

connector::Enrolment enrolment_from(const std::string& text) {
  if (text == enrolment_name(connector::Enrolment::active)) return connector::Enrolment::active;
  if (text == enrolment_name(connector::Enrolment::suspended)) return connector::Enrolment::suspended;
  return connector::Enrolment::not_enrolled;
}

json course_json(const connector::Course& c) {
  return json{{"id", c.id}, {"shortname", c.shortname}, {"fullname", c.fullname},
              {"manual_enrolment", c.manual_enrolment}};
}

connector::Course course_from(const json& c) {
  return connector::Course{integer(c.at("id")), c.at("shortname").get<std::string>(),
                           c.value("fullname", ""), c.value("manual_enrolment", false)};
}

json mark_json(const connector::IssueNowMark& m) {
  return json{{"student", m.student},       {"course", course_json(m.course)}, {"activity", m.activity},
              {"teacher_id", m.teacher_id}, {"teacher_name", m.teacher_name}, {"marked_at", to_unix(m.marked_at)}};
}

connector::IssueNowMark mark_from(const json& j) {
  connector::IssueNowMark m;
  m.student = integer(j.at("student"));
  m.course = course_from(j.at("course"));
  m.activity = integer(j.at("activity"));
  m.teacher_id = j.contains("teacher_id") ? integer(j["teacher_id"]) : connector::UserId{0};
  m.teacher_name = j.value("teacher_name", "");
  m.marked_at = from_unix(integer(j.at("marked_at")));
  return m;
}

// A positive id. nlohmann keeps every non-negative integer unsigned, and
// get<UserId> would wrap one above INT64_MAX to a negative id.
std::optional<connector::UserId> positive_id(const json& value) {
  if (!value.is_number_unsigned()) return std::nullopt;
  const std::uint64_t id = value.get<std::uint64_t>();
  if (id == 0 || id > static_cast<std::uint64_t>(std::numeric_limits<connector::UserId>::max())) return std::nullopt;
  return static_cast<connector::UserId>(id);
}

const connector::ChangeKind k_change_kinds[] = {
    connector::ChangeKind::course_completed, connector::ChangeKind::grade_changed,
    connector::ChangeKind::skills_changed, connector::ChangeKind::issue_now,
    connector::ChangeKind::enrolment_suspended};

}  // namespace

std::string issue_now_mark_to_json(const connector::IssueNowMark& mark) { return mark_json(mark).dump(); }

Result<connector::IssueNowMark> issue_now_mark_from_json(const std::string& text) {
  try {
    return mark_from(json::parse(text));
  } catch (const json::exception& e) {
    return Error(ErrorCode::parse_error, std::string("bad issue-now mark: ") + e.what());
  }
}

std::string change_event_payload(const connector::Change& change, const connector::CourseProgress& snapshot) {
  json j{{"kind", connector::to_string(change.kind)}, {"key", change.key},       {"student", change.student},
         {"course", course_json(change.course)},      {"at", to_unix(change.at)}, {"snapshot", json::parse(progress_to_json(snapshot))}};
  if (change.issue_now) j["issue_now"] = mark_json(*change.issue_now);
  return j.dump();
}

Result<ChangeEvent> parse_change_event(const std::string& payload) {
  try {
    json j = json::parse(payload);
    ChangeEvent event;
    std::string kind = j.at("kind").get<std::string>();
    auto known = std::find_if(std::begin(k_change_kinds), std::end(k_change_kinds),
                              [&](connector::ChangeKind k) { return kind == connector::to_string(k); });
    if (known == std::end(k_change_kinds)) return Error(ErrorCode::parse_error, "unknown change kind " + kind);
    event.change.kind = *known;
    event.change.key = j.value("key", "");
    event.change.student = integer(j.at("student"));
    event.change.course = course_from(j.at("course"));
    event.change.at = from_unix(integer(j.at("at")));
    if (j.contains("issue_now")) event.change.issue_now = mark_from(j["issue_now"]);
    event.snapshot_json = j.at("snapshot").dump();
    CERTD_ASSIGN_OR_RETURN(event.snapshot, progress_from_json(event.snapshot_json));
    return event;
  } catch (const json::exception& e) {
    return Error(ErrorCode::parse_error, std::string("bad change event: ") + e.what());
  }
}

Result<WebhookTarget> parse_webhook_target(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* data = j.is_object() && j.contains("data") ? &j["data"] : nullptr;
  std::optional<connector::UserId> student;
  if (data && data->is_object() && data->contains("user_id")) student = positive_id((*data)["user_id"]);
  if (!student || !data->contains("course") || !(*data)["course"].is_string() ||
      (*data)["course"].get_ref<const std::string&>().empty())
    return Error(ErrorCode::invalid_argument,
                 "webhook data must hold user_id (a number) and course (a course shortname)");
  return WebhookTarget{*student, (*data)["course"].get<std::string>()};
}

std::string progress_to_json(const connector::CourseProgress& p) {
  json levels = json::array();
  for (const connector::SkillLevel& level : p.skills) {
    json skills = json::array();
    for (const connector::Skill& skill : level.skills)
      skills.push_back({{"name", skill.name}, {"idnumber", skill.idnumber}, {"rated", skill.rated},
                        {"proficient", skill.proficient}});
    levels.push_back({{"framework", level.framework}, {"level", level.level}, {"skills", skills}});
  }
  json j{{"student", student_json(p.student)},
         {"course", {{"id", p.course.id}, {"shortname", p.course.shortname}, {"fullname", p.course.fullname},
                     {"manual_enrolment", p.course.manual_enrolment}}},
         {"enrolment", enrolment_name(p.enrolment)},
         {"enrolment_note", p.enrolment_note},
         {"completed", p.completed},
         {"skills", levels},
         {"teacher_name", p.teacher_name}};
  j["completed_at"] = p.completed_at ? json(to_unix(*p.completed_at)) : json(nullptr);
  j["grade_percent"] = p.grade_percent ? json(*p.grade_percent) : json(nullptr);
  return j.dump();
}

Result<connector::CourseProgress> progress_from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    connector::CourseProgress p;
    p.student = student_from(j.at("student"));
    const json& c = j.at("course");
    p.course = connector::Course{integer(c.at("id")), c.at("shortname").get<std::string>(),
                                 c.value("fullname", ""), c.value("manual_enrolment", false)};
    p.enrolment = enrolment_from(j.value("enrolment", ""));
    p.enrolment_note = j.value("enrolment_note", "");
    p.completed = j.value("completed", false);
    p.teacher_name = j.value("teacher_name", "");
    if (j.contains("completed_at") && !j["completed_at"].is_null())
      p.completed_at = from_unix(integer(j["completed_at"]));
    if (j.contains("grade_percent") && !j["grade_percent"].is_null())
      p.grade_percent = j["grade_percent"].get<double>();
    for (const json& level : j.value("skills", json::array())) {
      connector::SkillLevel l{level.at("framework").get<std::string>(), level.at("level").get<std::string>(), {}};
      for (const json& skill : level.value("skills", json::array()))
        l.skills.push_back({skill.at("name").get<std::string>(), skill.value("idnumber", ""),
                            skill.value("rated", false), skill.value("proficient", false)});
      p.skills.push_back(std::move(l));
    }
    return p;
  } catch (const json::exception& e) {
    return Error(ErrorCode::parse_error, std::string("bad progress snapshot: ") + e.what());
  }
}

rules::StudentFacts facts_from_progress(const connector::CourseProgress& p) {
  rules::StudentFacts facts;
  facts.student_id = std::to_string(p.student.id);
  facts.student_name = p.student.fullname;
  facts.course = p.course.shortname;
  facts.enrolment = p.enrolment == connector::Enrolment::active      ? rules::Enrolment::active
                    : p.enrolment == connector::Enrolment::suspended ? rules::Enrolment::suspended
                                                                     : rules::Enrolment::not_enrolled;
  facts.completed = p.completed;
  facts.completed_at = p.completed_at;
  facts.grade_percent = p.grade_percent;
  for (const connector::SkillLevel& level : p.skills) {
    rules::SkillLevel l{level.framework, level.level, {}};
    for (const connector::Skill& skill : level.skills) l.skills.push_back({skill.name, skill.proficient});
    facts.skills.push_back(std::move(l));
  }
  for (const auto& [field, value] : p.student.profile_fields) facts.profile_fields.emplace(field, value);
  return facts;
}

}  // namespace certd::app
