// poll_changes: one cycle of change discovery (see moodle_lms.hpp for the
// strategy and its costs).
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "connector/moodle/moodle_lms_impl.hpp"
#include "core/log.hpp"
#include "core/parallel_for.hpp"

namespace certd::connector::moodle {

namespace {

constexpr const char* k_poll_key = "moodle.poll";
constexpr int k_max_report_pages = 10000;

std::string pairs_key(CourseId course) { return "moodle.pairs." + std::to_string(course); }

struct PollCursor {
  std::int64_t last_poll = 0;  // unix time of the last committed cycle
  CourseId sweep_course = 0;   // the last pair the sweep visited; 0: start a round
  UserId sweep_student = 0;
};

PollCursor parse_cursor(const std::string& text) {
  PollCursor cursor;
  std::istringstream in(text);
  std::string version;
  in >> version >> cursor.last_poll >> cursor.sweep_course >> cursor.sweep_student;
  if (version != "v1" || !in) return PollCursor();
  return cursor;
}

std::string format_cursor(const PollCursor& cursor) {
  return "v1 " + std::to_string(cursor.last_poll) + " " + std::to_string(cursor.sweep_course) + " " +
         std::to_string(cursor.sweep_student);
}

// FNV-1a: a digest that stays the same across builds and platforms.
std::string digest(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

std::string skills_digest(const std::vector<SkillLevel>& levels) {
  std::string text;
  bool any_rated = false;
  for (const SkillLevel& level : levels)
    for (const Skill& skill : level.skills) {
      text += level.framework + "/" + level.level + "/" + skill.idnumber + "=" +
              (skill.proficient ? "P" : skill.rated ? "N" : "U") + ";";
      any_rated = any_rated || skill.rated;
    }
  return any_rated ? digest(text) : std::string();
}

std::string grade_text(double percent, std::optional<TimePoint> graded_at) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f@%lld", percent,
                static_cast<long long>(graded_at ? to_unix(*graded_at) : 0));
  return buffer;
}

using PairKey = std::pair<UserId, CourseId>;

// A snapshot before its teacher is named (names are looked up once, in order).
struct Snapshot {
  CourseProgress progress;
  UserId rater = 0;
};

// A refusal of the whole external service (disabled, deleted, or the token
// of another one): every call fails alike. Moodle's REST server answers it
// as accessexception with "Web service is not available" in the debug
// info; `servicenotavailable` is the code of the same words elsewhere
// (docs/moodle-api.md §3a).
bool service_refused(const Error& error) {
  std::string code = lms_error_code(error);
  return code == "servicenotavailable" ||
         (code == "accessexception" && error.message().find("Web service is not available") != std::string::npos);
}

class PollCycle {
 public:
  PollCycle(MoodleLms& lms, CursorStore& cursors)
      : m_lms(lms), m_cursors(cursors), m_options(lms.options()), m_now(lms.clock().now()) {}

  Result<PollResult> run();

 private:
  Result<PollResult> run_steps();
  Status load();
  Status find_missing_functions();
  Status find_suspensions();
  Status completions_from_report();
  Status probe_criteria();
  Status completions_by_sweep();
  Status find_grades();
  Status sweep();
  Status build_snapshots();
  Result<Snapshot> snapshot(const PairKey& pair);
  // The account's own state: suspended, never logged in (conditions of the student).
  void account_seen(const UserRecord& record);
  // Students with a condition of their account in force ("student:<id>/...").
  std::vector<UserId> flagged_students() const;
  // Looks again at flagged students that had no change this cycle.
  void recheck(const std::vector<UserId>& flagged, const std::map<UserId, const UserRecord*>& by_id);
  // Levels without competencies make the course's skill rules unreachable.
  void levels_seen(const CourseInfo& course, const std::vector<SkillLevel>& levels);
  void service_unavailable(const Error& error);
  void apply_visit(const CourseInfo& info, const SweepVisit& visit);
  void save();
  // A failure that belongs to one course, student or function: recorded
  // as a condition of `scope`, and the cycle goes on without it. Returns
  // false when the whole cycle must fail instead (transient, bad token).
  bool isolate(const Error& error, const std::string& function, const std::string& scope, const std::string& subject,
               const std::string& kind = {});
  void condition(const std::string& scope, const std::string& kind, const std::string& subject,
                 const std::string& detail, const std::string& code, const std::string& advice);
  // Requests of work done for one course on this thread (PollStats::courses).
  template <typename F>
  auto for_course(const std::string& shortname, F&& work) {
    long long before = thread_requests();
    auto result = work();
    count(shortname, thread_requests() - before);
    return result;
  }
  void count(const std::string& shortname, long long requests) {
    std::lock_guard<std::mutex> lock(m_count_mutex);
    m_course_requests[shortname] += requests;
  }
  void fill_course_stats();
  bool available(const std::string& function) const { return !m_missing.count(function); }
  // Forgets what this cycle saw of a pair, so the next cycle finds it
  // again: a change is never committed without its snapshot.
  void defer(const PairKey& pair);
  const FactsNeeded& facts(CourseId course) { return m_facts[course]; }
  bool no_criteria(const CourseInfo& course) const {
    return m_lms.tracker().active(course_scope(course), "nocriteriaset");
  }
  // Moodle answers nocriteriaset with tracking off too: the course's
  // enablecompletion tells which to advise (read once a cycle).
  void no_criteria_seen(const CourseInfo& course) {
    auto checked = m_tracking_off.find(course.course.id);
    if (checked == m_tracking_off.end()) {
      Result<std::optional<bool>> tracking =
          for_course(course.course.shortname, [&] { return m_lms.completion_tracking(course.course); });
      bool off = tracking && *tracking && !**tracking;
      checked = m_tracking_off.emplace(course.course.id, off).first;
    }
    if (checked->second)
      condition(course_scope(course), "nocriteriaset", "course " + course.course.shortname,
                "completion tracking is off in the course (Moodle: nocriteriaset): nobody can complete it, other facts "
                "are read",
                "nocriteriaset", advice::tracking_off());
    else
      condition(course_scope(course), "nocriteriaset", "course " + course.course.shortname,
                "no completion criteria are set (Moodle: nocriteriaset): nobody can complete it, other facts are read",
                "nocriteriaset", advice::no_criteria());
  }
  static std::string course_scope(const CourseInfo& course) { return "course:" + course.course.shortname; }
  static std::string pair_scope(const CourseInfo& course, UserId student) {
    return "student:" + std::to_string(student) + ":" + course.course.shortname;
  }
  // Where a failed per-student read belongs: refusals to enter the course
  // concern the course (one condition, not one per student).
  static std::string scope_of(const Error& error, const CourseInfo& course, UserId student) {
    std::string code = lms_error_code(error);
    bool course_wide = code == "requireloginerror" || code == "errorcoursecontextnotvalid" || code == "invalidrecord";
    return course_wide ? course_scope(course) : pair_scope(course, student);
  }

