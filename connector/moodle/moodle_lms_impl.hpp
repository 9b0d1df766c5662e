#pragma once
// Internal: the Moodle adapter's class, shared by moodle_lms.cpp (reads,
// writes, site check) and moodle_poll.cpp (poll_changes).

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connector/cursor_store.hpp"
#include "connector/moodle/conditions.hpp"
#include "connector/moodle/moodle_lms.hpp"
#include "connector/moodle/moodle_parse.hpp"
#include "connector/moodle/ws_client.hpp"

namespace certd::connector::moodle {

// What the adapter learned about a course once (its activities and
// competencies change rarely; a restart refreshes them).
struct CourseInfo {
  Course course;
  std::optional<ActivityId> issue_now;  // the hidden "issue now" activity
  std::map<std::string, ActivityId> activities;  // by name
  bool has_competencies = false;
};

// Observed state of one (student, course), kept in the cursor store.
struct PairState {
  std::int64_t completed = 0;  // unix time of the completion seen, 0: none
  std::string grade;           // "<percent>@<graded unix>", "": none
  std::string skills;          // digest of the proficiencies, "": none seen
  std::int64_t mark = 0;       // time of the open "issue now" mark, 0: none
  bool suspended = false;
};

using PairStates = std::map<UserId, PairState>;
std::string serialize_pairs(const PairStates& pairs);
PairStates parse_pairs(const std::string& text);

// One student's skills in one course (report_competency_data_for_report).
struct SkillsRead {
  std::vector<SkillLevel> levels;   // a level node without competencies is a level without skills
  std::optional<TimePoint> modified;  // the latest rating
  // Who made the latest rating by someone other than the student, the
  // service user or nobody; 0 when there is none (CourseProgress::teacher_name).
  UserId rater = 0;
};

// What one visit of the slow sweep found for a pair.
struct SweepVisit {
  UserId student = 0;
  CourseId course = 0;
  std::optional<Error> error;
  std::optional<ActivityState> mark;           // the issue-now activity's state
  std::optional<SkillsRead> skills;
  long long requests = 0;                      // sent by this visit (PollStats::courses)
};

class MoodleLms final : public Lms {
 public:
  MoodleLms(MoodleOptions options, std::unique_ptr<HttpTransport> transport, const Clock& clock)
      : m_options(std::move(options)), m_ws(std::move(transport), m_options.token, m_options.retry_pause), m_clock(clock) {}

  Result<SiteCheck> check_site() override;
  Result<std::vector<Course>> courses(const std::vector<std::string>& shortnames) override;
  Result<std::vector<EnrolledStudent>> enrolled_students(const Course& course) override;
  Result<CourseProgress> progress(const Course& course, UserId student) override;
  Result<PollResult> poll_changes(CursorStore& cursors) override;
  Result<std::optional<IssueNowMark>> issue_now_mark(const Course& course, UserId student) override;
  void set_facts_needed(std::map<std::string, FactsNeeded> by_course) override;
  std::vector<SiteCondition> conditions() const override { return m_conditions.current(); }
  void stop_reading() override { m_ws.stop_reading(); }

  Status add_note(const NoteRequest& request) override;
  Result<MessageOutcome> send_message(const MessageRequest& request) override;
  Status set_profile_field(UserId student, const std::string& field, const std::string& value) override;
  Status complete_activity(const Course& course, const std::string& activity_name, UserId student) override;
  Status clear_issue_now(const IssueNowMark& mark) override;
  Result<EnrolOutcome> enrol(const EnrolRequest& request) override;

