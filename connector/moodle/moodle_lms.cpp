#include "connector/moodle/moodle_lms.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "connector/moodle/moodle_lms_impl.hpp"
#include "core/log.hpp"

namespace certd::connector::moodle {
namespace {

constexpr std::size_t k_users_per_call = 100;
constexpr const char* k_students_capability = "moodle/course:isincompletionreports";

struct FunctionUse {
  const char* name;
  const char* purpose;
};

const FunctionUse k_functions[] = {
    {"core_webservice_get_site_info", "check the token"},
    {"core_course_get_courses_by_field", "find courses by short name"},
    {"core_course_get_contents", "find the \"issue now\" and \"certificate issued\" activities"},
    {"core_enrol_get_enrolled_users", "list students and suspended enrolments"},
    {"core_enrol_get_users_courses", "check an enrolment before enrolling in the next level"},
    {"core_user_get_users_by_field", "read student names, e-mails and guardian fields"},
    {"core_completion_get_course_completion_status", "read course completion and its time"},
    {"core_completion_get_activities_completion_status", "see teachers' \"issue now\" marks"},
    {"core_completion_override_activity_completion_status", "clear \"issue now\" marks"},
    {"gradereport_user_get_grade_items", "read grades"},
    {"report_competency_data_for_report", "read skill ratings"},
    {"core_competency_list_competencies", "name the levels of a framework"},
    {"core_competency_list_course_competencies", "know which courses rate skills"},
    {"core_notes_create_notes", "add a note to the student's record"},
    {"core_notes_get_course_notes", "avoid adding a note twice"},
    {"core_message_send_instant_messages", "message the student"},
    {"core_user_update_users", "set a profile field"},
    {"enrol_manual_enrol_users", "enrol in the next level's course"},
    {"core_reportbuilder_set_filters", "filter the completions report by time"},
    {"core_reportbuilder_retrieve_report", "read the completions report"},
};

// Moodle's alphanumext: letters, digits, '-' and '_' only.
std::string client_id_param(const std::string& id) {
  std::string out;
  for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-';
  return out;
}

bool is_code(const Error& error, const char* code) { return lms_error_code(error) == code; }

// A course with ten million users is not a school's.
constexpr std::int64_t k_max_user_pages = 10000;

// Reads a list of users page by page (limitfrom, limitnumber; sorted by
// id) until a page is short. An answer that ignores limitfrom (a proxy or
// a plugin in the way) would send the same full page forever, and the list
// would grow until memory ran out: a full page with no user not seen
// before ends the list with an error, and so does the page cap.
template <typename User, typename Fetch>
Result<std::vector<User>> read_user_pages(int page, const char* function, Fetch fetch) {
  std::vector<User> users;
  std::set<UserId> seen;
  for (std::int64_t n = 0; n < k_max_user_pages; ++n) {
    CERTD_ASSIGN_OR_RETURN(std::vector<User> batch, fetch(n * page));
    bool news = false;
    for (User& user : batch) {
      news = seen.insert(user.id).second || news;
      users.push_back(std::move(user));
    }
    if (static_cast<int>(batch.size()) < page) return users;
    if (!news)
      return Error(ErrorCode::internal, std::string("the LMS sent a page of users again instead of the next one (") +
                                            function + " ignores limitfrom?)");
  }
  return Error(ErrorCode::internal, std::string("the LMS sent more than ") + std::to_string(k_max_user_pages) +
                                        " pages of users (" + function + ")");
}

}  // namespace

const std::vector<std::string>& required_functions() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const FunctionUse& use : k_functions) out.push_back(use.name);
    return out;
  }();
  return names;
}

// --- Cached course knowledge ---------------------------------------------

Result<std::vector<Course>> MoodleLms::courses(const std::vector<std::string>& shortnames) {
  std::vector<Course> found;
  for (const std::string& shortname : shortnames) {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      auto it = m_courses_by_name.find(shortname);
      if (it != m_courses_by_name.end()) {
        found.push_back(it->second);
        continue;
      }
    }
    FormBuilder params;
    params.add("field", std::string("shortname")).add("value", shortname);
    CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_course_get_courses_by_field", params, Retry::reads));
    std::vector<Course> courses = parse_courses(answer);
    auto match = std::find_if(courses.begin(), courses.end(),
                              [&](const Course& course) { return course.shortname == shortname; });
    if (match == courses.end()) return Error(ErrorCode::not_found, "no course with short name '" + shortname + "' in Moodle");
    std::lock_guard<std::mutex> lock(m_mutex);
    m_courses_by_name[shortname] = *match;
    found.push_back(*match);
  }
  return found;
}