  PairState& state(CourseId course, UserId student) { return m_pairs[course][student]; }
  void dirty(CourseId course) { m_dirty.insert(course); }
  void add_change(Change change);
  const CourseInfo* info(CourseId course) const;
  std::string version() const { return std::to_string(m_cursor.last_poll); }

  MoodleLms& m_lms;
  CursorStore& m_cursors;
  const MoodleOptions& m_options;
  TimePoint m_now;
  PollCursor m_cursor;
  PollCursor m_next;
  std::vector<CourseInfo> m_courses;
  std::map<CourseId, PairStates> m_pairs;
  std::map<CourseId, PairStates> m_loaded;  // as the cycle started (defer)
  std::map<CourseId, FactsNeeded> m_facts;  // what the rules read, and the service can answer
  std::set<std::string> m_missing;          // functions not in the service
  std::set<CourseId> m_dirty;
  std::map<CourseId, std::set<UserId>> m_suspended;
  std::map<CourseId, std::vector<Student>> m_rosters;  // fetched this cycle
  std::vector<PairKey> m_touched;
  std::map<PairKey, CompletionState> m_completion;
  std::map<PairKey, std::optional<double>> m_grade;
  std::map<PairKey, std::vector<SkillLevel>> m_skills;
  std::map<PairKey, UserId> m_raters;       // who rated the latest skill, from the sweep
  std::map<CourseId, bool> m_tracking_off;  // checked this cycle (no_criteria_seen)
  std::map<std::string, std::string> m_course_errors;  // by shortname: why skipped or read in part
  bool m_service_refused = false;
  std::mutex m_count_mutex;
  std::map<std::string, long long> m_course_requests;  // Guarded by m_count_mutex; by shortname.
  PollResult m_result;
};

const CourseInfo* PollCycle::info(CourseId course) const {
  for (const CourseInfo& entry : m_courses)
    if (entry.course.id == course) return &entry;
  return nullptr;
}

void PollCycle::add_change(Change change) {
  PairKey pair{change.student, change.course.id};
  if (std::find(m_touched.begin(), m_touched.end(), pair) == m_touched.end()) m_touched.push_back(pair);
  m_result.changes.push_back(std::move(change));
}

Status PollCycle::load() {
  CERTD_ASSIGN_OR_RETURN(std::optional<std::string> cursor, m_cursors.get(k_poll_key));
  if (cursor) m_cursor = parse_cursor(*cursor);
  m_next = m_cursor;
  m_next.last_poll = to_unix(m_now);
  m_lms.tracker().begin_cycle();
  CERTD_TRY(find_missing_functions());
  // One course at a time: a course that is gone, hidden or closed to the
  // service user is skipped, the others are polled.
  for (const std::string& shortname : m_options.courses) {
    std::string scope = "course:" + shortname;
    m_lms.tracker().examined(scope);
    Result<std::vector<Course>> found = for_course(shortname, [&] { return m_lms.courses({shortname}); });
    if (!found) {
      if (!isolate(found.error(), "core_course_get_courses_by_field", scope, "course " + shortname, "not-found"))
        return found.error();
      continue;
    }
    Result<CourseInfo> course_info = for_course(shortname, [&] { return m_lms.course_info(found->front()); });
    if (!course_info) {
      if (!isolate(course_info.error(), "core_course_get_contents", scope, "course " + shortname)) return course_info.error();
      continue;
    }
    CourseInfo info = *course_info;
    const Course& course = info.course;
    // Ask only for what the rules of this course read and the service answers.
    FactsNeeded needed = m_lms.facts_needed(shortname);
    needed.completion = needed.completion && available("core_completion_get_course_completion_status");
    needed.grades = needed.grades && available("gradereport_user_get_grade_items");
    needed.skills = needed.skills && available("report_competency_data_for_report") &&
                    available("core_competency_list_competencies");
    if (!needed.skills) info.has_competencies = false;
    if (!available("core_completion_get_activities_completion_status")) info.issue_now.reset();
    m_facts[course.id] = needed;
    m_courses.push_back(info);
    CERTD_ASSIGN_OR_RETURN(std::optional<std::string> pairs, m_cursors.get(pairs_key(course.id)));
    m_pairs[course.id] = pairs ? parse_pairs(*pairs) : PairStates();
  }
  m_loaded = m_pairs;
  return ok();
}

Status PollCycle::find_missing_functions() {
  // One request per cycle: a function taken out of the service stops only
  // what needs it, and its return is noticed.
  Result<json> site = m_lms.call("core_webservice_get_site_info", FormBuilder());
  if (!site) {
    std::string code = lms_error_code(site.error());
    if (site.error().code() == ErrorCode::unavailable || code == "invalidtoken") return site.error();
    if (service_refused(site.error())) {
      service_unavailable(site.error());
      return site.error();
    }
    if (code != "accessexception") return ok();  // cannot tell: assume every function is there
    // Without debug info a disabled service answers like a function left
    // out of it (docs/moodle-api.md §3a): a second function tells them apart.
    FormBuilder probe;
    probe.add("field", std::string("id")).add("value", std::string("1"));
    Result<json> other = m_lms.call("core_course_get_courses_by_field", probe);
    if (!other && lms_error_code(other.error()) == "accessexception") {
      service_unavailable(other.error());
      return other.error();
    }
    m_missing.insert("core_webservice_get_site_info");
    condition("site", "function:core_webservice_get_site_info", "the web service",
              "function core_webservice_get_site_info is not in the service: missing functions are found by their "
              "calls only",
              "accessexception", advice::function_missing("core_webservice_get_site_info"));
    return ok();
  }
  SiteInfo info = parse_site_info(*site);
  m_lms.set_service_user(info.user_id);
  if (info.functions.empty()) return ok();
  m_lms.tracker().examined("site");
  for (const std::string& function : required_functions()) {
    bool report_only = function.rfind("core_reportbuilder_", 0) == 0;
    if (report_only && m_options.completions_report == 0) continue;
    if (info.functions.count(function)) continue;
    m_missing.insert(function);
    condition("site", "function:" + function, "the web service",
              "function " + function + " is not in the service: what needs it is skipped", "accessexception",
              advice::function_missing(function));
  }
  return ok();
}

void PollCycle::service_unavailable(const Error& error) {
  m_service_refused = true;
  condition("site", "service-unavailable", "the web service",
            "the external service of the token is disabled or does not exist: nothing can be read",
            lms_error_code(error), advice::service_unavailable());
}

bool PollCycle::isolate(const Error& error, const std::string& function, const std::string& scope,
                        const std::string& subject, const std::string& kind) {
  std::string code = lms_error_code(error);
  if (error.code() == ErrorCode::unavailable || code == "invalidtoken") return false;
  // The whole service refused: like a bad token, nothing can be read.
  if (service_refused(error)) {
    service_unavailable(error);
    return false;
  }
  if (code == "accessexception") {
    m_missing.insert(function);
    condition("site", "function:" + function, "the web service",
              "function " + function + " is not in the service: what needs it is skipped", code,
              advice::function_missing(function));
    return true;
  }
  // A student's read that hit a course-wide refusal is the course's condition.
  std::string about = scope.rfind("course:", 0) == 0 ? "course " + scope.substr(7) : subject;
  std::string advice = kind == "not-found"            ? advice::course_not_found()
                       : kind == "completions-report" ? advice::report_gone()
                                                      : advice::for_error(code, error.code(), function);
  condition(scope, !kind.empty() ? kind : !code.empty() ? code : to_string(error.code()), about,
            "skipped until this changes: " + error.message(), code, advice);
  return true;
}

void PollCycle::condition(const std::string& scope, const std::string& kind, const std::string& subject,
                          const std::string& detail, const std::string& code, const std::string& advice) {
  // Which watched course it concerns, if any: "course:X", "levels:X", "student:N:X".
  std::string course;
  if (scope.rfind("course:", 0) == 0) course = scope.substr(7);
  else if (scope.rfind("levels:", 0) == 0) course = scope.substr(7);
  else if (scope.rfind("student:", 0) == 0 && scope.find(':', 8) != std::string::npos)
    course = scope.substr(scope.find(':', 8) + 1);
  if (!course.empty()) {
    std::string words = scope.rfind("student:", 0) == 0 ? subject + ": " + detail : detail;
    std::string& error = m_course_errors[course];
    if (error.find(words) == std::string::npos) error += (error.empty() ? "" : "; ") + words;
  }
  if (m_lms.tracker().raise(scope, kind, subject, detail, code, advice, m_now))
    m_result.conditions_started.push_back(SiteCondition{scope + "/" + kind, subject, detail, code, m_now, advice});
}

void PollCycle::defer(const PairKey& pair) {
  // Named copies, not a structured binding: a lambda may not capture one
  // before C++20 (clang refuses; the fuzz build uses clang).
  const UserId student = pair.first;
  const CourseId course = pair.second;
  m_result.changes.erase(std::remove_if(m_result.changes.begin(), m_result.changes.end(),
                                        [&](const Change& change) {
                                          return change.student == student && change.course.id == course;
                                        }),
                         m_result.changes.end());
  const PairStates& loaded = m_loaded[course];
  auto before = loaded.find(student);
  if (before != loaded.end()) m_pairs[course][student] = before->second;
  else m_pairs[course].erase(student);
  dirty(course);
}

Status PollCycle::find_suspensions() {
  for (const CourseInfo& course : m_courses) {
    Result<std::vector<Student>> listed =
        for_course(course.course.shortname, [&] { return m_lms.roster(course.course.id, Enrolment::suspended); });
    if (!listed) {
      if (!isolate(listed.error(), "core_enrol_get_enrolled_users", course_scope(course), "course " + course.course.shortname))
        return listed.error();
      continue;
    }
    const std::vector<Student>& suspended = *listed;
    std::set<UserId>& ids = m_suspended[course.course.id];
    for (const Student& student : suspended) ids.insert(student.id);
    for (auto& [student, pair] : m_pairs[course.course.id])
      if (pair.suspended && !ids.count(student)) {
        pair.suspended = false;
        dirty(course.course.id);
      }
    for (UserId student : ids) {
      PairState& pair = state(course.course.id, student);
      if (pair.suspended) continue;
      pair.suspended = true;
      dirty(course.course.id);
      Change change;
      change.kind = ChangeKind::enrolment_suspended;
      change.student = student;
      change.course = course.course;
      change.at = m_now;  // Moodle gives no time for a suspension
      change.key = "moodle:suspended:" + std::to_string(student) + ":" + std::to_string(course.course.id) + ":" +
                   version();
      add_change(std::move(change));
    }
  }
  return ok();
}

Status PollCycle::probe_criteria() {
  // One status call a cycle for one student of each course whose rules
  // read completion: Moodle answers nocriteriaset for everyone or no one,
  // so one answer tells whether criteria are set, or were set since.
  for (const CourseInfo& course : m_courses) {
    if (!facts(course.course.id).completion) continue;
    Result<std::vector<Student>> roster =
        for_course(course.course.shortname, [&] { return m_lms.cached_roster(course.course.id, /*refresh=*/false); });
    if (!roster) {
      if (!isolate(roster.error(), "core_enrol_get_enrolled_users", course_scope(course), "course " + course.course.shortname))
        return roster.error();
      continue;
    }
    if (roster->empty()) {
      if (no_criteria(course)) no_criteria_seen(course);  // nobody to ask: what was known holds
      continue;
    }
    UserId student = roster->front().id;
    Result<CompletionState> answer =
        for_course(course.course.shortname, [&] { return m_lms.course_completion(course.course.id, student); });
    if (answer) continue;  // criteria are set: a condition held until now ends with this cycle
    std::string code = lms_error_code(answer.error());
    if (code == "nocriteriaset") {
      no_criteria_seen(course);
    } else if (code == "usernotenroled") {
      if (no_criteria(course)) no_criteria_seen(course);  // suspended since the roster: cannot tell
    } else if (!isolate(answer.error(), "core_completion_get_course_completion_status",
                        scope_of(answer.error(), course, student),
                        "student " + std::to_string(student) + " in " + course.course.shortname)) {
      return answer.error();
    }
  }
  return ok();
}

Status PollCycle::completions_from_report() {
  // Completions stamped by cron can carry an earlier time than when they
  // appear (docs/moodle-api.md §9): look back, and skip what the pairs know.
  // The report lists completions, so it cannot tell a course without
  // criteria (nobody can complete it) from a quiet one.
  CERTD_TRY(probe_criteria());
  std::int64_t from = m_cursor.last_poll > 0 ? std::max<std::int64_t>(0, m_cursor.last_poll - m_options.completion_lookback.count()) : 0;
  json filter = {{"completion:timecompleted_operator", 3},
                 {"completion:timecompleted_from", from},
                 {"completion:timecompleted_to", 0}};
  FormBuilder set_filters;
  set_filters.add("reportid", static_cast<std::int64_t>(m_options.completions_report)).add("values", filter.dump());
  CERTD_TRY(m_lms.call("core_reportbuilder_set_filters", set_filters));
  std::vector<ReportRow> rows;
  const int per_page = std::max(1, m_options.report_page_size);
  for (int page = 0; page < k_max_report_pages; ++page) {
    FormBuilder params;
    params.add("reportid", static_cast<std::int64_t>(m_options.completions_report)).add("page", page).add("perpage", per_page);
    CERTD_ASSIGN_OR_RETURN(json answer, m_lms.call("core_reportbuilder_retrieve_report", params));
    ReportPage report = parse_completions_report(answer);
    if (!report.has_columns)
      return Error(ErrorCode::invalid_argument, "completions report " + std::to_string(m_options.completions_report) +
                                                    " lacks the columns \"Course short name\" and \"Username\"");
    for (ReportRow& row : report.rows) rows.push_back(std::move(row));
    if (static_cast<int>(report.rows.size()) < per_page || static_cast<std::int64_t>(rows.size()) >= report.total_rows)
      break;
  }
  std::vector<std::string> usernames;
  for (const ReportRow& row : rows) usernames.push_back(row.username);
  CERTD_ASSIGN_OR_RETURN(auto ids, m_lms.user_ids(usernames));
  struct Candidate {
    const CourseInfo* course;
    UserId student;
    std::optional<TimePoint> shown;
  };
  std::vector<Candidate> candidates;
  for (const ReportRow& row : rows) {
    auto course = std::find_if(m_courses.begin(), m_courses.end(),
                               [&](const CourseInfo& c) { return c.course.shortname == row.course; });
    auto id = ids.find(row.username);
    if (course == m_courses.end() || id == ids.end()) continue;
    if (!facts(course->course.id).completion || no_criteria(*course)) continue;
    if (state(course->course.id, id->second).completed != 0) continue;
    candidates.push_back({&*course, id->second, row.completed_at});
  }
  std::vector<Result<CompletionState>> answers(candidates.size(), CompletionState());
  parallel_for(candidates.size(), m_options.max_connections, [&](std::size_t i) {
    answers[i] = for_course(candidates[i].course->course.shortname, [&] {
      return m_lms.course_completion(candidates[i].course->course.id, candidates[i].student);
    });
  });
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i];
    CompletionState completion;
    if (answers[i]) {
      completion = *answers[i];
    } else if (lms_error_code(answers[i].error()) == "usernotenroled") {
      // The report lists suspended enrolments too; their status call
      // fails, so the report's own (minute) time stands in.
      completion.completed = true;
      completion.completed_at = candidate.shown ? candidate.shown : m_now;
    } else if (lms_error_code(answers[i].error()) == "nocriteriaset") {
      no_criteria_seen(*candidate.course);
      continue;
    } else {
      if (!isolate(answers[i].error(), "core_completion_get_course_completion_status",
                   scope_of(answers[i].error(), *candidate.course, candidate.student), "student " + std::to_string(candidate.student) +
                   " in " + candidate.course->course.shortname))
        return answers[i].error();
      continue;
    }
    if (!completion.completed || !completion.completed_at) continue;
    CourseId course = candidate.course->course.id;
    state(course, candidate.student).completed = to_unix(*completion.completed_at);
    dirty(course);
    m_completion[{candidate.student, course}] = completion;
    Change change;
    change.kind = ChangeKind::course_completed;
    change.student = candidate.student;
    change.course = candidate.course->course;
    change.at = *completion.completed_at;
    change.key = "moodle:completed:" + std::to_string(candidate.student) + ":" + std::to_string(course) + ":" +
                 std::to_string(to_unix(*completion.completed_at));
    add_change(std::move(change));
  }
  return ok();
}

