#include "connector/moodle/moodle_parse.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "connector/lms.hpp"

namespace certd::connector::moodle {
namespace {

const json k_null;

const json& at(const json& object, const char* key) {
  const json* value = field(object, key);
  return value ? *value : k_null;
}

const json& list_at(const json& object, const char* key) {
  const json& value = at(object, key);
  return value.is_array() ? value : k_null;
}

// Iterates an array, or nothing for anything else.
template <typename F>
void each(const json& list, F&& visit) {
  if (!list.is_array()) return;
  for (const json& item : list) visit(item);
}

std::vector<std::string> split_emails(const std::string& text) {
  std::vector<std::string> emails;
  std::string current;
  auto flush = [&] {
    if (current.find('@') != std::string::npos) emails.push_back(current);
    current.clear();
  };
  for (char c : text) {
    if (c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c))) flush();
    else current += c;
  }
  flush();
  return emails;
}

// Moodle's own `fullname` is formatted by the site's `fullnamedisplay`
// setting, so it holds the order the school chose: it is taken as it is.
// Every user record of the recordings carries it; a record without it
// (a function or a `userfields` list that leaves it out) is named from
// its parts (connector/lms.hpp, compose_full_name).
std::string full_name(const json& user) {
  std::string formatted = as_text(field(user, "fullname"));
  if (formatted.find_first_not_of(' ') != std::string::npos) return formatted;
  return compose_full_name(as_text(field(user, "firstname")), as_text(field(user, "lastname")));
}

}  // namespace

const json* field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::int64_t> as_int(const json* value) {
  if (!value) return std::nullopt;
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_number_float()) {
    // Casting a double beyond int64's range is undefined (fuzz_moodle
    // under UBSan reports "userid": 1e30): such a number is no id.
    const double number = value->get<double>();
    if (!(number > -9.2e18 && number < 9.2e18)) return std::nullopt;
    return static_cast<std::int64_t>(number);
  }
  if (value->is_boolean()) return value->get<bool>() ? 1 : 0;
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    char* end = nullptr;
    long long number = std::strtoll(text.c_str(), &end, 10);
    if (end != text.c_str() && (*end == '\0' || *end == '.')) return number;
  }
  return std::nullopt;
}

std::optional<double> as_number(const json* value) {
  if (!value) return std::nullopt;
  if (value->is_number()) return value->get<double>();
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    char* end = nullptr;
    double number = std::strtod(text.c_str(), &end);
    if (end != text.c_str() && *end == '\0') return number;
  }
  return std::nullopt;
}

std::optional<TimePoint> as_time(const json* value) {
  std::optional<std::int64_t> seconds = as_int(value);
  if (!seconds || *seconds <= 0) return std::nullopt;
  return from_unix(*seconds);
}

std::string as_text(const json* value) {
  if (!value) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return std::to_string(value->get<std::int64_t>());
  if (value->is_number()) return value->dump();
  return {};
}

bool as_flag(const json* value) {
  std::optional<std::int64_t> number = as_int(value);
  return number && *number != 0;
}

SiteInfo parse_site_info(const json& answer) {
  SiteInfo info;
  info.site_name = as_text(field(answer, "sitename"));
  info.username = as_text(field(answer, "username"));
  info.user_id = as_int(field(answer, "userid")).value_or(0);
  info.release = as_text(field(answer, "release"));
  each(list_at(answer, "functions"), [&](const json& function) {
    info.functions.insert(as_text(field(function, "name")));
  });
  return info;
}

std::vector<Course> parse_courses(const json& answer) {
  std::vector<Course> courses;
  const json& list = answer.is_array() ? answer : list_at(answer, "courses");
  each(list, [&](const json& item) {
    Course course;
    course.id = as_int(field(item, "id")).value_or(0);
    course.shortname = as_text(field(item, "shortname"));
    course.fullname = as_text(field(item, "fullname"));
    each(list_at(item, "enrollmentmethods"), [&](const json& method) {
      if (as_text(&method) == "manual") course.manual_enrolment = true;
    });
    if (course.id > 0) courses.push_back(std::move(course));
  });
  return courses;
}