Result<CourseInfo> MoodleLms::course_info(const Course& course) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_courses.find(course.id);
    if (it != m_courses.end()) return it->second;
  }
  CourseInfo info;
  info.course = course;
  FormBuilder contents;
  contents.add("courseid", course.id);
  CERTD_ASSIGN_OR_RETURN(json modules, m_ws.call("core_course_get_contents", contents, Retry::reads));
  for (const Module& module : parse_course_contents(modules)) {
    info.activities.emplace(module.name, module.id);
    if (module.name == m_options.issue_now_activity && module.completion > 0) info.issue_now = module.id;
  }
  FormBuilder competencies;
  competencies.add("id", course.id);
  Result<json> linked = m_ws.call("core_competency_list_course_competencies", competencies, Retry::reads);
  // Without the function in the service skills cannot be read anyway:
  // the course is polled without them, and asked again next time.
  if (!linked && !is_code(linked.error(), "accessexception")) return linked.error();
  info.has_competencies = linked && linked->is_array() && !linked->empty();
  std::lock_guard<std::mutex> lock(m_mutex);
  if (linked) m_courses[course.id] = info;
  return info;
}

// --- Reads ----------------------------------------------------------------

Result<std::vector<UserRecord>> MoodleLms::user_records_by_id(const std::vector<UserId>& ids) {
  // core_user_get_users_by_field has no field selection: each record holds
  // the name, e-mail, custom fields, `suspended` and first/last access.
  std::vector<UserRecord> records;
  for (std::size_t from = 0; from < ids.size(); from += k_users_per_call) {
    std::size_t to = std::min(ids.size(), from + k_users_per_call);
    std::vector<std::string> values;
    for (std::size_t i = from; i < to; ++i) values.push_back(std::to_string(ids[i]));
    FormBuilder params;
    params.add("field", std::string("id")).add_list("values", values);
    CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_user_get_users_by_field", params, Retry::reads));
    for (UserRecord& record : parse_user_records(answer, m_options.guardian_email_field))
      records.push_back(std::move(record));
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const UserRecord& record : records) {
    m_names[record.student.id] = record.student.fullname;
    if (!record.student.username.empty()) m_user_ids[record.student.username] = record.student.id;
  }
  return records;
}

Result<std::vector<Student>> MoodleLms::users_by_id(const std::vector<UserId>& ids) {
  CERTD_ASSIGN_OR_RETURN(std::vector<UserRecord> records, user_records_by_id(ids));
  std::vector<Student> students;
  for (UserRecord& record : records) students.push_back(std::move(record.student));
  return students;
}

Result<std::vector<Student>> MoodleLms::users_by_username(const std::vector<std::string>& usernames) {
  std::vector<Student> students;
  for (std::size_t from = 0; from < usernames.size(); from += k_users_per_call) {
    std::size_t to = std::min(usernames.size(), from + k_users_per_call);
    FormBuilder params;
    params.add("field", std::string("username"))
        .add_list("values", std::vector<std::string>(usernames.begin() + static_cast<long>(from),
                                                     usernames.begin() + static_cast<long>(to)));
    CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_user_get_users_by_field", params, Retry::reads));
    for (Student& student : parse_users(answer, m_options.guardian_email_field)) students.push_back(std::move(student));
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const Student& student : students) {
    m_names[student.id] = student.fullname;
    m_user_ids[student.username] = student.id;
  }
  return students;
}

Result<std::vector<Student>> MoodleLms::roster(CourseId course, Enrolment which) {
  const int page = std::max(1, m_options.users_page_size);
  auto fetch = [&](std::int64_t from) -> Result<std::vector<Student>> {
    FormBuilder params;
    params.add("courseid", course);
    std::vector<Record> options;
    options.push_back({{"name", which == Enrolment::suspended ? "onlysuspended" : "onlyactive"}, {"value", "1"}});
    options.push_back({{"name", "withcapability"}, {"value", k_students_capability}});
    options.push_back({{"name", "userfields"}, {"value", "id,username,fullname,email,idnumber,customfields"}});
    options.push_back({{"name", "sortby"}, {"value", "id"}});
    options.push_back({{"name", "limitfrom"}, {"value", std::to_string(from)}});
    options.push_back({{"name", "limitnumber"}, {"value", std::to_string(page)}});
    params.add_records("options", options);
    CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_enrol_get_enrolled_users", params, Retry::reads));
    return parse_users(answer, m_options.guardian_email_field);
  };
  return read_user_pages<Student>(page, "core_enrol_get_enrolled_users", fetch);
}

Result<CompletionState> MoodleLms::course_completion(CourseId course, UserId student) {
  FormBuilder params;
  params.add("courseid", course).add("userid", student);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_completion_get_course_completion_status", params, Retry::reads));
  return parse_course_completion(answer);
}