Status PollCycle::completions_by_sweep() {
  for (const CourseInfo& course : m_courses) {
    if (!facts(course.course.id).completion) continue;
    Result<std::vector<Student>> roster =
        for_course(course.course.shortname, [&] { return m_lms.cached_roster(course.course.id, /*refresh=*/true); });
    if (!roster) {
      if (!isolate(roster.error(), "core_enrol_get_enrolled_users", course_scope(course), "course " + course.course.shortname))
        return roster.error();
      continue;
    }
    const std::vector<Student>& students = *roster;
    m_rosters[course.course.id] = students;
    // A course known to have no criteria costs one probe a cycle, not one
    // call per student; the probe notices when criteria are added.
    bool probing = no_criteria(course), answered = false;
    std::size_t asked = probing ? std::min<std::size_t>(1, students.size()) : students.size();
    std::vector<Result<CompletionState>> answers(asked, CompletionState());
    parallel_for(asked, m_options.max_connections, [&](std::size_t i) {
      answers[i] =
          for_course(course.course.shortname, [&] { return m_lms.course_completion(course.course.id, students[i].id); });
    });
    for (std::size_t i = 0; i < asked; ++i) {
      if (!answers[i]) {
        std::string code = lms_error_code(answers[i].error());
        if (code == "usernotenroled") continue;  // suspended since the roster
        if (code == "nocriteriaset") {
          no_criteria_seen(course);
          break;
        }
        if (!isolate(answers[i].error(), "core_completion_get_course_completion_status",
                     scope_of(answers[i].error(), course, students[i].id),
                     "student " + std::to_string(students[i].id) + " in " + course.course.shortname))
          return answers[i].error();
        continue;
      }
      answered = true;  // a probe that answers ends the condition: everyone is asked next cycle
      m_lms.tracker().examined(pair_scope(course, students[i].id));
      PairState& pair = state(course.course.id, students[i].id);
      const CompletionState& completion = *answers[i];
      std::int64_t time = completion.completed && completion.completed_at ? to_unix(*completion.completed_at) : 0;
      m_completion[{students[i].id, course.course.id}] = completion;
      if (time == pair.completed) continue;
      pair.completed = time;
      dirty(course.course.id);
      if (time == 0) continue;
      Change change;
      change.kind = ChangeKind::course_completed;
      change.student = students[i].id;
      change.course = course.course;
      change.at = *completion.completed_at;
      change.key = "moodle:completed:" + std::to_string(students[i].id) + ":" + std::to_string(course.course.id) +
                   ":" + std::to_string(time);
      add_change(std::move(change));
    }
    if (probing && !answered)  // nothing proved the criteria back: the condition holds
      no_criteria_seen(course);
  }
  return ok();
}

