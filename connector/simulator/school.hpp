#pragma once
// The school a simulated Moodle holds: courses with their activities,
// users, enrolments, completions, grades, competency frameworks and
// ratings, and what certd wrote back (notes, messages, enrolment calls).
// Loaded from a YAML data file (examples/school.yaml) or generated for
// benchmarks. Ids follow Moodle's habits: the site course is 1, the
// service user 3, the student role 5, editing teacher 3.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/result.hpp"

namespace certd::connector::simulator {

using Id = std::int64_t;

inline constexpr int k_student_role = 5;
inline constexpr int k_teacher_role = 3;              // editingteacher
inline constexpr int k_non_editing_teacher_role = 4;  // teacher
// Moodle's shortname of a role id ("student" for anything else).
const char* role_shortname(int role);
// The documented demo token (data, not a secret: it opens a simulator).
inline constexpr const char* k_demo_token = "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e";

struct User {
  Id id = 0;
  std::string username;
  std::string firstname;
  std::string lastname;
  std::string email;
  std::string idnumber;
  std::map<std::string, std::string> profile;  // custom field shortname -> value
  bool accepts_messages = true;  // false: refused by message preferences
  // Conditions of real sites (docs/moodle-api.md §3): a deleted account
  // vanishes from user look-ups and enrolments, a suspended one is shown
  // with suspended=true, a never-used one has no first or last access.
  bool deleted = false;
  bool suspended = false;
  bool never_logged_in = false;
  // Moodle's fullname() (lib/moodlelib.php) under the site's
  // `fullnamedisplay` setting: "language" (the default) is the English
  // string "{firstname} {lastname}", as in the recordings; any other value
  // is a template whose words firstname and lastname are replaced ("lastname
  // firstname" gives "王 小明"), an empty part dropped, spaces collapsed.
  std::string fullname(const std::string& fullnamedisplay) const;
};

struct Activity {
  Id cmid = 0;
  Id instance = 0;
  std::string name;
  std::string modname = "page";
  bool visible = true;      // false: hidden from students
  int completion = 1;       // 0 none, 1 manual, 2 automatic
  bool criterion = false;   // a course completion criterion
  bool graded = false;      // its grade is the course grade (an assignment)
};

struct Enrolment {
  Id user = 0;
  int role = k_student_role;
  bool suspended = false;
};

struct Course {
  Id id = 0;
  std::string shortname;
  std::string fullname;
  bool manual_enrolment = true;
  std::vector<Activity> activities;
  std::vector<Enrolment> enrolments;
  std::vector<Id> competencies;  // linked course competencies
  // Conditions of real courses: completion enabled without criteria
  // (completion status answers nocriteriaset), completion tracking off,
  // hidden from students, or closed to the service user (requireloginerror).
  bool completion_criteria = true;
  bool completion_tracking = true;
  bool visible = true;
  bool service_can_see = true;

  const Enrolment* enrolment(Id user) const;
};

struct Competency {
  Id id = 0;
  Id parent = 0;  // the level it belongs to; 0 for a level itself
  std::string shortname;
  std::string idnumber;
  std::string description;
  int sortorder = 0;
};

struct Framework {
  Id id = 0;
  std::string shortname;
  std::string idnumber;
  Id scale_id = 3;
  std::vector<std::string> scale;      // value i+1 is scale[i]
  std::set<int> proficient = {3};      // scale values that count as proficient
  int default_value = 3;
  std::vector<Competency> competencies;
};

struct ActivityState {
  int state = 0;
  std::int64_t time = 0;
  std::optional<Id> override_by;
};

struct Rating {
  int grade = 0;
  std::int64_t time = 0;
  Id by = 0;  // usermodified: who rated it
  // Moodle stores proficiency with the rating, from the scale of that time;
  // nullopt: judged by the framework's scale now.
  std::optional<bool> proficient;
};

struct Grade {
  double value = 0;  // out of 100
  std::int64_t graded_at = 0;
};

struct Note {
  Id id = 0;
  Id user = 0;
  Id course = 0;
  std::string text;
  std::string client_id;
  std::string publishstate;
  std::int64_t created = 0;
};

struct Message {
  Id id = 0;
  Id to = 0;
  std::string text;
  std::string client_id;
  std::int64_t created = 0;
};

struct School {
  std::string site_name = "Riverside Swim School (simulated Moodle)";
  std::string token = k_demo_token;
  Id service_user = 3;
  std::string service_username = "certd_service";
  std::string fullnamedisplay = "language";  // Moodle's setting: how user records' fullname is formatted
  Id report_id = 1;  // the completions report (report builder)
  bool report_gone = false;  // the report was deleted: every report call is invalidrecord
  // The external service disabled (or deleted): every call with the token
  // is refused as webservice/lib.php does (docs/moodle-api.md §3a).
  bool service_enabled = true;
  std::set<std::string> missing_functions;  // left out of the service: accessexception
  // The plugin moodle/local_certd is installed and its local_certd_ping is
  // in the service (so site info lists it). Off by default: the recorded
  // Moodle 4.5 service has no plugin, and the simulator sends no webhooks.
  bool local_certd_plugin = false;
  std::vector<User> users;
  std::vector<Course> courses;
  std::vector<Framework> frameworks;
  std::map<std::pair<Id, Id>, std::int64_t> completions;     // (user, course) -> time completed
  std::map<std::pair<Id, Id>, ActivityState> activity_states;  // (user, cmid)
  std::map<std::pair<Id, Id>, Grade> grades;                 // (user, course)
  std::map<std::tuple<Id, Id, Id>, Rating> ratings;          // (user, course, competency)
  std::vector<Note> notes;
  std::vector<Message> messages;

  const User* user(Id id) const;
  const User* user_named(std::string_view username) const;
  const Course* course(Id id) const;
  const Course* course_named(std::string_view shortname) const;
  Course* course_named(std::string_view shortname);
  const Competency* competency(Id id, const Framework** framework = nullptr) const;
  const Competency* competency_named(std::string_view idnumber) const;
  // The activity with this cmid, and its course.
  const Activity* activity(Id cmid, const Course** course = nullptr) const;
  Id next_user_id() const;
  // The course's teacher who rates by default: the editing teacher with the
  // lowest id, else any teacher; 0 for none.
  Id default_rater(const Course& course) const;

 private:
  // Index of `users` by id, rebuilt when users are added (never reordered).
  mutable std::map<Id, std::size_t> m_user_index;
  mutable std::size_t m_indexed_users = 0;
};

// Parses a school data file (see examples/school.yaml). Errors carry
// file:line:column; every mistake of the file is reported.
Result<School> load_school(std::string_view text, const std::string& file_name);
Result<School> load_school_file(const std::string& path);

// A synthetic school for benchmarks: `students` students spread over
// `courses` courses (one enrolment each), each course with a hidden
// "issue now" activity, a graded assessment and four rated skills of the
// "Swim Skills" framework; a few completed, rated and graded.
struct GenerateOptions {
  int students = 10000;
  int courses = 20;
  int completed_percent = 10;  // already completed before the benchmark starts
  std::uint32_t seed = 1;
  std::int64_t base_time = 1795000000;
};
School generate_school(const GenerateOptions& options);

}  // namespace certd::connector::simulator