Result<std::optional<double>> MoodleLms::grade(CourseId course, UserId student) {
  FormBuilder params;
  params.add("courseid", course).add("userid", student);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("gradereport_user_get_grade_items", params, Retry::reads));
  for (const CourseGrade& grade : parse_course_grades(answer))
    if (grade.user == student) return grade.percent;
  return std::optional<double>();
}

Result<std::vector<ActivityState>> MoodleLms::activities(CourseId course, UserId student) {
  FormBuilder params;
  params.add("courseid", course).add("userid", student);
  CERTD_ASSIGN_OR_RETURN(json answer,
                         m_ws.call("core_completion_get_activities_completion_status", params, Retry::reads));
  return parse_activities_completion(answer);
}

Result<MoodleLms::Place> MoodleLms::place(const Rating& rating) {
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    cached = m_frameworks.count(rating.framework_id) > 0;
  }
  if (!cached) {
    FormBuilder params;
    params.add_records("filters", {{{"column", "competencyframeworkid"}, {"value", std::to_string(rating.framework_id)}}});
    CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_competency_list_competencies", params, Retry::reads));
    std::map<std::int64_t, Competency> tree;
    for (Competency& competency : parse_competencies(answer)) tree[competency.id] = competency;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_frameworks[rating.framework_id] = std::move(tree);
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  const std::map<std::int64_t, Competency>& tree = m_frameworks[rating.framework_id];
  Place place;
  if (rating.parent_id != 0) {
    auto it = tree.find(rating.parent_id);
    if (it != tree.end()) place.level = it->second.name;
    return place;
  }
  // A top node linked to the course itself: in a framework of levels (some
  // node has a parent, or its taxonomy names the top "level") a top node is
  // a level, and one without children is a level without competencies
  // (docs/moodle-api.md §6).
  bool levelled = false, has_children = false;
  for (const auto& [id, competency] : tree) {
    levelled = levelled || competency.parent_id != 0;
    has_children = has_children || competency.parent_id == rating.competency_id;
  }
  if ((levelled || rating.level_node) && !has_children) {
    place.level = rating.name;
    place.empty_level = true;
  }
  return place;
}

Result<SkillsRead> MoodleLms::skills(CourseId course, UserId student) {
  FormBuilder params;
  params.add("courseid", course).add("userid", student).add("moduleid", 0);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("report_competency_data_for_report", params, Retry::reads));
  SkillsRead read;
  std::optional<TimePoint> rated_at;  // of `read.rater`'s rating
  UserId service = service_user();
  for (const Rating& rating : parse_competency_report(answer)) {
    CERTD_ASSIGN_OR_RETURN(Place where, place(rating));
    auto it = std::find_if(read.levels.begin(), read.levels.end(), [&](const SkillLevel& entry) {
      return entry.framework == rating.framework && entry.level == where.level;
    });
    if (it == read.levels.end()) it = read.levels.insert(read.levels.end(), SkillLevel{rating.framework, where.level, {}});
    if (where.empty_level) continue;  // a level, not a skill: it stays without skills
    it->skills.push_back({rating.name, rating.idnumber, rating.rated, rating.proficient});
    if (rating.modified && (!read.modified || *rating.modified > *read.modified)) read.modified = rating.modified;
    // The teacher who rated last; not the student, nobody, or certd's own user.
    bool by_teacher = rating.rated && rating.modified_by != 0 && rating.modified_by != student &&
                      (service == 0 || rating.modified_by != service);
    if (by_teacher && rating.modified && (!rated_at || *rating.modified > *rated_at)) {
      rated_at = rating.modified;
      read.rater = rating.modified_by;
    }
  }
  return read;
}

Result<std::map<std::string, UserId>> MoodleLms::user_ids(const std::vector<std::string>& usernames) {
  std::map<std::string, UserId> ids;
  std::vector<std::string> unknown;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const std::string& username : usernames) {
      auto it = m_user_ids.find(username);
      if (it != m_user_ids.end()) ids[username] = it->second;
      else unknown.push_back(username);
    }
  }
  std::sort(unknown.begin(), unknown.end());
  unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
  if (unknown.empty()) return ids;
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> found, users_by_username(unknown));
  for (const Student& student : found) ids[student.username] = student.id;
  return ids;
}

Result<std::vector<CourseGrade>> MoodleLms::course_grades(CourseId course) {
  FormBuilder params;
  params.add("courseid", course).add("userid", 0);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("gradereport_user_get_grade_items", params, Retry::reads));
  return parse_course_grades(answer);
}

Result<std::vector<Student>> MoodleLms::cached_roster(CourseId course, bool refresh) {
  if (!refresh) {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_rosters.find(course);
    if (it != m_rosters.end()) return it->second;
  }
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> students, roster(course, Enrolment::active));
  std::lock_guard<std::mutex> lock(m_mutex);
  m_rosters[course] = students;
  m_teachers.erase(course);  // read again with the roster
  for (const Student& student : students) m_names[student.id] = student.fullname;
  return students;
}