Status PollCycle::find_grades() {
  for (const CourseInfo& course : m_courses) {
    if (!facts(course.course.id).grades) continue;
    Result<std::vector<CourseGrade>> graded =
        for_course(course.course.shortname, [&] { return m_lms.course_grades(course.course.id); });
    if (!graded) {
      if (!isolate(graded.error(), "gradereport_user_get_grade_items", course_scope(course),
                   "course " + course.course.shortname))
        return graded.error();
      continue;
    }
    for (const CourseGrade& grade : *graded) {
      if (!grade.percent) continue;
      m_grade[{grade.user, course.course.id}] = grade.percent;
      PairState& pair = state(course.course.id, grade.user);
      std::string text = grade_text(*grade.percent, grade.graded_at);
      if (pair.grade == text) continue;
      pair.grade = text;
      dirty(course.course.id);
      Change change;
      change.kind = ChangeKind::grade_changed;
      change.student = grade.user;
      change.course = course.course;
      change.at = grade.graded_at.value_or(m_now);
      change.grade_percent = grade.percent;
      change.key = "moodle:grade:" + std::to_string(grade.user) + ":" + std::to_string(course.course.id) + ":" +
                   std::to_string(grade.graded_at ? to_unix(*grade.graded_at) : m_cursor.last_poll);
      add_change(std::move(change));
    }
  }
  return ok();
}

