#pragma once
// What the daemon needs from an LMS, in certd's words (docs/architecture.md "Data
// flow"): courses, enrolled students with their guardians, completion
// state and time, grades, skill proficiencies per framework and level,
// changes since a cursor, and the write-back operations. Each LMS is an
// adapter behind this interface (Moodle first: connector/moodle/).
//
// Errors: every operation returns a Result/Status whose ErrorCode says
// whether to retry. `unavailable` is transient (network, timeout, HTTP
// 429/5xx, the LMS in maintenance): retry later with back-off. Anything
// else is permanent: record it and do not retry. Permanent errors made
// from an LMS answer carry the LMS's own error code as "[code] " at the
// start of the message (see lms_error_code()).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::connector {

class CursorStore;

using UserId = std::int64_t;
using CourseId = std::int64_t;
using ActivityId = std::int64_t;  // Moodle: the course module id (cmid)

struct Course {
  CourseId id = 0;
  std::string shortname;
  std::string fullname;
  bool manual_enrolment = false;  // an enabled manual enrolment instance exists
};

enum class Enrolment { active, suspended, not_enrolled };
const char* to_string(Enrolment enrolment);

// A person's full name made from the given and family names an LMS or a
// file gives apart, in the order of the name's own script. Pure;
// thread-safe.
//
// certd prefers the LMS's own full name: Moodle formats `fullname` by the
// site's `fullnamedisplay` setting (docs/moodle-api.md §6), so the school
// decides the order there. This is for when only the parts are known (a
// user record without `fullname`, a CSV file with given and family name
// columns):
//   - Chinese and Japanese names (Han, Hiragana, Katakana): family name
//     first, no space: 王 + 小明 -> 王小明, 山田 + 太郎 -> 山田太郎.
//   - Korean names (Hangul): family name first, no space, as Korean
//     spelling writes them (한글 맞춤법 §48: 김민준); a family name of two
//     syllables or more is followed by a space, which the same rule allows
//     so that the parts are not misread (남궁 + 억 -> 남궁 억).
//   - Any other name, or parts in different scripts: given name, a space,
//     family name (Zoë Ångström-Łukasiewicz).
// A missing part leaves the other alone; surrounding spaces are dropped.
std::string compose_full_name(const std::string& given, const std::string& family);

struct Student {
  UserId id = 0;
  std::string username;
  std::string idnumber;  // the school's student number
  std::string fullname;
  std::string email;
  std::vector<std::string> guardian_emails;  // from the configured profile field
  std::map<std::string, std::string> profile_fields;  // custom field shortname -> value
};

struct EnrolledStudent {
  Student student;
  Enrolment enrolment = Enrolment::active;
};

struct Skill {
  std::string name;      // e.g. "Backstroke 25m"
  std::string idnumber;  // the LMS's id for the skill, e.g. "L3-BACKSTROKE-25"
  bool rated = false;
  bool proficient = false;
};

// The skills of one level of one framework ("Swim Skills" / "Level 3").
struct SkillLevel {
  std::string framework;
  std::string level;
  std::vector<Skill> skills;

  bool all_proficient() const;
};

// Everything the rules need about one student in one course: the
// snapshot the daemon turns into rules::StudentFacts.
struct CourseProgress {
  Student student;
  Course course;
  Enrolment enrolment = Enrolment::not_enrolled;
  std::string enrolment_note;  // why the enrolment is not active, in plain words
  bool completed = false;
  std::optional<TimePoint> completed_at;  // the LMS's completion time
  std::optional<double> grade_percent;    // course total, 0..100; absent: not graded
  std::vector<SkillLevel> skills;         // one entry per (framework, level)
  // The teacher the LMS names for this student in this course: the one who
  // rated the latest skill, else the course's teacher by the configured
  // roles (MoodleOptions::teacher_roles). Empty when the LMS names nobody;
  // the daemon then falls back to issuer.signatory.
  std::string teacher_name;
};

// A teacher's "issue now" request made inside the LMS (docs/moodle-api.md §8).
struct IssueNowMark {
  UserId student = 0;
  Course course;
  ActivityId activity = 0;
  UserId teacher_id = 0;     // who marked it (Moodle: overrideby)
  std::string teacher_name;  // empty if the LMS would not tell
  TimePoint marked_at;

