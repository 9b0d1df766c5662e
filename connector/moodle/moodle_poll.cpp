// poll_changes: one cycle of change discovery (see moodle_lms.hpp for the
// strategy and its costs).
#include <algorithm>
#include <cstdio>
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

class PollCycle {
 public:
  PollCycle(MoodleLms& lms, CursorStore& cursors)
      : m_lms(lms), m_cursors(cursors), m_options(lms.options()), m_now(lms.clock().now()) {}

  Result<PollResult> run();

 private:
  Status load();
  Status find_suspensions();
  Status completions_from_report();
  Status completions_by_sweep();
  Status find_grades();
  Status sweep();
  Status build_snapshots();
  Result<CourseProgress> snapshot(const PairKey& pair);
  void apply_visit(const CourseInfo& info, const SweepVisit& visit);
  void save();

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
  std::set<CourseId> m_dirty;
  std::map<CourseId, std::set<UserId>> m_suspended;
  std::map<CourseId, std::vector<Student>> m_rosters;  // fetched this cycle
  std::vector<PairKey> m_touched;
  std::map<PairKey, CompletionState> m_completion;
  std::map<PairKey, std::optional<double>> m_grade;
  std::map<PairKey, std::vector<SkillLevel>> m_skills;
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
  CERTD_ASSIGN_OR_RETURN(std::vector<Course> courses, m_lms.courses(m_options.courses));
  for (const Course& course : courses) {
    CERTD_ASSIGN_OR_RETURN(CourseInfo course_info, m_lms.course_info(course));
    m_courses.push_back(course_info);
    CERTD_ASSIGN_OR_RETURN(std::optional<std::string> pairs, m_cursors.get(pairs_key(course.id)));
    m_pairs[course.id] = pairs ? parse_pairs(*pairs) : PairStates();
  }
  return ok();
}