void PollCycle::apply_visit(const CourseInfo& course, const SweepVisit& visit) {
  PairState& pair = state(course.course.id, visit.student);
  if (visit.mark) {
    // A teacher's mark is state 1+ with overrideby; a student's own tick
    // has no overrideby, and our reset leaves state 0 (docs/moodle-api.md §8).
    const ActivityState& mark = *visit.mark;
    std::int64_t time = mark.state >= 1 && mark.override_by && mark.time ? to_unix(*mark.time) : 0;
    if (time != pair.mark) {
      pair.mark = time;
      dirty(course.course.id);
      if (time != 0) {
        IssueNowMark request;
        request.student = visit.student;
        request.course = course.course;
        request.activity = mark.cmid;
        request.teacher_id = *mark.override_by;
        request.teacher_name = m_lms.teacher_name(*mark.override_by).value_or(std::string());
        request.marked_at = *mark.time;
        Change change;
        change.kind = ChangeKind::issue_now;
        change.student = visit.student;
        change.course = course.course;
        change.at = request.marked_at;
        change.key = request.key();
        change.issue_now = request;
        add_change(std::move(change));
      }
    }
  }
  if (visit.skills) {
    const std::vector<SkillLevel>& levels = visit.skills->levels;
    m_skills[{visit.student, course.course.id}] = levels;
    m_raters[{visit.student, course.course.id}] = visit.skills->rater;
    levels_seen(course, levels);
    std::string text = skills_digest(levels);
    if (text != pair.skills) {
      pair.skills = text;
      dirty(course.course.id);
      if (!text.empty()) {
        Change change;
        change.kind = ChangeKind::skills_changed;
        change.student = visit.student;
        change.course = course.course;
        change.at = visit.skills->modified.value_or(m_now);
        change.skills = levels;
        change.key = "moodle:skills:" + std::to_string(visit.student) + ":" + std::to_string(course.course.id) +
                     ":" + std::to_string(visit.skills->modified ? to_unix(*visit.skills->modified) : m_cursor.last_poll) +
                     ":" + text;  // ratings within one second are still two changes
        add_change(std::move(change));
      }
    }
  }
}