  // "moodle:issue-now:<user>:<activity>:<unix time>": the same mark always
  // has the same key, a later mark another one. Use it as the event id so
  // a mark is handled once even if clearing it failed.
  std::string key() const;
};

enum class ChangeKind { course_completed, grade_changed, skills_changed, issue_now, enrolment_suspended };
const char* to_string(ChangeKind kind);

struct Change {
  ChangeKind kind = ChangeKind::course_completed;
  UserId student = 0;
  Course course;
  TimePoint at;  // when it happened in the LMS, or when it was seen if the LMS has no time
  std::optional<double> grade_percent;    // grade_changed
  std::vector<SkillLevel> skills;         // skills_changed: the levels now, all of them
  std::optional<IssueNowMark> issue_now;  // issue_now
  // Stable and unique per change: "moodle:<kind>:<user>:<course>:<version>".
  // The same change seen twice has the same key: use it as the event id.
  std::string key;
};

// Something about the site that makes the poll skip part of its work:
// one course, one student or one function, never the whole cycle. The
// adapter logs a condition once when it starts and once when it ends;
// `conditions()` lists the ones in force (for a `certd status`).
struct SiteCondition {
  std::string key;      // stable, e.g. "course:SWIM-L4/nocriteriaset", "site/function:gradereport_user_get_grade_items"
  std::string subject;  // what it concerns, e.g. "course SWIM-L4", "student 42", "the service"
  std::string detail;   // what it means for certd, in plain words
  std::string lms_code; // the LMS's error code, "" when none
  TimePoint since;      // when the adapter first saw it
  std::string advice;   // what the school can do about it, in plain words ("" when nothing)
};

// What one cycle did for one watched course.
struct CoursePoll {
  std::string shortname;
  int requests = 0;   // HTTP requests made for this course (site-wide ones are not counted here)
  int changes = 0;
  std::string error;  // why the course was skipped or read only in part; "" when all went well
};

struct PollStats {
  int requests = 0;        // HTTP requests made by this cycle
  int changes = 0;
  int pairs_swept = 0;     // (student, course) pairs visited by the slow sweep
  int pairs_total = 0;     // of how many the sweep walks through
  std::string completions_from;  // "report" or "sweep"
  std::chrono::milliseconds elapsed{0};
  std::vector<CoursePoll> courses;  // one per watched course, in the configured order
};

// One poll cycle's findings. Nothing is persisted until Poller::commit
// (or the caller) writes `cursor_updates`, so a crash before the changes
// are recorded makes the next cycle find them again.
struct PollResult {
  std::vector<Change> changes;
  // A snapshot per (student, course) that has a change, same order as first seen.
  std::vector<CourseProgress> snapshots;
  std::map<std::string, std::string> cursor_updates;  // key -> value for the CursorStore
  std::vector<std::string> warnings;  // degraded but not failed, in plain words
  // Conditions (skipped courses, students, functions) that began or ended
  // in this cycle; Lms::conditions() has all of those in force.
  std::vector<SiteCondition> conditions_started;
  std::vector<SiteCondition> conditions_ended;
  PollStats stats;

  const CourseProgress* snapshot(UserId student, CourseId course) const;
};

// Which facts the rules of one course read (rules/rule.hpp conditions):
// the adapter asks the LMS only for these. "Issue now" marks are always
// watched. The default, everything, is what the adapter did before.
struct FactsNeeded {
  bool completion = true;  // course_completed, completed_between
  bool grades = true;      // min_grade
  bool skills = true;      // all_skills_proficient, skills_proficient
};

// What `certd check-config --online` reports.
struct SiteCheck {
  std::string site_name;
  std::string release;
  std::string service_user;
  std::vector<std::string> missing;  // each missing function or capability, in plain words
  std::vector<std::string> notes;    // worth knowing, not wrong
};

// --- Write-back requests. Each operation is idempotent as documented. ---

// A note on the student's record. Idempotent: the adapter first looks for
// an existing note carrying `verification_url` and creates none if found.
struct NoteRequest {
  UserId student = 0;
  CourseId course = 0;
  std::string certificate_number;
  std::string title;             // the certificate's title, e.g. "Swimming Level 3"
  std::string verification_url;  // unique per certificate; the duplicate check looks for it
  std::string client_id;         // sent as Moodle's clientnoteid, e.g. "certd-note-<outbox id>"
  // True only when no earlier attempt can have written the note (the
  // outbox row's first try): the look for an existing note is skipped,
  // one LMS call fewer per certificate. Any retry looks first.
  bool first_attempt = false;
};