Status PollCycle::find_suspensions() {
  for (const CourseInfo& course : m_courses) {
    CERTD_ASSIGN_OR_RETURN(std::vector<Student> suspended, m_lms.roster(course.course.id, Enrolment::suspended));
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

Status PollCycle::completions_from_report() {
  // Completions stamped by cron can carry an earlier time than when they
  // appear (docs/moodle-api.md §9): look back, and skip what the pairs know.
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
    if (state(course->course.id, id->second).completed != 0) continue;
    candidates.push_back({&*course, id->second, row.completed_at});
  }
  std::vector<Result<CompletionState>> answers(candidates.size(), CompletionState());
  parallel_for(candidates.size(), m_options.max_connections, [&](std::size_t i) {
    answers[i] = m_lms.course_completion(candidates[i].course->course.id, candidates[i].student);
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
    } else {
      return answers[i].error();
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
    CERTD_ASSIGN_OR_RETURN(std::vector<Student> students, m_lms.cached_roster(course.course.id, /*refresh=*/true));
    m_rosters[course.course.id] = students;
    std::vector<Result<CompletionState>> answers(students.size(), CompletionState());
    parallel_for(students.size(), m_options.max_connections, [&](std::size_t i) {
      answers[i] = m_lms.course_completion(course.course.id, students[i].id);
    });
    for (std::size_t i = 0; i < students.size(); ++i) {
      if (!answers[i]) {
        if (lms_error_code(answers[i].error()) == "usernotenroled") continue;  // suspended since the roster
        return answers[i].error();
      }
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
  }
  return ok();
}

Status PollCycle::find_grades() {
  for (const CourseInfo& course : m_courses) {
    CERTD_ASSIGN_OR_RETURN(std::vector<CourseGrade> grades, m_lms.course_grades(course.course.id));
    for (const CourseGrade& grade : grades) {
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
    m_skills[{visit.student, course.course.id}] = *visit.skills;
    std::string text = skills_digest(*visit.skills);
    if (text != pair.skills) {
      pair.skills = text;
      dirty(course.course.id);
      if (!text.empty()) {
        Change change;
        change.kind = ChangeKind::skills_changed;
        change.student = visit.student;
        change.course = course.course;
        change.at = visit.skills_modified.value_or(m_now);
        change.skills = *visit.skills;
        change.key = "moodle:skills:" + std::to_string(visit.student) + ":" + std::to_string(course.course.id) +
                     ":" + std::to_string(visit.skills_modified ? to_unix(*visit.skills_modified) : m_cursor.last_poll);
        add_change(std::move(change));
      }
    }
  }
}

Status PollCycle::sweep() {
  bool new_round = m_cursor.sweep_course == 0;
  std::vector<std::pair<const CourseInfo*, UserId>> pairs;
  for (const CourseInfo& course : m_courses) {
    if (!course.issue_now && !course.has_competencies) continue;
    auto fetched = m_rosters.find(course.course.id);
    std::vector<Student> students;
    if (fetched != m_rosters.end()) {
      students = fetched->second;
    } else {
      CERTD_ASSIGN_OR_RETURN(students, m_lms.cached_roster(course.course.id, new_round));
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
    if (visits[i].error) {
      if (visits[i].error->code() == ErrorCode::unavailable) return *visits[i].error;
      m_result.warnings.push_back("student " + std::to_string(visits[i].student) + " in " +
                                  pairs[start + i].first->course.shortname + ": " + visits[i].error->message());
      continue;
    }
    apply_visit(*pairs[start + i].first, visits[i]);
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

Result<CourseProgress> PollCycle::snapshot(const PairKey& pair) {
  auto [student, course_id] = pair;
  const CourseInfo* course = info(course_id);
  CourseProgress progress;
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
    return progress;
  }
  progress.enrolment = Enrolment::active;
  CompletionState completion;
  auto seen = m_completion.find(pair);
  if (seen != m_completion.end()) {
    completion = seen->second;
  } else {
    Result<CompletionState> fresh = m_lms.course_completion(course_id, student);
    if (!fresh) {
      if (lms_error_code(fresh.error()) != "usernotenroled") return fresh.error();
      progress.enrolment = Enrolment::not_enrolled;
      progress.enrolment_note = "the student is not enrolled in " + course->course.shortname;
      return progress;
    }
    completion = *fresh;
  }
  progress.completed = completion.completed;
  progress.completed_at = completion.completed_at;
  auto grade = m_grade.find(pair);
  if (grade != m_grade.end()) {
    progress.grade_percent = grade->second;
  } else {
    CERTD_ASSIGN_OR_RETURN(progress.grade_percent, m_lms.grade(course_id, student));
  }
  auto skills = m_skills.find(pair);
  if (skills != m_skills.end()) {
    progress.skills = skills->second;
  } else if (course->has_competencies) {
    CERTD_ASSIGN_OR_RETURN(progress.skills, m_lms.skills(course_id, student, nullptr));
  }
  return progress;
}

Status PollCycle::build_snapshots() {
  if (m_touched.empty()) return ok();
  std::vector<UserId> ids;
  for (const PairKey& pair : m_touched) ids.push_back(pair.first);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> students, m_lms.users_by_id(ids));
  std::vector<Result<CourseProgress>> snapshots(m_touched.size(), CourseProgress());
  parallel_for(m_touched.size(), m_options.max_connections,
               [&](std::size_t i) { snapshots[i] = snapshot(m_touched[i]); });
  for (std::size_t i = 0; i < snapshots.size(); ++i) {
    if (!snapshots[i]) return snapshots[i].error();
    CourseProgress progress = std::move(*snapshots[i]);
    for (const Student& student : students)
      if (student.id == progress.student.id) progress.student = student;
    m_result.snapshots.push_back(std::move(progress));
  }
  return ok();
}

void PollCycle::save() {
  m_result.cursor_updates[k_poll_key] = format_cursor(m_next);
  for (CourseId course : m_dirty) m_result.cursor_updates[pairs_key(course)] = serialize_pairs(m_pairs[course]);
}

Result<PollResult> PollCycle::run() {
  auto started = std::chrono::steady_clock::now();
  long long requests_before = m_lms.requests_sent();
  CERTD_TRY(load());
  CERTD_TRY(find_suspensions());
  if (m_options.completions_report != 0) {
    m_result.stats.completions_from = "report";
    CERTD_TRY(completions_from_report());
  } else {
    m_result.stats.completions_from = "sweep";
    CERTD_TRY(completions_by_sweep());
  }
  if (m_options.watch_grades) CERTD_TRY(find_grades());
  CERTD_TRY(sweep());
  CERTD_TRY(build_snapshots());
  save();
  m_result.stats.changes = static_cast<int>(m_result.changes.size());
  m_result.stats.requests = static_cast<int>(m_lms.requests_sent() - requests_before);
  m_result.stats.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
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