void PollCycle::levels_seen(const CourseInfo& course, const std::vector<SkillLevel>& levels) {
  std::string scope = "levels:" + course.course.shortname;
  m_lms.tracker().examined(scope);
  for (const SkillLevel& level : levels) {
    if (!level.skills.empty()) continue;
    condition(scope, "empty-level:" + level.framework + "/" + level.level, "course " + course.course.shortname,
              "level " + level.level + " of framework " + level.framework +
                  " has no competencies: skill rules of this course can never be met",
              "", advice::empty_level(level.framework, level.level));
  }
}

Status PollCycle::sweep() {
  bool new_round = m_cursor.sweep_course == 0;
  if (new_round) {
    // Frameworks and course teachers change rarely: read again once a round.
    m_lms.forget_frameworks();
    m_lms.forget_teachers();
  }
  std::vector<std::pair<const CourseInfo*, UserId>> pairs;
  for (const CourseInfo& course : m_courses) {
    if (!course.issue_now && !course.has_competencies) continue;
    auto fetched = m_rosters.find(course.course.id);
    std::vector<Student> students;
    if (fetched != m_rosters.end()) {
      students = fetched->second;
    } else {
      Result<std::vector<Student>> roster =
          for_course(course.course.shortname, [&] { return m_lms.cached_roster(course.course.id, new_round); });
      if (!roster) {
        if (!isolate(roster.error(), "core_enrol_get_enrolled_users", course_scope(course),
                     "course " + course.course.shortname))
          return roster.error();
        continue;
      }
      students = *roster;
    }
    std::sort(students.begin(), students.end(), [](const Student& a, const Student& b) { return a.id < b.id; });
    for (const Student& student : students) pairs.emplace_back(&course, student.id);
  }
  // Resume after the last pair visited, in course order then user id.
  std::size_t start = 0;
  if (!new_round) {
    auto course_index = [&](CourseId id) {
      for (std::size_t i = 0; i < m_courses.size(); ++i)
        if (m_courses[i].course.id == id) return i;
      return m_courses.size();
    };
    std::size_t last_course = course_index(m_cursor.sweep_course);
    while (start < pairs.size()) {
      std::size_t here = course_index(pairs[start].first->course.id);
      if (here > last_course || (here == last_course && pairs[start].second > m_cursor.sweep_student)) break;
      ++start;
    }
  }
  std::size_t budget = m_options.sweep_budget > 0 ? static_cast<std::size_t>(m_options.sweep_budget) : pairs.size();
  std::size_t end = std::min(pairs.size(), start + budget);
  std::vector<SweepVisit> visits(end - start);
  parallel_for(visits.size(), m_options.max_connections, [&](std::size_t i) {
    visits[i] = m_lms.visit(*pairs[start + i].first, pairs[start + i].second);
  });
  for (std::size_t i = 0; i < visits.size(); ++i) {
    const CourseInfo& course = *pairs[start + i].first;
    count(course.course.shortname, visits[i].requests);
    if (visits[i].error) {
      // Either read of the visit may have failed; the message names the function.
      std::string function = visits[i].error->message().find("report_competency_data_for_report") != std::string::npos
                                 ? "report_competency_data_for_report"
                                 : "core_completion_get_activities_completion_status";
      if (!isolate(*visits[i].error, function, scope_of(*visits[i].error, course, visits[i].student),
                   "student " + std::to_string(visits[i].student) + " in " + course.course.shortname))
        return *visits[i].error;
      continue;
    }
    m_lms.tracker().examined(pair_scope(course, visits[i].student));
    apply_visit(course, visits[i]);
  }
  m_result.stats.pairs_swept = static_cast<int>(visits.size());
  m_result.stats.pairs_total = static_cast<int>(pairs.size());
  if (end >= pairs.size()) {
    m_next.sweep_course = 0;
    m_next.sweep_student = 0;
  } else {
    m_next.sweep_course = pairs[end - 1].first->course.id;
    m_next.sweep_student = pairs[end - 1].second;
  }
  return ok();
}