Result<std::string> MoodleLms::course_teacher(CourseId course) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_teachers.find(course);
    if (it != m_teachers.end()) return it->second;
  }
  // Teachers are not in the students' roster (withcapability leaves them
  // out): one more list of the course's active users with their roles
  // (core_enrol_get_enrolled_users--SWIM-L3: teacher1 is editingteacher).
  const int page = std::max(1, m_options.users_page_size);
  auto fetch = [&](std::int64_t from) -> Result<std::vector<RoleHolder>> {
    FormBuilder params;
    params.add("courseid", course);
    params.add_records("options", {{{"name", "onlyactive"}, {"value", "1"}},
                                   {{"name", "userfields"}, {"value", "id,fullname,roles"}},
                                   {{"name", "sortby"}, {"value", "id"}},
                                   {{"name", "limitfrom"}, {"value", std::to_string(from)}},
                                   {{"name", "limitnumber"}, {"value", std::to_string(page)}}});
    CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_enrol_get_enrolled_users", params, Retry::reads));
    return parse_role_holders(answer);
  };
  auto holders = read_user_pages<RoleHolder>(page, "core_enrol_get_enrolled_users", fetch);
  if (!holders) return holders.error();
  std::optional<RoleHolder> teacher = choose_teacher(*holders, m_options.teacher_roles);
  std::string name = teacher ? teacher->fullname : std::string();
  std::lock_guard<std::mutex> lock(m_mutex);
  m_teachers[course] = name;
  if (teacher) m_names[teacher->id] = teacher->fullname;
  return name;
}

Result<std::string> MoodleLms::teacher_for(CourseId course, UserId rater) {
  if (rater != 0) {
    CERTD_ASSIGN_OR_RETURN(std::string name, teacher_name(rater));
    if (!name.empty()) return name;
  }
  return course_teacher(course);
}

Result<std::optional<bool>> MoodleLms::completion_tracking(const Course& course) {
  FormBuilder params;
  params.add("field", std::string("shortname")).add("value", course.shortname);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_course_get_courses_by_field", params, Retry::reads));
  return course_completion_enabled(answer, course.shortname);
}

void MoodleLms::forget_frameworks() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_frameworks.clear();
}

void MoodleLms::forget_teachers() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_teachers.clear();
}

UserId MoodleLms::service_user() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_service_user;
}

void MoodleLms::set_service_user(UserId id) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_service_user = id;
}

Result<std::string> MoodleLms::teacher_name(UserId teacher) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_names.find(teacher);
    if (it != m_names.end()) return it->second;
  }
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> users, users_by_id({teacher}));
  if (!users.empty()) return users.front().fullname;
  std::lock_guard<std::mutex> lock(m_mutex);
  m_names[teacher] = "";  // gone or hidden: not asked again for every student
  return std::string();
}

// Completion status says `usernotenroled` both for "not enrolled" and for
// "suspended" (docs/moodle-api.md §3): tell them apart with the suspended list.
Result<Enrolment> MoodleLms::enrolment_when_not_active(CourseId course, UserId student) {
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> suspended, roster(course, Enrolment::suspended));
  bool found = std::any_of(suspended.begin(), suspended.end(), [&](const Student& s) { return s.id == student; });
  return found ? Enrolment::suspended : Enrolment::not_enrolled;
}

Result<CourseProgress> MoodleLms::progress(const Course& course, UserId student) {
  CERTD_ASSIGN_OR_RETURN(std::vector<UserRecord> users, user_records_by_id({student}));
  if (users.empty()) return Error(ErrorCode::not_found, "no Moodle user with id " + std::to_string(student));
  CourseProgress progress;
  progress.student = users.front().student;
  progress.course = course;
  // A suspended account (not an enrolment) cannot log in: its facts are
  // read as usual, but nothing is issued automatically.
  bool account_suspended = users.front().suspended;
  auto account = [&](CourseProgress& out) -> CourseProgress& {
    if (account_suspended) {
      out.enrolment = Enrolment::suspended;
      out.enrolment_note = "the account is suspended in Moodle";
    }
    return out;
  };
  Result<CompletionState> completion = course_completion(course.id, student);
  // A course without completion criteria answers nocriteriaset for every
  // student (docs/moodle-api.md §3a): it is never completed, other facts stand.
  if (!completion && is_code(completion.error(), "nocriteriaset")) completion = CompletionState();
  if (!completion) {
    if (!is_code(completion.error(), "usernotenroled")) return completion.error();
    CERTD_ASSIGN_OR_RETURN(progress.enrolment, enrolment_when_not_active(course.id, student));
    progress.enrolment_note = progress.enrolment == Enrolment::suspended
                                  ? "the enrolment is suspended in Moodle"
                                  : "the student is not enrolled in " + course.shortname;
    CERTD_ASSIGN_OR_RETURN(progress.teacher_name, course_teacher(course.id));
    return account(progress);
  }
  progress.enrolment = Enrolment::active;
  progress.completed = completion->completed;
  progress.completed_at = completion->completed_at;
  CERTD_ASSIGN_OR_RETURN(progress.grade_percent, grade(course.id, student));
  CERTD_ASSIGN_OR_RETURN(CourseInfo info, course_info(course));
  UserId rater = 0;
  if (info.has_competencies) {
    CERTD_ASSIGN_OR_RETURN(SkillsRead read, skills(course.id, student));
    progress.skills = std::move(read.levels);
    rater = read.rater;
  }
  CERTD_ASSIGN_OR_RETURN(progress.teacher_name, teacher_for(course.id, rater));
  return account(progress);
}