// An instant message to the student.
struct MessageRequest {
  UserId student = 0;
  std::string text;       // plain text
  std::string client_id;  // sent as Moodle's clientmsgid
};

enum class Delivery { delivered, refused };

struct MessageOutcome {
  Delivery delivery = Delivery::delivered;
  std::string detail;  // the LMS's words when refused
};

// Enrols the student in the next level's course.
struct EnrolRequest {
  UserId student = 0;
  CourseId course = 0;
  int role_id = 5;  // Moodle's student role
};

enum class EnrolOutcome { enrolled, already_enrolled };

// The LMS. Thread-safety: implementations are safe to call from several
// threads at once (the outbox workers and the poller).
class Lms {
 public:
  virtual ~Lms() = default;

  // Token, functions, capabilities: what is missing, in plain words.
  // Errors: unavailable (unreachable), permission_denied (bad token).
  virtual Result<SiteCheck> check_site() = 0;

  // The courses with these shortnames; an unknown one is not_found.
  virtual Result<std::vector<Course>> courses(const std::vector<std::string>& shortnames) = 0;
  // Students of a course, suspended ones included (marked so).
  virtual Result<std::vector<EnrolledStudent>> enrolled_students(const Course& course) = 0;
  // The snapshot of one student in one course, read fresh.
  virtual Result<CourseProgress> progress(const Course& course, UserId student) = 0;
  // The teacher's open "issue now" mark for this student in this course,
  // read fresh (the poll's own reading of marks, docs/moodle-api.md §8);
  // nullopt when there is none. A signed webhook saying "issue now" is only
  // a hint: certd forces a certificate only for a mark the LMS shows.
  virtual Result<std::optional<IssueNowMark>> issue_now_mark(const Course& course, UserId student) = 0;
  // What changed since the cursor kept in `cursors`. Only reads the
  // cursor store: the new cursor is in PollResult::cursor_updates.
  virtual Result<PollResult> poll_changes(CursorStore& cursors) = 0;
  // The facts each watched course needs, by course shortname; a course
  // not listed needs everything. Call before polling (or between polls).
  virtual void set_facts_needed(std::map<std::string, FactsNeeded> by_course) { (void)by_course; }
  // The conditions in force since the last poll (empty if the adapter keeps none).
  virtual std::vector<SiteCondition> conditions() const { return {}; }
  // Every later read fails at once as unavailable ("certd is stopping"),
  // so that a poll under way (hundreds of requests on a big site) ends
  // within one request instead of holding a stopping daemon past its
  // shutdown timeout. A failed poll moves no cursor, so the next start
  // reads the same changes. Writes still go: each is one request, and the
  // outbox stops after the one under way (a write that must look first,
  // such as a retried note, fails like a read and is tried again later).
  // Thread-safe; cannot be undone.
  virtual void stop_reading() {}

  // Write-backs. Transient failures are `unavailable`; anything else is
  // permanent and carries the LMS's error code and message.
  virtual Status add_note(const NoteRequest& request) = 0;
  // A refusal by the student's message preferences is an outcome, not an
  // error: record it and do not retry. An unknown student is not_found.
  // Moodle cannot look a message up again, so a retry after an answer was
  // lost in transit may deliver a second copy (same clientmsgid).
  virtual Result<MessageOutcome> send_message(const MessageRequest& request) = 0;
  // Sets a custom profile field (idempotent: same value, same result).
  virtual Status set_profile_field(UserId student, const std::string& field, const std::string& value) = 0;
  // Marks the named activity complete for the student (teacher override).
  virtual Status complete_activity(const Course& course, const std::string& activity_name, UserId student) = 0;
  // Clears an "issue now" mark once its certificate is issued (idempotent).
  virtual Status clear_issue_now(const IssueNowMark& mark) = 0;
  // Enrols the student (Moodle: an upsert that would also re-activate a
  // suspended enrolment). The adapter checks first and never touches an
  // existing enrolment, active or suspended: already_enrolled.
  virtual Result<EnrolOutcome> enrol(const EnrolRequest& request) = 0;
};

// The LMS error code at the start of an adapter error ("[usernotenroled]
// ..."), or "" when the error did not come from an LMS answer.
std::string lms_error_code(const Error& error);

}  // namespace certd::connector