std::vector<Module> parse_course_contents(const json& answer) {
  std::vector<Module> modules;
  each(answer, [&](const json& section) {
    each(list_at(section, "modules"), [&](const json& item) {
      Module module;
      module.id = as_int(field(item, "id")).value_or(0);
      module.name = as_text(field(item, "name"));
      module.modname = as_text(field(item, "modname"));
      const json* visible = field(item, "visible");
      module.visible = !visible || as_flag(visible);
      module.completion = static_cast<int>(as_int(field(item, "completion")).value_or(0));
      modules.push_back(std::move(module));
    });
  });
  return modules;
}

Student parse_user(const json& user, const std::string& guardian_field) {
  Student student;
  student.id = as_int(field(user, "id")).value_or(0);
  student.username = as_text(field(user, "username"));
  student.idnumber = as_text(field(user, "idnumber"));
  student.fullname = full_name(user);
  student.email = as_text(field(user, "email"));
  each(list_at(user, "customfields"), [&](const json& custom) {
    std::string shortname = as_text(field(custom, "shortname"));
    std::string value = as_text(field(custom, "value"));
    student.profile_fields[shortname] = value;
    if (shortname == guardian_field) student.guardian_emails = split_emails(value);
  });
  return student;
}

std::vector<Student> parse_users(const json& answer, const std::string& guardian_field) {
  std::vector<Student> students;
  const json& list = answer.is_array() ? answer : list_at(answer, "users");
  each(list, [&](const json& user) { students.push_back(parse_user(user, guardian_field)); });
  return students;
}

std::vector<UserRecord> parse_user_records(const json& answer, const std::string& guardian_field) {
  std::vector<UserRecord> records;
  const json& list = answer.is_array() ? answer : list_at(answer, "users");
  each(list, [&](const json& user) {
    UserRecord record;
    record.student = parse_user(user, guardian_field);
    record.suspended = as_flag(field(user, "suspended"));
    const json* first = field(user, "firstaccess");
    const json* last = field(user, "lastaccess");
    record.never_logged_in = first && last && !as_time(first) && !as_time(last);
    records.push_back(std::move(record));
  });
  return records;
}

std::vector<RoleHolder> parse_role_holders(const json& answer) {
  std::vector<RoleHolder> holders;
  each(answer, [&](const json& user) {
    RoleHolder holder;
    holder.id = as_int(field(user, "id")).value_or(0);
    holder.fullname = full_name(user);
    each(list_at(user, "roles"), [&](const json& role) { holder.roles.push_back(as_text(field(role, "shortname"))); });
    if (holder.id > 0) holders.push_back(std::move(holder));
  });
  return holders;
}

std::optional<RoleHolder> choose_teacher(const std::vector<RoleHolder>& holders,
                                         const std::vector<std::string>& preference) {
  for (const std::string& role : preference) {
    const RoleHolder* best = nullptr;
    for (const RoleHolder& holder : holders)
      if (std::find(holder.roles.begin(), holder.roles.end(), role) != holder.roles.end() &&
          (!best || holder.id < best->id))
        best = &holder;
    if (best) return *best;
  }
  return std::nullopt;
}

std::optional<bool> course_completion_enabled(const json& answer, const std::string& shortname) {
  std::optional<bool> enabled;
  each(list_at(answer, "courses"), [&](const json& course) {
    if (as_text(field(course, "shortname")) != shortname) return;
    if (const json* flag = field(course, "enablecompletion")) enabled = as_flag(flag);
  });
  return enabled;
}

bool users_show_details(const json& answer) {
  bool details = true;
  each(answer, [&](const json& user) {
    if (!field(user, "username")) details = false;
  });
  return details;
}