Result<std::vector<EnrolledStudent>> MoodleLms::enrolled_students(const Course& course) {
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> active, roster(course.id, Enrolment::active));
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> suspended, roster(course.id, Enrolment::suspended));
  std::vector<EnrolledStudent> students;
  for (Student& student : active) students.push_back({std::move(student), Enrolment::active});
  for (Student& student : suspended) students.push_back({std::move(student), Enrolment::suspended});
  return students;
}

SweepVisit MoodleLms::visit(const CourseInfo& info, UserId student) {
  long long requests_before = thread_requests();
  SweepVisit result = visit_pair(info, student);
  result.requests = thread_requests() - requests_before;
  return result;
}

SweepVisit MoodleLms::visit_pair(const CourseInfo& info, UserId student) {
  SweepVisit result;
  result.student = student;
  result.course = info.course.id;
  if (info.issue_now) {
    Result<std::vector<ActivityState>> states = activities(info.course.id, student);
    if (!states) {
      result.error = states.error();
      return result;
    }
    for (const ActivityState& state : *states)
      if (state.cmid == *info.issue_now) result.mark = state;
  }
  if (info.has_competencies) {
    Result<SkillsRead> read = skills(info.course.id, student);
    if (!read) {
      result.error = read.error();
      return result;
    }
    result.skills = std::move(*read);
  }
  return result;
}

// The same reading as the sweep's visit (visit_pair, apply_visit in
// moodle_poll.cpp): a teacher's mark is state 1+ with overrideby; a
// student's own tick has none, and a cleared mark is state 0.
Result<std::optional<IssueNowMark>> MoodleLms::issue_now_mark(const Course& course, UserId student) {
  CERTD_ASSIGN_OR_RETURN(CourseInfo info, course_info(course));
  if (!info.issue_now) return std::optional<IssueNowMark>();
  CERTD_ASSIGN_OR_RETURN(std::vector<ActivityState> states, activities(info.course.id, student));
  for (const ActivityState& state : states) {
    if (state.cmid != *info.issue_now || state.state < 1 || !state.override_by || !state.time) continue;
    IssueNowMark mark;
    mark.student = student;
    mark.course = info.course;
    mark.activity = state.cmid;
    mark.teacher_id = *state.override_by;
    mark.teacher_name = teacher_name(*state.override_by).value_or(std::string());
    mark.marked_at = *state.time;
    return std::optional<IssueNowMark>(std::move(mark));
  }
  return std::optional<IssueNowMark>();
}

void MoodleLms::set_facts_needed(std::map<std::string, FactsNeeded> by_course) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_facts = std::move(by_course);
}

FactsNeeded MoodleLms::facts_needed(const std::string& shortname) {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto it = m_facts.find(shortname);
  return it == m_facts.end() ? FactsNeeded() : it->second;
}

// --- Write-backs ------------------------------------------------------------

Result<bool> MoodleLms::has_note(const NoteRequest& request) {
  FormBuilder params;
  params.add("courseid", request.course).add("userid", request.student);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_notes_get_course_notes", params, Retry::reads));
  for (const std::string& text : parse_note_texts(answer))
    if (text.find(request.verification_url) != std::string::npos) return true;
  return false;
}

