// The school data file (examples/school.yaml documents every key).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "connector/simulator/school.hpp"
#include "core/time_format.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::connector::simulator {
namespace {

using yaml::Diagnostics;
using yaml::MapReader;

// One file's reading state: the school so far and every error found.
class Loader {
 public:
  Loader(School& school, Diagnostics& diagnostics) : m_school(school), m_diagnostics(diagnostics) {}

  void read(const YAML::Node& root);

 private:
  void read_site(const YAML::Node& node);
  void read_framework(const YAML::Node& node, const std::string& path);
  void read_course(const YAML::Node& node, const std::string& path);
  void read_teacher(const YAML::Node& node, const std::string& path);
  void read_student(const YAML::Node& node, const std::string& path);
  void read_progress(User& student, const std::string& course_name, const YAML::Node& node, const std::string& path);
  bool read_user(MapReader& reader, User& user);
  std::optional<std::int64_t> time_of(MapReader& reader, std::string_view key);
  void assign_ids();
  void resolve_ratings();
  template <typename F>
  void each(const YAML::Node& list, const std::string& path, F&& read_one);

  School& m_school;
  Diagnostics& m_diagnostics;
  struct Teaching {
    std::string username;
    std::vector<std::string> courses;
    int role = k_teacher_role;
  };
  std::vector<Teaching> m_teaching;
  // Ratings whose rater is named by username, resolved once users are known.
  std::vector<std::pair<std::tuple<Id, Id, Id>, std::string>> m_raters;
};

template <typename F>
void Loader::each(const YAML::Node& list, const std::string& path, F&& read_one) {
  if (!list.IsDefined()) return;
  if (!list.IsSequence()) {
    m_diagnostics.error(list, path + " must be a list, not " + yaml::describe(list));
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) read_one(list[i], path + "[" + std::to_string(i) + "]");
}

std::optional<std::int64_t> Loader::time_of(MapReader& reader, std::string_view key) {
  if (!reader.has(key)) return std::nullopt;
  std::optional<std::string> text = reader.string(key);
  if (!text) return std::nullopt;
  if (!text->empty() && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::stoll(*text);
  if (std::optional<TimePoint> time = parse_iso8601(*text)) return to_unix(*time);
  reader.error_at(key, "expected a time (2026-11-20T10:50:00Z, 2026-11-20 or unix seconds), found '" + *text + "'");
  return std::nullopt;
}

void Loader::read_site(const YAML::Node& node) {
  MapReader site(node, "site", m_diagnostics);
  if (!site.valid()) return;
  if (auto name = site.string("name")) m_school.site_name = *name;
  if (auto token = site.string("token")) m_school.token = *token;
  if (auto id = site.integer("service_user_id", 1, 1LL << 40)) m_school.service_user = *id;
  if (auto username = site.string("service_username")) m_school.service_username = *username;
  if (auto display = site.string("fullnamedisplay")) m_school.fullnamedisplay = *display;
  if (auto report = site.integer("completions_report", 1, 1LL << 40)) m_school.report_id = *report;
  m_school.report_gone = site.boolean("completions_report_gone").value_or(false);
  m_school.service_enabled = site.boolean("service_enabled").value_or(true);
  m_school.local_certd_plugin = site.boolean("local_certd_plugin").value_or(false);
  for (const std::string& name : site.string_list("missing_functions").value_or(std::vector<std::string>{}))
    m_school.missing_functions.insert(name);
  site.finish();
}

void Loader::read_framework(const YAML::Node& node, const std::string& path) {
  MapReader reader(node, path, m_diagnostics);
  if (!reader.valid()) return;
  Framework framework;
  framework.id = reader.integer("id", 1, 1LL << 40).value_or(0);
  framework.shortname = reader.string("shortname", true).value_or("");
  framework.idnumber = reader.string("idnumber").value_or(framework.shortname);
  MapReader scale(reader.get("scale"), yaml::join_path(path, "scale"), m_diagnostics);
  if (scale.valid()) {
    framework.scale_id = scale.integer("id", 1, 1LL << 40).value_or(3);
    framework.scale = scale.string_list("values", true).value_or(std::vector<std::string>{});
    framework.proficient.clear();
    for (const std::string& value : scale.string_list("proficient").value_or(std::vector<std::string>{}))
      framework.proficient.insert(std::atoi(value.c_str()));
    if (framework.proficient.empty()) framework.proficient.insert(static_cast<int>(framework.scale.size()));
    framework.default_value = static_cast<int>(scale.integer("default", 1, 100).value_or(*framework.proficient.begin()));
    scale.finish();
  }
  each(reader.get("levels"), yaml::join_path(path, "levels"), [&](const YAML::Node& level_node, const std::string& level_path) {
    MapReader level(level_node, level_path, m_diagnostics);
    if (!level.valid()) return;
    Competency entry;
    entry.id = level.integer("id", 1, 1LL << 40).value_or(0);
    entry.shortname = level.string("shortname", true).value_or("");
    entry.idnumber = level.string("idnumber", true).value_or("");
    entry.description = level.string("description").value_or("");
    framework.competencies.push_back(entry);
    std::size_t level_index = framework.competencies.size() - 1;
    int order = 0;
    each(level.get("skills"), yaml::join_path(level_path, "skills"), [&](const YAML::Node& skill_node, const std::string& skill_path) {
      MapReader skill(skill_node, skill_path, m_diagnostics);
      if (!skill.valid()) return;
      Competency child;
      child.id = skill.integer("id", 1, 1LL << 40).value_or(0);
      child.parent = -static_cast<Id>(level_index) - 1;  // resolved once ids are known
      child.shortname = skill.string("shortname", true).value_or("");
      child.idnumber = skill.string("idnumber", true).value_or("");
      child.description = skill.string("description").value_or("");
      child.sortorder = order++;
      framework.competencies.push_back(child);
      skill.finish();
    });
    level.finish();
  });
  reader.finish();
  m_school.frameworks.push_back(std::move(framework));
}

void Loader::read_course(const YAML::Node& node, const std::string& path) {
  MapReader reader(node, path, m_diagnostics);
  if (!reader.valid()) return;
  Course course;
  course.id = reader.integer("id", 2, 1LL << 40).value_or(0);
  course.shortname = reader.string("shortname", true).value_or("");
  course.fullname = reader.string("fullname").value_or(course.shortname);
  course.manual_enrolment = reader.boolean("manual_enrolment").value_or(true);
  course.completion_criteria = reader.boolean("completion_criteria").value_or(true);
  course.completion_tracking = reader.boolean("completion_tracking").value_or(true);
  course.visible = reader.boolean("visible").value_or(true);
  course.service_can_see = reader.boolean("service_can_see").value_or(true);
  for (const std::string& name : reader.string_list("skills").value_or(std::vector<std::string>{})) {
    const Competency* competency = m_school.competency_named(name);
    if (!competency) {
      reader.error_at("skills", "no level or skill with idnumber '" + name + "' in the frameworks");
      continue;
    }
    bool is_level = false;
    for (const Framework& framework : m_school.frameworks)
      for (const Competency& child : framework.competencies)
        if (child.parent == competency->id) {
          course.competencies.push_back(child.id);
          is_level = true;
        }
    if (!is_level) course.competencies.push_back(competency->id);
  }
  Id instance = 1;
  each(reader.get("activities"), yaml::join_path(path, "activities"), [&](const YAML::Node& item, const std::string& item_path) {
    MapReader activity(item, item_path, m_diagnostics);
    if (!activity.valid()) return;
    Activity entry;
    entry.cmid = activity.integer("cmid", 1, 1LL << 40).value_or(0);
    entry.instance = instance++;
    entry.name = activity.string("name", true).value_or("");
    entry.modname = activity.string("modname").value_or("page");
    entry.visible = activity.boolean("visible").value_or(true);
    std::string completion = activity.choice("completion", {"none", "manual", "automatic"}).value_or("manual");
    entry.completion = completion == "none" ? 0 : completion == "manual" ? 1 : 2;
    entry.criterion = activity.boolean("criterion").value_or(false);
    entry.graded = activity.boolean("graded").value_or(false);
    activity.finish();
    course.activities.push_back(entry);
  });
  reader.finish();
  m_school.courses.push_back(std::move(course));
}

bool Loader::read_user(MapReader& reader, User& user) {
  user.id = reader.integer("id", 2, 1LL << 40).value_or(0);
  user.username = reader.string("username", true).value_or("");
  user.firstname = reader.string("firstname", true).value_or("");
  user.lastname = reader.string("lastname", true).value_or("");
  user.email = reader.string("email").value_or(user.username + "@example.com");
  user.idnumber = reader.string("idnumber").value_or("");
  if (auto guardian = reader.string("guardian_email")) user.profile["guardian_email"] = *guardian;
  YAML::Node profile = reader.get("profile");
  if (profile.IsDefined()) {
    MapReader fields(profile, yaml::join_path(reader.path(), "profile"), m_diagnostics);
    if (fields.valid())
      for (const auto& entry : profile) {
        std::string key = entry.first.Scalar();
        if (auto value = fields.string(key)) user.profile[key] = *value;
      }
  }
  if (auto messages = reader.choice("messages", {"accepted", "refused"})) user.accepts_messages = *messages == "accepted";
  user.deleted = reader.boolean("deleted").value_or(false);
  user.suspended = reader.boolean("suspended").value_or(false);
  user.never_logged_in = reader.boolean("never_logged_in").value_or(false);
  if (m_school.user_named(user.username)) {
    reader.error_at("username", "the username '" + user.username + "' is used twice");
    return false;
  }
  return !user.username.empty();
}

void Loader::read_teacher(const YAML::Node& node, const std::string& path) {
  MapReader reader(node, path, m_diagnostics);
  if (!reader.valid()) return;
  User teacher;
  bool good = read_user(reader, teacher);
  std::vector<std::string> courses = reader.string_list("courses").value_or(std::vector<std::string>{});
  // Moodle's role shortname: editingteacher (default) or teacher (non-editing).
  std::string role = reader.choice("role", {"editingteacher", "teacher"}).value_or("editingteacher");
  reader.finish();
  if (!good) return;
  if (teacher.id == 0) teacher.id = m_school.next_user_id();
  m_teaching.push_back({teacher.username, courses, role == "teacher" ? k_non_editing_teacher_role : k_teacher_role});
  m_school.users.push_back(teacher);
}

void Loader::read_progress(User& student, const std::string& course_name, const YAML::Node& node,
                           const std::string& path) {
  Course* course = m_school.course_named(course_name);
  if (!course) {
    m_diagnostics.error(node, path + ": no course '" + course_name + "' in courses");
    return;
  }
  MapReader reader(node.IsNull() ? YAML::Node(YAML::NodeType::Map) : node, path, m_diagnostics);
  if (!reader.valid()) return;
  course->enrolments.push_back({student.id, k_student_role, reader.boolean("suspended").value_or(false)});
  if (auto completed = time_of(reader, "completed")) {
    m_school.completions[{student.id, course->id}] = *completed;
    for (const Activity& activity : course->activities)
      if (activity.criterion) m_school.activity_states[{student.id, activity.cmid}] = {1, *completed, std::nullopt};
  }
  if (auto grade = reader.number("grade", 0, 100))
    m_school.grades[{student.id, course->id}] = Grade{*grade, time_of(reader, "graded").value_or(1795000000)};
  else
    time_of(reader, "graded");
  YAML::Node skills = reader.get("skills");
  if (skills.IsDefined()) {
    MapReader ratings(skills, yaml::join_path(path, "skills"), m_diagnostics);
    if (ratings.valid())
      for (const auto& entry : skills) {
        std::string idnumber = entry.first.Scalar();
        // A grade, or {grade, by: username, time}; the rater defaults to
        // the course's teacher.
        std::optional<long long> grade;
        std::optional<std::string> by;
        std::int64_t time = 1795000000;
        if (entry.second.IsMap()) {
          MapReader rating(entry.second, yaml::join_path(path, "skills." + idnumber), m_diagnostics);
          grade = rating.integer("grade", 1, 100);
          by = rating.string("by");
          if (by && !m_school.user_named(*by)) rating.error_at("by", "no teacher or user '" + *by + "' (list teachers first)");
          time = time_of(rating, "time").value_or(time);
          rating.finish();
        } else {
          grade = ratings.integer(idnumber, 1, 100);
        }
        const Competency* competency = m_school.competency_named(idnumber);
        if (!competency) {
          m_diagnostics.error(entry.first, path + ".skills: no skill with idnumber '" + idnumber + "'");
          continue;
        }
        if (!grade) continue;
        std::tuple<Id, Id, Id> key{student.id, course->id, competency->id};
        m_school.ratings[key] = Rating{static_cast<int>(*grade), time, 0, std::nullopt};
        m_raters.emplace_back(key, by.value_or(""));
      }
  }
  reader.finish();
}

void Loader::read_student(const YAML::Node& node, const std::string& path) {
  MapReader reader(node, path, m_diagnostics);
  if (!reader.valid()) return;
  User student;
  bool good = read_user(reader, student);
  YAML::Node courses = reader.get("courses");
  reader.finish();
  if (!good) return;
  if (student.id == 0) student.id = m_school.next_user_id();
  m_school.users.push_back(student);
  if (!courses.IsDefined()) return;
  if (!courses.IsMap()) {
    m_diagnostics.error(courses, path + ".courses must be a map of course short names");
    return;
  }
  for (const auto& entry : courses)
    read_progress(m_school.users.back(), entry.first.Scalar(), entry.second, path + ".courses." + entry.first.Scalar());
}

void Loader::assign_ids() {
  Id next = 1;
  for (const Framework& framework : m_school.frameworks)
    for (const Competency& competency : framework.competencies) next = std::max(next, competency.id + 1);
  for (Framework& framework : m_school.frameworks) {
    if (framework.id == 0) framework.id = static_cast<Id>(&framework - &m_school.frameworks[0]) + 1;
    for (Competency& competency : framework.competencies)
      if (competency.id == 0) competency.id = next++;
    for (Competency& competency : framework.competencies)
      if (competency.parent < 0) competency.parent = framework.competencies[static_cast<std::size_t>(-competency.parent - 1)].id;
  }
  Id course_id = 2, cmid = 1;
  for (const Course& course : m_school.courses) {
    course_id = std::max(course_id, course.id + 1);
    for (const Activity& activity : course.activities) cmid = std::max(cmid, activity.cmid + 1);
  }
  for (Course& course : m_school.courses) {
    if (course.id == 0) course.id = course_id++;
    for (Activity& activity : course.activities)
      if (activity.cmid == 0) activity.cmid = cmid++;
  }
}

// Raters by username or the course's teacher, and each rating's
// proficiency by its framework's scale, as Moodle stores it when rating.
void Loader::resolve_ratings() {
  for (const auto& [key, username] : m_raters) {
    Rating& rating = m_school.ratings[key];
    const Course* course = m_school.course(std::get<1>(key));
    if (!username.empty()) {
      if (const User* rater = m_school.user_named(username)) rating.by = rater->id;
    } else if (course) {
      rating.by = m_school.default_rater(*course);
    }
  }
  for (auto& [key, rating] : m_school.ratings) {
    const Framework* framework = nullptr;
    if (m_school.competency(std::get<2>(key), &framework) && !rating.proficient)
      rating.proficient = framework->proficient.count(rating.grade) > 0;
  }
}

void Loader::read(const YAML::Node& root) {
  MapReader top(root, "", m_diagnostics);
  if (!top.valid()) return;
  if (top.has("generate")) {
    // A synthetic school (benchmarks): replaces courses, users and frameworks.
    MapReader generate(top.get("generate"), "generate", m_diagnostics);
    GenerateOptions options;
    options.students = static_cast<int>(generate.integer("students", 1, 1000000).value_or(options.students));
    options.courses = static_cast<int>(generate.integer("courses", 1, 10000).value_or(options.courses));
    options.completed_percent = static_cast<int>(generate.integer("completed_percent", 0, 100).value_or(10));
    options.seed = static_cast<std::uint32_t>(generate.integer("seed", 0, 1LL << 31).value_or(1));
    generate.finish();
    m_school = generate_school(options);
  }
  if (top.has("site")) read_site(top.get("site"));
  each(top.get("frameworks"), "frameworks", [&](const YAML::Node& n, const std::string& p) { read_framework(n, p); });
  assign_ids();
  each(top.get("courses"), "courses", [&](const YAML::Node& n, const std::string& p) { read_course(n, p); });
  assign_ids();
  // Users without an id get the next free one (give all or none an id).
  each(top.get("teachers"), "teachers", [&](const YAML::Node& n, const std::string& p) { read_teacher(n, p); });
  each(top.get("students"), "students", [&](const YAML::Node& n, const std::string& p) { read_student(n, p); });
  for (const Teaching& teaching : m_teaching) {
    const User* teacher = m_school.user_named(teaching.username);
    for (const std::string& name : teaching.courses)
      if (Course* course = m_school.course_named(name)) course->enrolments.push_back({teacher->id, teaching.role, false});
  }
  resolve_ratings();
  top.finish();
}

}  // namespace

Result<School> load_school(std::string_view text, const std::string& file_name) {
  Diagnostics diagnostics(file_name);
  yaml::Limits limits;
  limits.max_bytes = 64u << 20;
  limits.max_nodes = 4000000;
  std::optional<YAML::Node> root = yaml::parse(text, diagnostics, limits);
  School school;
  if (root) {
    Loader loader(school, diagnostics);
    loader.read(*root);
  }
  if (!diagnostics.empty()) {
    std::string message;
    for (const Error& error : diagnostics.errors()) message += (message.empty() ? "" : "\n") + error.to_string();
    return Error(ErrorCode::invalid_argument, message, diagnostics.errors().front().where());
  }
  return school;
}

Result<School> load_school_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::not_found, "cannot read the school file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return load_school(text.str(), path);
}

}  // namespace certd::connector::simulator