CompletionState parse_course_completion(const json& answer) {
  CompletionState state;
  const json& status = at(answer, "completionstatus");
  state.completed = as_flag(field(status, "completed"));
  each(list_at(status, "completions"), [&](const json& criterion) {
    std::optional<TimePoint> time = as_time(field(criterion, "timecompleted"));
    if (time && (!state.completed_at || *time > *state.completed_at)) state.completed_at = time;
  });
  if (!state.completed) state.completed_at.reset();
  return state;
}

std::vector<ActivityState> parse_activities_completion(const json& answer) {
  std::vector<ActivityState> states;
  each(list_at(answer, "statuses"), [&](const json& item) {
    ActivityState state;
    state.cmid = as_int(field(item, "cmid")).value_or(0);
    state.modname = as_text(field(item, "modname"));
    state.state = static_cast<int>(as_int(field(item, "state")).value_or(0));
    state.time = as_time(field(item, "timecompleted"));
    std::optional<std::int64_t> by = as_int(field(item, "overrideby"));
    if (by && *by > 0) state.override_by = *by;
    states.push_back(state);
  });
  return states;
}

std::vector<CourseGrade> parse_course_grades(const json& answer) {
  std::vector<CourseGrade> grades;
  each(list_at(answer, "usergrades"), [&](const json& user) {
    CourseGrade grade;
    grade.user = as_int(field(user, "userid")).value_or(0);
    each(list_at(user, "gradeitems"), [&](const json& item) {
      if (as_text(field(item, "itemtype")) != "course") return;
      std::optional<double> raw = as_number(field(item, "graderaw"));
      double min = as_number(field(item, "grademin")).value_or(0);
      double max = as_number(field(item, "grademax")).value_or(100);
      if (raw && max > min) grade.percent = (*raw - min) * 100.0 / (max - min);
      grade.graded_at = as_time(field(item, "gradedategraded"));
    });
    grades.push_back(grade);
  });
  return grades;
}

std::set<std::int64_t> proficient_values(const std::string& scale_configuration) {
  std::set<std::int64_t> values;
  json config = json::parse(scale_configuration, nullptr, /*allow_exceptions=*/false);
  each(config, [&](const json& entry) {
    std::optional<std::int64_t> id = as_int(field(entry, "id"));
    if (id && as_flag(field(entry, "proficient"))) values.insert(*id);
  });
  return values;
}

std::vector<Rating> parse_competency_report(const json& answer) {
  std::vector<Rating> ratings;
  each(list_at(answer, "usercompetencies"), [&](const json& item) {
    const json& summary = at(item, "competency");
    const json& competency = at(summary, "competency");
    const json& framework = at(summary, "framework");
    const json& rating = at(item, "usercompetencycourse");
    Rating out;
    out.framework = as_text(field(framework, "shortname"));
    out.framework_id = as_int(field(framework, "id")).value_or(0);
    out.competency_id = as_int(field(competency, "id")).value_or(0);
    out.parent_id = as_int(field(competency, "parentid")).value_or(0);
    out.name = as_text(field(competency, "shortname"));
    out.idnumber = as_text(field(competency, "idnumber"));
    std::optional<std::int64_t> grade = as_int(field(rating, "grade"));
    out.rated = grade.has_value();
    // Moodle stores `proficiency` with the rating, decided by the scale
    // configuration of that time: it is what Moodle shows, whatever the
    // scale (docs/moodle-api.md §6). Only a rating without it is judged by
    // the configuration (the competency's own scale first, then the
    // framework's).
    const json* proficiency = field(rating, "proficiency");
    if (grade && proficiency && !proficiency->is_null()) {
      out.proficient = as_flag(proficiency);
    } else if (grade) {
      std::string configuration = as_text(field(competency, "scaleconfiguration"));
      if (configuration.empty()) configuration = as_text(field(summary, "scaleconfiguration"));
      if (configuration.empty()) configuration = as_text(field(framework, "scaleconfiguration"));
      out.proficient = proficient_values(configuration).count(*grade) > 0;
    }
    out.modified = as_time(field(rating, "timemodified"));
    out.modified_by = as_int(field(rating, "usermodified")).value_or(0);
    std::string term = as_text(field(summary, "taxonomyterm"));
    std::string taxonomies = as_text(field(framework, "taxonomies"));
    std::transform(term.begin(), term.end(), term.begin(), [](unsigned char c) { return std::tolower(c); });
    out.level_node = out.parent_id == 0 && (term == "level" || taxonomies.rfind("level", 0) == 0);
    ratings.push_back(std::move(out));
  });
  return ratings;
}