Status MoodleLms::add_note(const NoteRequest& request) {
  if (request.verification_url.empty()) return Error(ErrorCode::invalid_argument, "a note needs the verification link");
  // Moodle does not deduplicate on clientnoteid, so a retry after a lost
  // answer would add a second note: a retry looks for ours first.
  if (!request.first_attempt) {
    CERTD_ASSIGN_OR_RETURN(bool exists, has_note(request));
    if (exists) return ok();
  }
  std::string text = "Certificate " + request.certificate_number + " \"" + request.title +
                     "\" issued. Verify it at " + request.verification_url;
  FormBuilder params;
  params.add_records("notes", {{{"userid", std::to_string(request.student)},
                                {"publishstate", "course"},
                                {"courseid", std::to_string(request.course)},
                                {"text", text},
                                {"format", "2"},
                                {"clientnoteid", client_id_param(request.client_id)}}});
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_notes_create_notes", params));
  std::vector<ItemResult> results = parse_item_results(answer, "noteid", "clientnoteid");
  if (results.empty()) return Error(ErrorCode::internal, "core_notes_create_notes answered no result");
  if (results.front().id <= 0)
    return Error(ErrorCode::invalid_argument, "Moodle refused the note: " + results.front().error);
  return ok();
}

Result<MessageOutcome> MoodleLms::send_message(const MessageRequest& request) {
  FormBuilder params;
  params.add_records("messages", {{{"touserid", std::to_string(request.student)},
                                   {"text", request.text},
                                   {"textformat", "2"},
                                   {"clientmsgid", client_id_param(request.client_id)}}});
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_message_send_instant_messages", params));
  std::vector<ItemResult> results = parse_item_results(answer, "msgid", "clientmsgid");
  if (results.empty()) return Error(ErrorCode::internal, "core_message_send_instant_messages answered no result");
  if (results.front().id > 0) return MessageOutcome{Delivery::delivered, {}};
  // A per-item refusal has only a localised message (docs/moodle-api.md §3c): tell
  // "no such user" from "message preferences" by looking the user up.
  CERTD_ASSIGN_OR_RETURN(std::vector<Student> users, users_by_id({request.student}));
  if (users.empty()) return Error(ErrorCode::not_found, "Moodle refused the message: " + results.front().error);
  return MessageOutcome{Delivery::refused, results.front().error};
}

Status MoodleLms::set_profile_field(UserId student, const std::string& field_name, const std::string& value) {
  FormBuilder params;
  params.add("users[0][id]", student)
      .add("users[0][customfields][0][type]", field_name)
      .add("users[0][customfields][0][value]", value);
  CERTD_ASSIGN_OR_RETURN(json answer, m_ws.call("core_user_update_users", params));
  for (const Warning& warning : parse_warnings(answer))
    return Error(warning.code == "invaliduserid" ? ErrorCode::not_found : ErrorCode::invalid_argument,
                 "[" + warning.code + "] " + warning.message + " (core_user_update_users)");
  return ok();
}

Status MoodleLms::complete_activity(const Course& course, const std::string& activity_name, UserId student) {
  CERTD_ASSIGN_OR_RETURN(CourseInfo info, course_info(course));
  auto it = info.activities.find(activity_name);
  if (it == info.activities.end())
    return Error(ErrorCode::invalid_argument, "no activity named '" + activity_name + "' in " + course.shortname);
  FormBuilder params;
  params.add("userid", student).add("cmid", it->second).add("newstate", 1);
  CERTD_TRY(m_ws.call("core_completion_override_activity_completion_status", params));
  return ok();
}

Status MoodleLms::clear_issue_now(const IssueNowMark& mark) {
  FormBuilder params;
  params.add("userid", mark.student).add("cmid", mark.activity).add("newstate", 0);
  CERTD_TRY(m_ws.call("core_completion_override_activity_completion_status", params));
  return ok();
}

Result<EnrolOutcome> MoodleLms::enrol(const EnrolRequest& request) {
  // enrol_manual_enrol_users is an upsert that also re-activates a
  // suspended enrolment (docs/moodle-api.md §7): never send it for a student who
  // is enrolled already, active or suspended by a teacher since.
  FormBuilder mine;
  mine.add("userid", request.student).add_bool("returnusercount", false);
  CERTD_ASSIGN_OR_RETURN(json active, m_ws.call("core_enrol_get_users_courses", mine, Retry::reads));
  for (const Course& course : parse_courses(active))
    if (course.id == request.course) return EnrolOutcome::already_enrolled;
  CERTD_ASSIGN_OR_RETURN(Enrolment status, enrolment_when_not_active(request.course, request.student));
  if (status == Enrolment::suspended) return EnrolOutcome::already_enrolled;
  FormBuilder params;
  params.add_records("enrolments", {{{"roleid", std::to_string(request.role_id)},
                                     {"userid", std::to_string(request.student)},
                                     {"courseid", std::to_string(request.course)}}});
  CERTD_TRY(m_ws.call("enrol_manual_enrol_users", params));
  return EnrolOutcome::enrolled;
}

// --- Site check ------------------------------------------------------------