Result<Snapshot> PollCycle::snapshot(const PairKey& pair) {
  auto [student, course_id] = pair;
  const CourseInfo* course = info(course_id);
  Snapshot out;
  CourseProgress& progress = out.progress;
  progress.course = course->course;
  progress.student.id = student;
  // Read-only on the cycle's maps: snapshots are built concurrently.
  auto suspended = m_suspended.find(course_id);
  if (suspended != m_suspended.end() && suspended->second.count(student)) {
    auto pairs = m_pairs.find(course_id);
    auto known = pairs->second.find(student);
    progress.enrolment = Enrolment::suspended;
    progress.enrolment_note = "the enrolment is suspended in Moodle";
    progress.completed = known != pairs->second.end() && known->second.completed != 0;
    if (progress.completed) progress.completed_at = from_unix(known->second.completed);
    return out;
  }
  progress.enrolment = Enrolment::active;
  CompletionState completion;
  auto seen = m_completion.find(pair);
  // Read-only here: facts and conditions were settled before the snapshots.
  auto needed = m_facts.find(course_id);
  bool wants_completion = needed != m_facts.end() && needed->second.completion && !no_criteria(*course);
  if (seen != m_completion.end()) {
    completion = seen->second;
  } else if (wants_completion) {
    Result<CompletionState> fresh = m_lms.course_completion(course_id, student);
    if (!fresh && lms_error_code(fresh.error()) == "nocriteriaset") fresh = CompletionState();
    if (!fresh) {
      if (lms_error_code(fresh.error()) != "usernotenroled") return fresh.error();
      progress.enrolment = Enrolment::not_enrolled;
      progress.enrolment_note = "the student is not enrolled in " + course->course.shortname;
      return out;
    }
    completion = *fresh;
  }
  progress.completed = completion.completed;
  progress.completed_at = completion.completed_at;
  auto grade = m_grade.find(pair);
  if (grade != m_grade.end()) {
    progress.grade_percent = grade->second;
  } else if (needed != m_facts.end() && needed->second.grades) {
    CERTD_ASSIGN_OR_RETURN(progress.grade_percent, m_lms.grade(course_id, student));
  }
  auto skills = m_skills.find(pair);
  if (skills != m_skills.end()) {
    progress.skills = skills->second;
    auto rater = m_raters.find(pair);
    if (rater != m_raters.end()) out.rater = rater->second;
  } else if (course->has_competencies) {
    CERTD_ASSIGN_OR_RETURN(SkillsRead read, m_lms.skills(course_id, student));
    progress.skills = std::move(read.levels);
    out.rater = read.rater;
  }
  return out;
}

void PollCycle::account_seen(const UserRecord& record) {
  std::string scope = "student:" + std::to_string(record.student.id);
  std::string subject = "student " + std::to_string(record.student.id);
  if (record.student.email.empty())
    condition(scope, "no-email", subject,
              "has no e-mail address in Moodle: certificates cannot be e-mailed to them", "", advice::no_email());
  if (record.suspended)
    condition(scope, "account-suspended", subject,
              "the account is suspended in Moodle: what they earn waits until it is active again", "",
              advice::account_suspended());
  if (record.never_logged_in)
    condition(scope, "never-logged-in", subject,
              "has never logged in to Moodle: the certificate is issued and e-mailed; Moodle shows the note once they "
              "log in",
              "", advice::never_logged_in());
}

std::vector<UserId> PollCycle::flagged_students() const {
  std::vector<UserId> ids;
  for (const SiteCondition& held : m_lms.tracker().current()) {
    // "student:<id>/<kind>": a condition of the account, not of one course.
    if (held.key.rfind("student:", 0) != 0) continue;
    std::size_t end = held.key.find('/');
    std::string id = held.key.substr(8, end == std::string::npos ? std::string::npos : end - 8);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) continue;
    ids.push_back(std::stoll(id));
  }
  return ids;
}

void PollCycle::recheck(const std::vector<UserId>& flagged, const std::map<UserId, const UserRecord*>& by_id) {
  std::set<UserId> touched;
  for (const PairKey& pair : m_touched) touched.insert(pair.first);
  for (UserId id : flagged) {
    if (touched.count(id)) continue;  // looked at with its changes
    std::string scope = "student:" + std::to_string(id);
    auto record = by_id.find(id);
    if (record == by_id.end()) {
      condition(scope, "not-found", "student " + std::to_string(id),
                "Moodle does not show this user (deleted?): their changes wait", "", advice::student_not_found());
      continue;
    }
    m_lms.tracker().examined(scope);
    account_seen(*record->second);
  }
}