std::vector<Competency> parse_competencies(const json& answer) {
  std::vector<Competency> competencies;
  each(answer, [&](const json& item) {
    const json& competency = field(item, "competency") ? at(item, "competency") : item;
    competencies.push_back({as_int(field(competency, "id")).value_or(0),
                            as_int(field(competency, "parentid")).value_or(0),
                            as_text(field(competency, "shortname")), as_text(field(competency, "idnumber"))});
  });
  return competencies;
}

std::optional<TimePoint> parse_display_time(const std::string& text) {
  // "Monday, 23 November 2026, 10:50 AM": weekday, day month year, h:mm AM/PM.
  static const char* const k_months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
  std::size_t comma = text.find(", ");
  if (comma == std::string::npos) return std::nullopt;
  char month_name[16] = {};
  int day = 0, year = 0, hour = 0, minute = 0;
  char half[3] = {};
  if (std::sscanf(text.c_str() + comma + 2, "%d %15s %d, %d:%d %2s", &day, month_name, &year, &hour, &minute, half) <
      5)
    return std::nullopt;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::strcmp(month_name, k_months[i]) == 0) month = i;
  if (month < 0) return std::nullopt;
  if (std::strcmp(half, "PM") == 0 && hour < 12) hour += 12;
  if (std::strcmp(half, "AM") == 0 && hour == 12) hour = 0;
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  return from_unix(static_cast<std::int64_t>(timegm(&parts)));
}

ReportPage parse_completions_report(const json& answer) {
  ReportPage page;
  const json& data = at(answer, "data");
  page.total_rows = as_int(field(data, "totalrowcount")).value_or(0);
  int course = -1, username = -1, idnumber = -1, time = -1;
  int index = 0;
  each(list_at(data, "headers"), [&](const json& header) {
    std::string name = as_text(&header);
    if (name == "Course short name") course = index;
    if (name == "Username") username = index;
    if (name == "ID number") idnumber = index;
    if (name == "Time completed") time = index;
    ++index;
  });
  page.has_columns = course >= 0 && username >= 0;
  if (!page.has_columns) return page;
  each(list_at(data, "rows"), [&](const json& row) {
    const json& columns = list_at(row, "columns");
    auto cell = [&](int i) { return i >= 0 && columns.is_array() && i < static_cast<int>(columns.size())
                                        ? as_text(&columns[static_cast<std::size_t>(i)]) : std::string(); };
    page.rows.push_back({cell(course), cell(username), cell(idnumber), parse_display_time(cell(time))});
  });
  return page;
}

std::vector<ItemResult> parse_item_results(const json& answer, const char* id_key, const char* client_key) {
  std::vector<ItemResult> results;
  each(answer, [&](const json& item) {
    results.push_back({as_text(field(item, client_key)), as_int(field(item, id_key)).value_or(-1),
                       as_text(field(item, "errormessage"))});
  });
  return results;
}

std::vector<Warning> parse_warnings(const json& answer) {
  std::vector<Warning> warnings;
  const json& list = answer.is_array() ? answer : list_at(answer, "warnings");
  each(list, [&](const json& item) {
    warnings.push_back({as_text(field(item, "item")), as_int(field(item, "itemid")).value_or(0),
                        as_text(field(item, "warningcode")), as_text(field(item, "message"))});
  });
  return warnings;
}

std::vector<std::string> parse_note_texts(const json& answer) {
  std::vector<std::string> texts;
  for (const char* list : {"sitenotes", "coursenotes", "personalnotes"})
    each(list_at(answer, list), [&](const json& note) { texts.push_back(as_text(field(note, "content"))); });
  return texts;
}

}  // namespace certd::connector::moodle