namespace {

// Turns a probe's error into a plain-words line; `capability` names what
// a permission error most likely means.
void note_probe_error(SiteCheck& check, const Error& error, const std::string& capability, const std::string& what) {
  std::string code = lms_error_code(error);
  if (code == "accessexception") return;  // a function missing from the service: already listed
  if (error.code() == ErrorCode::permission_denied)
    check.missing.push_back("capability " + capability + " (to " + what + "): Moodle said " + error.message());
  else
    check.notes.push_back("could not " + what + ": " + error.message());
}

}  // namespace

void MoodleLms::check_course_access(SiteCheck& check, const Course& course) {
  auto probe = [&](std::vector<Record> options) {
    FormBuilder params;
    params.add("courseid", course.id).add_records("options", options);
    return m_ws.call("core_enrol_get_enrolled_users", params, Retry::reads);
  };
  Result<json> active = probe({{{"name", "onlyactive"}, {"value", "1"}}, {{"name", "limitnumber"}, {"value", "1"}}});
  if (!active) note_probe_error(check, active.error(), "moodle/course:enrolreview", "leave out suspended students");
  Result<json> students = probe({{{"name", "withcapability"}, {"value", k_students_capability}},
                                 {{"name", "limitnumber"}, {"value", "5"}}});
  if (!students) {
    note_probe_error(check, students.error(), "moodle/role:review", "list only the students of " + course.shortname);
    return;
  }
  // Without moodle/user:viewalldetails, user records lose username,
  // idnumber and custom fields with no error at all (docs/moodle-api.md §3d).
  if (!users_show_details(*students))
    check.missing.push_back("capability moodle/user:viewalldetails (student numbers and the " +
                            m_options.guardian_email_field + " field are hidden without it)");
  std::vector<Student> list = parse_users(*students, m_options.guardian_email_field);
  if (list.empty()) {
    check.notes.push_back(course.shortname + " has no students: completion, grade and skill reads not probed");
    return;
  }
  check_student_access(check, course, list.front().id);
}

void MoodleLms::check_student_access(SiteCheck& check, const Course& course, UserId student) {
  Result<CompletionState> completion = course_completion(course.id, student);
  if (!completion && !is_code(completion.error(), "usernotenroled"))
    note_probe_error(check, completion.error(), "report/completion:view", "read course completion");
  FormBuilder contents;
  contents.add("courseid", course.id);
  Result<json> modules = m_ws.call("core_course_get_contents", contents, Retry::reads);
  Result<std::vector<ActivityState>> states = activities(course.id, student);
  if (!states) {
    note_probe_error(check, states.error(), "report/progress:view", "read activity completion");
  } else if (modules) {
    // Activities the service user may not see vanish from the answer
    // silently (docs/moodle-api.md §3d): compare with the course's contents.
    std::set<std::string> missing_types;
    for (const Module& module : parse_course_contents(*modules)) {
      if (module.completion == 0) continue;
      bool listed = std::any_of(states->begin(), states->end(), [&](const ActivityState& s) { return s.cmid == module.id; });
      if (listed) continue;
      if (!module.visible) missing_types.insert("moodle/course:viewhiddenactivities");
      else missing_types.insert("mod/" + module.modname + ":view");
    }
    for (const std::string& capability : missing_types)
      check.missing.push_back("capability " + capability + " (activities of " + course.shortname +
                              " are hidden from the service user; \"issue now\" marks may be missed)");
  }
  Result<std::optional<double>> graded = grade(course.id, student);
  if (!graded) note_probe_error(check, graded.error(), "gradereport/user:view and moodle/grade:viewall", "read grades");
  Result<SkillsRead> rated = skills(course.id, student);
  if (!rated)
    note_probe_error(check, rated.error(), "moodle/competency:usercompetencyview", "read skill ratings");
  FormBuilder notes;
  notes.add("courseid", course.id).add("userid", student);
  Result<json> existing = m_ws.call("core_notes_get_course_notes", notes, Retry::reads);
  if (!existing) note_probe_error(check, existing.error(), "moodle/notes:view", "read notes");
}

// The plugin moodle/local_certd sends webhooks; Moodle lists its
// local_certd_ping in site info once it is installed and the function is
// in certd's service. Without it certd still learns everything by polling,
// so this is a note, never something missing.
std::string MoodleLms::plugin_note(const SiteInfo& info) {
  const std::string name = "Moodle plugin local_certd: ";
  if (!info.functions.count("local_certd_ping"))
    return name + "not installed: webhooks come only by polling (see the README's plugin steps)";
  Result<json> ping = m_ws.call("local_certd_ping", FormBuilder(), Retry::reads);
  if (!ping) return name + "installed, but local_certd_ping failed: " + ping.error().message();
  auto text = [&](const char* key) {
    const json* value = ping->is_object() && ping->contains(key) ? &(*ping)[key] : nullptr;
    if (!value) return std::string("?");
    return value->is_string() ? value->get<std::string>() : value->dump();
  };
  std::string note = name + "installed (release " + text("version") + "); " + text("queued") +
                     " webhooks waiting in Moodle, " + text("failed") + " given up";
  if (text("failed") != "0") note += ": see the plugin's queue page in Moodle";
  return note;
}