Status PollCycle::build_snapshots() {
  // Students with a condition in force are looked up again every cycle
  // (one batched request), so an address added or an account restored in
  // Moodle ends the condition even when the student has no new change.
  const std::vector<UserId> flagged = flagged_students();
  if (m_touched.empty() && flagged.empty()) return ok();
  std::vector<UserId> ids = flagged;
  for (const PairKey& pair : m_touched) ids.push_back(pair.first);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  Result<std::vector<UserRecord>> found = m_lms.user_records_by_id(ids);
  if (!found) {
    // Without names and addresses nothing can be issued: every change
    // waits for the next cycle rather than going out half known.
    if (!isolate(found.error(), "core_user_get_users_by_field", "site", "student records", "users"))
      return found.error();
    for (const PairKey& pair : m_touched) defer(pair);
    return ok();
  }
  std::map<UserId, const UserRecord*> by_id;
  for (const UserRecord& record : *found) by_id[record.student.id] = &record;
  recheck(flagged, by_id);
  std::vector<Result<Snapshot>> snapshots(m_touched.size(), Snapshot());
  parallel_for(m_touched.size(), m_options.max_connections, [&](std::size_t i) {
    snapshots[i] = for_course(info(m_touched[i].second)->course.shortname, [&] { return snapshot(m_touched[i]); });
  });
  for (std::size_t i = 0; i < snapshots.size(); ++i) {
    const UserId student_id = m_touched[i].first;
    const CourseId course_id = m_touched[i].second;  // captured below: no structured binding
    const CourseInfo* course = info(course_id);
    std::string scope = "student:" + std::to_string(student_id);
    auto student = by_id.find(student_id);
    if (student == by_id.end()) {
      // Deleted, or hidden from the service user: Moodle leaves it out.
      condition(scope, "not-found", "student " + std::to_string(student_id),
                "Moodle does not show this user (deleted?): their changes wait", "", advice::student_not_found());
      defer(m_touched[i]);
      continue;
    }
    m_lms.tracker().examined(scope);
    account_seen(*student->second);
    if (student->second->suspended) {
      // Like a deleted account: nothing goes out while it is suspended, and
      // nothing is dropped; its changes are found again once it is active.
      defer(m_touched[i]);
      continue;
    }
    if (!snapshots[i]) {
      if (!isolate(snapshots[i].error(), "core_completion_get_course_completion_status",
                   scope_of(snapshots[i].error(), *course, student_id), "student " + std::to_string(student_id) + " in " +
                   course->course.shortname))
        return snapshots[i].error();
      defer(m_touched[i]);
      continue;
    }
    CourseProgress progress = std::move(snapshots[i]->progress);
    progress.student = student->second->student;
    if (course->has_competencies) levels_seen(*course, progress.skills);
    // Named here, one at a time: each name is asked once, then cached.
    Result<std::string> teacher = for_course(course->course.shortname,
                                             [&] { return m_lms.teacher_for(course_id, snapshots[i]->rater); });
    if (!teacher && teacher.error().code() == ErrorCode::unavailable) return teacher.error();
    if (teacher) progress.teacher_name = *teacher;
    else CERTD_LOG_DEBUG("lms: no teacher named for {}: {}", course->course.shortname, teacher.error().message());
    m_result.snapshots.push_back(std::move(progress));
  }
  return ok();
}

void PollCycle::save() {
  m_result.cursor_updates[k_poll_key] = format_cursor(m_next);
  for (CourseId course : m_dirty) m_result.cursor_updates[pairs_key(course)] = serialize_pairs(m_pairs[course]);
}

void PollCycle::fill_course_stats() {
  std::lock_guard<std::mutex> lock(m_count_mutex);
  for (const std::string& shortname : m_options.courses) {
    CoursePoll entry;
    entry.shortname = shortname;
    entry.requests = static_cast<int>(m_course_requests[shortname]);
    entry.changes = static_cast<int>(std::count_if(m_result.changes.begin(), m_result.changes.end(),
                                                   [&](const Change& c) { return c.course.shortname == shortname; }));
    auto error = m_course_errors.find(shortname);
    if (error != m_course_errors.end()) entry.error = error->second;
    m_result.stats.courses.push_back(std::move(entry));
  }
}

Result<PollResult> PollCycle::run() {
  Result<PollResult> result = run_steps();
  if (!result && m_service_refused)
    return Error(ErrorCode::permission_denied,
                 "[" + lms_error_code(result.error()) + "] the external service of the token is disabled or does not "
                 "exist: " + advice::service_unavailable() + " (" + result.error().message() + ")");
  return result;
}

Result<PollResult> PollCycle::run_steps() {
  auto started = std::chrono::steady_clock::now();
  long long requests_before = m_lms.requests_sent();
  CERTD_TRY(load());
  CERTD_TRY(find_suspensions());
  bool from_report = m_options.completions_report != 0 && available("core_reportbuilder_set_filters") &&
                     available("core_reportbuilder_retrieve_report");
  if (from_report) {
    // A report that was deleted or cannot be read: the sweep stands in.
    Status report = completions_from_report();
    if (!report) {
      if (!isolate(report.error(), "core_reportbuilder_retrieve_report", "site",
                   "completions report " + std::to_string(m_options.completions_report), "completions-report"))
        return report.error();
      from_report = false;
    }
  }
  m_result.stats.completions_from = from_report ? "report" : "sweep";
  if (!from_report) CERTD_TRY(completions_by_sweep());
  if (m_options.watch_grades) CERTD_TRY(find_grades());
  CERTD_TRY(sweep());
  CERTD_TRY(build_snapshots());
  save();
  m_result.conditions_ended = m_lms.tracker().end_cycle();
  m_result.stats.changes = static_cast<int>(m_result.changes.size());
  m_result.stats.requests = static_cast<int>(m_lms.requests_sent() - requests_before);
  m_result.stats.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  fill_course_stats();
  return std::move(m_result);
}

}  // namespace

std::string serialize_pairs(const PairStates& pairs) {
  std::string out;
  for (const auto& [student, pair] : pairs) {
    if (pair.completed == 0 && pair.grade.empty() && pair.skills.empty() && pair.mark == 0 && !pair.suspended) continue;
    out += std::to_string(student) + " " + std::to_string(pair.completed) + " " + std::to_string(pair.mark) + " " +
           (pair.suspended ? "1" : "0") + " " + (pair.grade.empty() ? "-" : pair.grade) + " " +
           (pair.skills.empty() ? "-" : pair.skills) + "\n";
  }
  return out;
}

PairStates parse_pairs(const std::string& text) {
  PairStates pairs;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    UserId student = 0;
    PairState pair;
    int suspended = 0;
    if (!(fields >> student >> pair.completed >> pair.mark >> suspended >> pair.grade >> pair.skills)) continue;
    pair.suspended = suspended != 0;
    if (pair.grade == "-") pair.grade.clear();
    if (pair.skills == "-") pair.skills.clear();
    pairs[student] = pair;
  }
  return pairs;
}

Result<PollResult> MoodleLms::poll_changes(CursorStore& cursors) {
  PollCycle cycle(*this, cursors);
  return cycle.run();
}

}  // namespace certd::connector::moodle