  // Reads shared by the poller (each one request unless cached).
  Result<CourseInfo> course_info(const Course& course);
  Result<std::vector<Student>> users_by_id(const std::vector<UserId>& ids);
  // The same with the account's own state (suspended, never logged in).
  Result<std::vector<UserRecord>> user_records_by_id(const std::vector<UserId>& ids);
  Result<std::vector<Student>> users_by_username(const std::vector<std::string>& usernames);
  // Active students (onlyactive) or suspended ones, paged.
  Result<std::vector<Student>> roster(CourseId course, Enrolment which);
  Result<CompletionState> course_completion(CourseId course, UserId student);
  Result<std::optional<double>> grade(CourseId course, UserId student);
  Result<std::vector<ActivityState>> activities(CourseId course, UserId student);
  // The student's skills per (framework, level), the latest rating and its rater.
  Result<SkillsRead> skills(CourseId course, UserId student);
  Result<std::string> teacher_name(UserId teacher);
  // The course's teacher by MoodleOptions::teacher_roles ("" for nobody):
  // one request, cached until the course's roster is fetched again.
  Result<std::string> course_teacher(CourseId course);
  // The teacher in CourseProgress: the latest rater, else the course's teacher.
  Result<std::string> teacher_for(CourseId course, UserId rater);
  // Whether the course has completion tracking on, read fresh (nullopt: not shown).
  Result<std::optional<bool>> completion_tracking(const Course& course);
  // Framework trees are read again on next use (a new sweep round).
  void forget_frameworks();
  // Course teachers are read again on next use.
  void forget_teachers();
  // The service user's id, once site info was read (0 before).
  UserId service_user() const;
  void set_service_user(UserId id);
  // Ids for usernames (cached; unknown ones are left out).
  Result<std::map<std::string, UserId>> user_ids(const std::vector<std::string>& usernames);
  // Every graded student's course total, one call (userid=0).
  Result<std::vector<CourseGrade>> course_grades(CourseId course);
  // The active students of a course, fetched again when `refresh` is set
  // or nothing is cached.
  Result<std::vector<Student>> cached_roster(CourseId course, bool refresh);
  long long requests_sent() const { return m_ws.requests_sent(); }
  Result<json> call(const std::string& function, const FormBuilder& params) {
    return m_ws.call(function, params, Retry::reads);
  }
  const MoodleOptions& options() const { return m_options; }
  const Clock& clock() const { return m_clock; }
  // One pair's "issue now" mark and skills, with the requests it took.
  SweepVisit visit(const CourseInfo& info, UserId student);
  // What the rules of this course read (everything unless told otherwise).
  FactsNeeded facts_needed(const std::string& shortname);
  // Kept across cycles, so each condition is logged once (conditions.hpp).
  ConditionTracker& tracker() { return m_conditions; }

 private:
  // Where a rated competency sits: the name of its level, or, for a level
  // node of a levelled framework that has no competencies, that it is one.
  struct Place {
    std::string level;
    bool empty_level = false;
  };
  Result<Place> place(const Rating& rating);
  SweepVisit visit_pair(const CourseInfo& info, UserId student);
  std::string plugin_note(const SiteInfo& info);
  Result<Enrolment> enrolment_when_not_active(CourseId course, UserId student);
  Result<bool> has_note(const NoteRequest& request);
  // Probes the read capabilities in one course, with one of its students.
  void check_course_access(SiteCheck& check, const Course& course);
  void check_student_access(SiteCheck& check, const Course& course, UserId student);

  MoodleOptions m_options;
  WsClient m_ws;
  const Clock& m_clock;

  mutable std::mutex m_mutex;
  std::map<CourseId, CourseInfo> m_courses;                        // Guarded by m_mutex.
  std::map<std::string, Course> m_courses_by_name;                 // Guarded by m_mutex.
  std::map<std::int64_t, std::map<std::int64_t, Competency>> m_frameworks;  // Guarded by m_mutex.
  std::map<UserId, std::string> m_names;                           // Guarded by m_mutex.
  std::map<std::string, UserId> m_user_ids;                        // Guarded by m_mutex.
  std::map<CourseId, std::vector<Student>> m_rosters;              // Guarded by m_mutex.
  std::map<CourseId, std::string> m_teachers;                      // Guarded by m_mutex; by role.
  UserId m_service_user = 0;                                       // Guarded by m_mutex.
  std::map<std::string, FactsNeeded> m_facts;                      // Guarded by m_mutex; by shortname.
  ConditionTracker m_conditions;
};

}  // namespace certd::connector::moodle