Result<SiteCheck> MoodleLms::check_site() {
  Result<json> site = m_ws.call("core_webservice_get_site_info", FormBuilder(), Retry::reads);
  if (!site && is_code(site.error(), "accessexception")) {
    // Site info refused: left out of the service, or the whole service is
    // disabled, which a second function tells (docs/moodle-api.md §3a).
    FormBuilder probe;
    probe.add("field", std::string("id")).add("value", std::string("1"));
    Result<json> other = m_ws.call("core_course_get_courses_by_field", probe, Retry::reads);
    if (!other && is_code(other.error(), "accessexception"))
      return Error(ErrorCode::permission_denied, "[accessexception] the external service of the token is disabled or "
                                                 "does not exist: " + advice::service_unavailable());
  }
  if (!site) return site.error();
  SiteInfo info = parse_site_info(*site);
  set_service_user(info.user_id);
  SiteCheck check;
  check.site_name = info.site_name;
  check.release = info.release;
  check.service_user = info.username;
  for (const FunctionUse& use : k_functions) {
    bool report_only = std::string(use.name).rfind("core_reportbuilder_", 0) == 0;
    if (report_only && m_options.completions_report == 0) continue;
    if (!info.functions.count(use.name))
      check.missing.push_back(std::string("web-service function ") + use.name + " (to " + use.purpose +
                              ") is not in the service");
  }
  check.notes.push_back(plugin_note(info));
  Result<std::vector<Course>> found = courses(m_options.courses);
  if (!found) {
    check.missing.push_back(found.error().message());
    return check;
  }
  bool any_issue_now = false;
  for (const Course& course : *found) {
    Result<CourseInfo> course_data = course_info(course);
    if (!course_data) {
      note_probe_error(check, course_data.error(), "moodle/course:view", "enter " + course.shortname);
      continue;
    }
    any_issue_now = any_issue_now || course_data->issue_now.has_value();
    if (!course_data->issue_now)
      check.notes.push_back(course.shortname + " has no activity \"" + m_options.issue_now_activity +
                            "\" with completion tracking: teachers cannot ask for \"issue now\" there");
  }
  // The activity is hidden from students: without the capability it
  // vanishes from every answer (docs/moodle-api.md §8).
  if (!found->empty() && !any_issue_now)
    check.missing.push_back("no course shows the hidden activity \"" + m_options.issue_now_activity +
                            "\": create it (docs/moodle-api.md §8) or give the service capability "
                            "moodle/course:viewhiddenactivities");
  if (!found->empty()) check_course_access(check, found->front());
  if (m_options.completions_report != 0) {
    FormBuilder params;
    params.add("reportid", static_cast<std::int64_t>(m_options.completions_report)).add("page", 0).add("perpage", 1);
    Result<json> report = m_ws.call("core_reportbuilder_retrieve_report", params, Retry::reads);
    if (!report)
      check.missing.push_back("completions report " + std::to_string(m_options.completions_report) +
                              " (lms.completions_report) cannot be read: " + report.error().message() +
                              "; it must exist and list the service user in its audience");
    else if (!parse_completions_report(*report).has_columns)
      check.missing.push_back("completions report " + std::to_string(m_options.completions_report) +
                              " lacks the columns \"Course short name\" and \"Username\"");
  }
  check.notes.push_back(
      "write capabilities (moodle/notes:manage, moodle/site:sendmessage, moodle/site:readallmessages, "
      "moodle/user:update, moodle/course:overridecompletion, enrol/manual:enrol, moodle/role:assign) are proven "
      "by the first write-back; failures show in `certd report`");
  return check;
}

// --- Factories ----------------------------------------------------------------

Result<std::unique_ptr<Lms>> make_moodle_lms(MoodleOptions options, const Clock& clock) {
  TransportOptions transport;
  transport.base_url = options.url;
  while (!transport.base_url.empty() && transport.base_url.back() == '/') transport.base_url.pop_back();
  transport.timeout = options.request_timeout;
  transport.ca_file = options.ca_file;
  transport.max_connections = options.max_connections;
  transport.max_requests_per_second = options.max_requests_per_second;
  CERTD_ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> http, make_http_transport(std::move(transport)));
  return make_moodle_lms(std::move(options), std::move(http), clock);
}

std::unique_ptr<Lms> make_moodle_lms(MoodleOptions options, std::unique_ptr<HttpTransport> transport,
                                     const Clock& clock) {
  return std::make_unique<MoodleLms>(std::move(options), std::move(transport), clock);
}

}  // namespace certd::connector::moodle
