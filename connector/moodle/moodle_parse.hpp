#pragma once
// Moodle answers (JSON) -> certd values, "parse at the edge". Every
// parser accepts what the recordings show: numbers that arrive as strings,
// 0 or null for "not set", optional keys absent, HTML in text. Internal
// to the Moodle adapter; tests run them over every recorded fixture.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/lms.hpp"
#include "core/clock.hpp"

namespace certd::connector::moodle {

using nlohmann::json;

// Number, numeric string or bool -> value; null, absent, "" or "-" -> nullopt.
std::optional<std::int64_t> as_int(const json* value);
std::optional<double> as_number(const json* value);
// Unix seconds; 0 and null both mean "not set".
std::optional<TimePoint> as_time(const json* value);
std::string as_text(const json* value);
bool as_flag(const json* value);  // true/false, 1/0, "1"/"0"
const json* field(const json& object, const char* key);

struct SiteInfo {
  std::string site_name;
  std::string username;
  UserId user_id = 0;
  std::string release;
  std::set<std::string> functions;
};
SiteInfo parse_site_info(const json& answer);

// core_course_get_courses_by_field: {courses:[...], warnings}.
std::vector<Course> parse_courses(const json& answer);

struct Module {
  ActivityId id = 0;
  std::string name;
  std::string modname;
  bool visible = true;
  int completion = 0;  // 0 none, 1 manual, 2 automatic
};
// core_course_get_contents: every module of every section.
std::vector<Module> parse_course_contents(const json& answer);

// A user record from core_enrol_get_enrolled_users or
// core_user_get_users_by_field; guardian e-mails from `guardian_field`.
Student parse_user(const json& user, const std::string& guardian_field);
std::vector<Student> parse_users(const json& answer, const std::string& guardian_field);

// A user record with what Moodle says about the account itself
// (core_user_get_users_by_field): `suspended` (the whole account, not an
// enrolment) and firstaccess/lastaccess, both 0 for someone who never
// logged in. Absent keys (a capability hides them) flag nothing.
struct UserRecord {
  Student student;
  bool suspended = false;
  bool never_logged_in = false;
};
std::vector<UserRecord> parse_user_records(const json& answer, const std::string& guardian_field);

// A course's role holders (core_enrol_get_enrolled_users with
// userfields=id,fullname,roles): user, name, role shortnames.
struct RoleHolder {
  UserId id = 0;
  std::string fullname;
  std::vector<std::string> roles;
};
std::vector<RoleHolder> parse_role_holders(const json& answer);
// The course's teacher: the holders of the first role of `preference`
// that anyone holds, the lowest user id among them; nullopt for nobody.
std::optional<RoleHolder> choose_teacher(const std::vector<RoleHolder>& holders,
                                         const std::vector<std::string>& preference);

// enablecompletion of the course with this shortname in a
// core_course_get_courses_by_field answer; nullopt when not shown.
std::optional<bool> course_completion_enabled(const json& answer, const std::string& shortname);
// Whether user records show details (username): they vanish silently
// without moodle/user:viewalldetails (docs/moodle-api.md §3d).
bool users_show_details(const json& answer);

struct CompletionState {
  bool completed = false;
  // Moodle stamps a course completion with its latest criterion time; the
  // answer has no course-level time (docs/moodle-api.md §6).
  std::optional<TimePoint> completed_at;
};
CompletionState parse_course_completion(const json& answer);

struct ActivityState {
  ActivityId cmid = 0;
  std::string modname;
  int state = 0;  // 0 incomplete, 1 complete, 2 pass, 3 fail
  std::optional<TimePoint> time;  // of completion, or of an override back to 0
  std::optional<UserId> override_by;
};
std::vector<ActivityState> parse_activities_completion(const json& answer);

struct CourseGrade {
  UserId user = 0;
  std::optional<double> percent;  // course total; absent when ungraded
  std::optional<TimePoint> graded_at;
};
// gradereport_user_get_grade_items: the course total item of each user.
std::vector<CourseGrade> parse_course_grades(const json& answer);

struct Rating {
  std::string framework;
  std::int64_t framework_id = 0;
  std::int64_t competency_id = 0;
  std::int64_t parent_id = 0;
  std::string name;
  std::string idnumber;
  bool rated = false;
  // Moodle's own `proficiency` of the rating (set when it was rated, with
  // the scale of that time); only without it, from the scale configuration.
  bool proficient = false;
  std::optional<TimePoint> modified;
  UserId modified_by = 0;  // usermodified: who rated it (0: nobody)
  // A top node its framework calls a level (taxonomyterm "Level", or the
  // framework's taxonomies start with "level").
  bool level_node = false;
};
// report_competency_data_for_report: one entry per course competency.
std::vector<Rating> parse_competency_report(const json& answer);
// Which scale values count as proficient, from a `scaleconfiguration`
// string such as [{"scaleid":"3"},{"id":3,"scaledefault":1,"proficient":1}].
std::set<std::int64_t> proficient_values(const std::string& scale_configuration);

struct Competency {
  std::int64_t id = 0;
  std::int64_t parent_id = 0;
  std::string name;
  std::string idnumber;
};
std::vector<Competency> parse_competencies(const json& answer);

struct ReportRow {
  std::string course;    // shortname
  std::string username;
  std::string idnumber;
  std::optional<TimePoint> completed_at;  // to the minute, from the display text
};
struct ReportPage {
  std::vector<ReportRow> rows;
  std::int64_t total_rows = 0;
  bool has_columns = true;  // false when the report lacks a needed column
};
// core_reportbuilder_retrieve_report of a completions report; columns are
// found by their headers ("Course short name", "Username", "Time completed").
ReportPage parse_completions_report(const json& answer);
// "Monday, 23 November 2026, 10:50 AM" (a UTC service user) -> time.
std::optional<TimePoint> parse_display_time(const std::string& text);

struct ItemResult {
  std::string client_id;
  std::int64_t id = 0;  // -1: refused, see error
  std::string error;
};
// core_notes_create_notes / core_message_send_instant_messages answers.
std::vector<ItemResult> parse_item_results(const json& answer, const char* id_key, const char* client_key);

struct Warning {
  std::string item;
  std::int64_t item_id = 0;
  std::string code;
  std::string message;
};
// {warnings:[...]} or a bare array of warnings (core_notes_delete_notes).
std::vector<Warning> parse_warnings(const json& answer);

// core_notes_get_course_notes: the text of every note, any publish state.
std::vector<std::string> parse_note_texts(const json& answer);

}  // namespace certd::connector::moodle
