#pragma once
// Internal to the simulator: the school behind one mutex, the web-service
// dispatcher (ws_functions.cpp) and the control operations (world.cpp).

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>
#include <string>

#include <nlohmann/json.hpp>

#include "connector/simulator/school.hpp"
#include "connector/simulator/server.hpp"
#include "core/clock.hpp"

namespace certd::connector::simulator {

struct WsAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A Moodle exception, thrown inside a handler and answered as JSON.
struct WsException {
  std::string exception;
  std::string errorcode;
  std::string message;
  std::string debuginfo;
};

// Who opens an LTI tool from a course page, and where (lti_platform.cpp).
struct LaunchPerson {
  User user;
  std::string fullname;  // as the site formats names (fullnamedisplay)
  Id course_id = 0;
  std::string course_shortname;
  std::string course_fullname;
  std::optional<int> role;  // the enrolment's role id; nullopt when not enrolled
  bool enrolment_suspended = false;
  std::string site_name;
};

class World {
 public:
  World(School school, const Clock& clock) : m_school(std::move(school)), m_clock(clock) {}

  // One request to /webservice/rest/server.php (body or query string).
  WsAnswer handle(const std::string& form_body);

  Status complete_course(const std::string& username, const std::string& course, std::optional<TimePoint> at);
  // `rater` (a username) defaults to the course's teacher.
  Status rate_skill(const std::string& username, const std::string& course, const std::string& skill, int grade,
                    std::optional<TimePoint> at, const std::string& rater = {});
  Status set_grade(const std::string& username, const std::string& course, double grade, std::optional<TimePoint> at);
  Status suspend(const std::string& username, const std::string& course, bool suspended);
  Status mark_issue_now(const std::string& username, const std::string& course, const std::string& teacher,
                        std::optional<TimePoint> at);
  void set_capability(const std::string& capability, bool allowed);
  void set_function(const std::string& function, bool allowed);
  void set_debug(bool debug);
  // The switches of the school file, changed while serving (server.hpp
  // lists the control endpoints): keys of `switches` not given stay.
  Status set_site(const nlohmann::json& switches);
  Status set_course(const std::string& course, const nlohmann::json& switches);
  Status set_user(const std::string& username, const nlohmann::json& switches);
  // A framework's scale: {id?, values?, proficient?, default?}. Ratings
  // made before keep the proficiency they were given (as in Moodle).
  Status set_scale(const std::string& framework, const nlohmann::json& scale);
  // Empties a level (its competencies leave the framework; courses that
  // linked them link the level itself), or restores it.
  Status set_level_empty(const std::string& level_idnumber, bool empty);
  // The user and course of an LTI launch. not_found for an unknown (or
  // deleted) user or an unknown course.
  Result<LaunchPerson> launch_person(const std::string& username, const std::string& course) const;
  ServerStats stats() const;
  void count_request(const std::string& function);
  School school() const;
  std::string token() const;

 private:
  nlohmann::json dispatch(const std::string& function, const nlohmann::json& params);
  bool can(const std::string& capability) const { return !m_removed_capabilities.count(capability); }
  std::int64_t now() const { return to_unix(m_clock.now()); }

  // The web-service functions (ws_functions.cpp); `p` is validated.
  nlohmann::json site_info(const nlohmann::json& p);
  // local_certd_ping, when the school has the plugin (moodle/local_certd).
  nlohmann::json local_certd_ping(const nlohmann::json& p);
  nlohmann::json courses_by_field(const nlohmann::json& p);
  nlohmann::json course_contents(const nlohmann::json& p);
  nlohmann::json enrolled_users(const nlohmann::json& p);
  nlohmann::json users_courses(const nlohmann::json& p);
  nlohmann::json users_by_field(const nlohmann::json& p);
  nlohmann::json course_completion(const nlohmann::json& p);
  nlohmann::json activities_completion(const nlohmann::json& p);
  nlohmann::json override_completion(const nlohmann::json& p);
  nlohmann::json grade_items(const nlohmann::json& p);
  nlohmann::json competency_report(const nlohmann::json& p);
  nlohmann::json list_competencies(const nlohmann::json& p);
  nlohmann::json course_competencies(const nlohmann::json& p);
  nlohmann::json scale_values(const nlohmann::json& p);
  nlohmann::json grade_competency(const nlohmann::json& p);
  nlohmann::json set_filters(const nlohmann::json& p);
  nlohmann::json filters_reset(const nlohmann::json& p);
  nlohmann::json retrieve_report(const nlohmann::json& p);
  nlohmann::json create_notes(const nlohmann::json& p);
  nlohmann::json course_notes(const nlohmann::json& p);
  nlohmann::json send_messages(const nlohmann::json& p);
  nlohmann::json update_users(const nlohmann::json& p);
  nlohmann::json enrol_users(const nlohmann::json& p);
  nlohmann::json unenrol_users(const nlohmann::json& p);

  // Shared pieces.
  const Course& course_or_throw(Id id) const;
  const User& user_or_throw(Id id) const;
  nlohmann::json user_record(const User& user, bool with_details, bool by_field) const;
  nlohmann::json competency_record(const Competency& competency, const Framework& framework) const;
  nlohmann::json framework_record(const Framework& framework) const;
  std::string scale_configuration(const Framework& framework) const;
  bool can_enter(const Course& course) const;
  void require_course_access(const Course& course) const;
  WsException exception(const std::string& cls, const std::string& code, const std::string& message,
                        const std::string& debuginfo = {}) const;

  mutable std::mutex m_mutex;
  School m_school;               // Guarded by m_mutex.
  const Clock& m_clock;
  std::set<std::string> m_removed_capabilities;  // Guarded by m_mutex.
  std::set<std::string> m_removed_functions;     // Guarded by m_mutex.
  bool m_debug = false;                          // Guarded by m_mutex.
  nlohmann::json m_report_filter;                // Guarded by m_mutex; per token user.
  ServerStats m_stats;                           // Guarded by m_mutex.
  // Emptied levels: the competencies taken out, and which courses linked them.
  struct RemovedLevel {
    std::vector<Competency> children;
    std::map<Id, std::vector<Id>> linked;  // course -> competency ids
  };
  std::map<Id, RemovedLevel> m_emptied;          // Guarded by m_mutex; by level id.
  Id m_next_note = 100;                          // Guarded by m_mutex.
  Id m_next_message = 100;                       // Guarded by m_mutex.
};

}  // namespace certd::connector::simulator
