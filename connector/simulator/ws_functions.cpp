// The simulated web-service functions: the answers and errors of a Moodle
// 4.5 as recorded in tests/connector/recordings/ (docs/moodle-api.md), over the School.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "connector/moodle/form_encoding.hpp"
#include "connector/simulator/param_spec.hpp"
#include "connector/simulator/world.hpp"

namespace certd::connector::simulator {
namespace {

using nlohmann::json;

constexpr const char* k_site_url = "http://moodle.simulated";
constexpr const char* k_release = "4.5dev+ (Build: 20240903)";
constexpr const char* k_version = "2024090300";
// moodle/local_certd/version.php: $plugin->release and $plugin->version.
constexpr const char* k_plugin_function = "local_certd_ping";
constexpr const char* k_plugin_release = "1.0.0";
constexpr std::int64_t k_plugin_version = 2026120100;

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Moodle's XML rendering (without moodlewsrestformat=json).
void to_xml(const json& value, std::string& out) {
  if (value.is_object()) {
    out += "<SINGLE>\n";
    for (const auto& [key, item] : value.items()) {
      out += "<KEY name=\"" + key + "\">";
      to_xml(item, out);
      out += "</KEY>\n";
    }
    out += "</SINGLE>\n";
  } else if (value.is_array()) {
    out += "<MULTIPLE>\n";
    for (const json& item : value) to_xml(item, out);
    out += "</MULTIPLE>\n";
  } else if (value.is_null()) {
    out += "<VALUE null=\"null\"/>\n";
  } else if (value.is_boolean()) {
    out += std::string("<VALUE>") + (value.get<bool>() ? "1" : "0") + "</VALUE>\n";
  } else if (value.is_string()) {
    out += "<VALUE>" + html_escape(value.get<std::string>()) + "</VALUE>\n";
  } else {
    out += "<VALUE>" + value.dump() + "</VALUE>\n";
  }
}

WsAnswer answer(const json& value, bool as_json) {
  WsAnswer out;
  if (as_json) {
    out.body = value.dump();
    return out;
  }
  out.content_type = "application/xml; charset=utf-8";
  out.body = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<RESPONSE>\n";
  if (!value.is_null()) to_xml(value, out.body);
  out.body += "</RESPONSE>\n";
  return out;
}

WsAnswer error_answer(const WsException& error, bool as_json) {
  WsAnswer out;
  if (as_json) {
    json body = {{"exception", error.exception}};
    if (!error.errorcode.empty()) body["errorcode"] = error.errorcode;
    body["message"] = error.message;
    if (!error.debuginfo.empty()) body["debuginfo"] = error.debuginfo;
    out.body = body.dump();
    return out;
  }
  out.content_type = "application/xml; charset=utf-8";
  out.body = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<EXCEPTION class=\"" + error.exception + "\">\n<ERRORCODE>" +
             error.errorcode + "</ERRORCODE>\n<MESSAGE>" + html_escape(error.message) + "</MESSAGE>\n";
  if (!error.debuginfo.empty()) out.body += "<DEBUGINFO>" + html_escape(error.debuginfo) + "</DEBUGINFO>\n";
  out.body += "</EXCEPTION>\n";
  return out;
}

// "Monday, 23 November 2026, 10:50 AM", as the report builder shows a
// time to a service user whose timezone is UTC.
std::string display_time(std::int64_t unix_time) {
  static const char* const k_days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  static const char* const k_months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm parts{};
  gmtime_r(&t, &parts);
  int hour = parts.tm_hour % 12 == 0 ? 12 : parts.tm_hour % 12;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%s, %d %s %d, %d:%02d %s", k_days[parts.tm_wday], parts.tm_mday,
                k_months[parts.tm_mon], parts.tm_year + 1900, hour, parts.tm_min, parts.tm_hour < 12 ? "AM" : "PM");
  return buffer;
}

std::string format_grade(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

json number_or_int(double value) {
  if (value == static_cast<double>(static_cast<std::int64_t>(value))) return static_cast<std::int64_t>(value);
  return value;
}

const char* const k_real_functions_outside_service[] = {"core_user_create_users", "core_user_delete_users",
                                                        "core_course_create_courses", "core_role_assign_roles"};

}  // namespace

WsException World::exception(const std::string& cls, const std::string& code, const std::string& message,
                             const std::string& debuginfo) const {
  return WsException{cls, code, message, m_debug ? debuginfo : std::string()};
}

std::string World::token() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_school.token;
}

void World::count_request(const std::string& function) {
  std::lock_guard<std::mutex> lock(m_mutex);
  ++m_stats.requests;
  ++m_stats.calls[function];
}

WsAnswer World::handle(const std::string& form_body) {
  moodle::FormValue form = moodle::parse_form(form_body);
  const moodle::FormValue* format = form.child("moodlewsrestformat");
  bool as_json = format && format->is_scalar && format->scalar == "json";
  const moodle::FormValue* token = form.child("wstoken");
  const moodle::FormValue* function = form.child("wsfunction");
  std::string name = function && function->is_scalar ? function->scalar : std::string();
  json result;
  try {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!token || !token->is_scalar || token->scalar != m_school.token)
      throw exception("core\\exception\\moodle_exception", "invalidtoken", "Invalid token - token not found");
    // webservice::authenticate_by_token (webservice/lib.php) after the
    // token: a disabled or deleted service is a webservice_access_exception,
    // whose code is always accessexception; the reason is only in the debug
    // info (derived from Moodle's source, not recorded: docs/moodle-api.md §3a).
    if (!m_school.service_enabled)
      throw exception("webservice_access_exception", "accessexception", "Access control exception",
                      "Web service is not available (it doesn't exist or might be disabled)");
    const ParamSpec* spec = parameters_of(name);
    bool listed = std::find(service_functions().begin(), service_functions().end(), name) != service_functions().end() ||
                  (m_school.local_certd_plugin && name == k_plugin_function);
    bool real = listed || std::find(std::begin(k_real_functions_outside_service),
                                     std::end(k_real_functions_outside_service), name) !=
                              std::end(k_real_functions_outside_service);
    if (!real)
      throw exception("dml_missing_record_exception", "invalidrecord",
                      "Can't find data record in database table external_functions.",
                      "SELECT * FROM {external_functions} WHERE name = ?\n[array (\n  0 => '" + name + "',\n)]");
    if (!listed || m_removed_functions.count(name) || m_school.missing_functions.count(name))
      throw exception("webservice_access_exception", "accessexception", "Access control exception",
                      "Access to the function " + name + "() is not allowed.");
    if (!spec)
      throw exception("moodle_exception", "notimplemented",
                      "The simulator does not answer " + name + " (it is in the service, but not simulated)");
    moodle::FormValue params;
    for (auto& [key, value] : form.children)
      if (key != "wstoken" && key != "wsfunction" && key != "moodlewsrestformat") params.children.emplace_back(key, value);
    std::optional<ParamError> invalid;
    json validated = validate_parameters(*spec, params, invalid);
    if (invalid)
      throw exception("core\\exception\\invalid_parameter_exception", "invalidparameter",
                      "Invalid parameter value detected", invalid->debuginfo);
    result = dispatch(name, validated);
  } catch (const WsException& error) {
    return error_answer(error, as_json);
  }
  return answer(result, as_json);  // serialised outside the lock
}

json World::dispatch(const std::string& function, const json& p) {
  using Method = json (World::*)(const json&);
  static const std::map<std::string, Method> k_methods = {
      {"core_webservice_get_site_info", &World::site_info},
      {"local_certd_ping", &World::local_certd_ping},
      {"core_course_get_courses_by_field", &World::courses_by_field},
      {"core_course_get_contents", &World::course_contents},
      {"core_enrol_get_enrolled_users", &World::enrolled_users},
      {"core_enrol_get_users_courses", &World::users_courses},
      {"core_user_get_users_by_field", &World::users_by_field},
      {"core_completion_get_course_completion_status", &World::course_completion},
      {"core_completion_get_activities_completion_status", &World::activities_completion},
      {"core_completion_override_activity_completion_status", &World::override_completion},
      {"gradereport_user_get_grade_items", &World::grade_items},
      {"report_competency_data_for_report", &World::competency_report},
      {"core_competency_list_competencies", &World::list_competencies},
      {"core_competency_list_course_competencies", &World::course_competencies},
      {"core_competency_get_scale_values", &World::scale_values},
      {"core_competency_grade_competency_in_course", &World::grade_competency},
      {"core_reportbuilder_set_filters", &World::set_filters},
      {"core_reportbuilder_filters_reset", &World::filters_reset},
      {"core_reportbuilder_retrieve_report", &World::retrieve_report},
      {"core_notes_create_notes", &World::create_notes},
      {"core_notes_get_course_notes", &World::course_notes},
      {"core_message_send_instant_messages", &World::send_messages},
      {"core_user_update_users", &World::update_users},
      {"enrol_manual_enrol_users", &World::enrol_users},
      {"enrol_manual_unenrol_users", &World::unenrol_users},
  };
  return (this->*k_methods.at(function))(p);
}

// --- Shared pieces -------------------------------------------------------------

const Course& World::course_or_throw(Id id) const {
  const Course* course = m_school.course(id);
  if (!course)
    throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table course.",
                    "SELECT * FROM {course} WHERE id = ?\n[array (\n  0 => " + std::to_string(id) + ",\n)]");
  return *course;
}

const User& World::user_or_throw(Id id) const {
  const User* user = m_school.user(id);
  // A deleted account answers like an unknown one (by hand, not recorded).
  if (!user || user->deleted) throw exception("dml_missing_record_exception", "invaliduser", "Invalid user");
  return *user;
}

bool World::can_enter(const Course& course) const {
  // A hidden course needs viewhiddencourses; a course closed to the
  // service user (service_can_see: false) stands for any other reason
  // require_login refuses (docs/moodle-api.md §10).
  return can("moodle/course:view") && course.service_can_see &&
         (course.visible || can("moodle/course:viewhiddencourses"));
}

void World::require_course_access(const Course& course) const {
  if (!can_enter(course))
    throw exception("core\\exception\\require_login_exception", "requireloginerror", "Course or activity not accessible.");
}

json World::user_record(const User& user, bool with_details, bool by_field) const {
  json record = {{"id", user.id}};
  if (with_details) record["username"] = user.username;
  record["firstname"] = user.firstname;
  record["lastname"] = user.lastname;
  record["fullname"] = user.fullname(m_school.fullnamedisplay);
  record["email"] = user.email;
  if (with_details) {
    record["department"] = "";
    record["idnumber"] = user.idnumber;
  }
  record["firstaccess"] = user.never_logged_in ? 0 : 1795000000;
  record["lastaccess"] = user.never_logged_in ? 0 : 1795000000;
  if (by_field) {
    if (with_details) record["auth"] = "manual";
    record["suspended"] = user.suspended;
    if (with_details) {
      record["confirmed"] = true;
      record["lang"] = "en";
      record["theme"] = "";
    }
    record["timezone"] = "UTC";
    if (with_details) {
      record["mailformat"] = 1;
      record["trackforums"] = 0;
    }
  } else {
    record["lastcourseaccess"] = 0;
  }
  record["city"] = "Riverside";
  record["country"] = "GB";
  {  // shown with or without the details capability (recorded)
    record["profileimageurlsmall"] = std::string(k_site_url) + "/theme/image.php/boost/core/1/u/f2";
    record["profileimageurl"] = std::string(k_site_url) + "/theme/image.php/boost/core/1/u/f1";
  }
  if (with_details && !user.profile.empty()) {
    json fields = json::array();
    for (const auto& [shortname, value] : user.profile) {
      if (value.empty()) continue;
      json field = {{"type", "text"}, {"value", value}};
      if (by_field) field["displayvalue"] = value;
      field["name"] = shortname == "guardian_email" ? "Guardian email" : shortname;
      field["shortname"] = shortname;
      fields.push_back(field);
    }
    if (!fields.empty()) record["customfields"] = fields;
  }
  return record;
}

json World::competency_record(const Competency& competency, const Framework& framework) const {
  return {{"shortname", competency.shortname},
          {"idnumber", competency.idnumber},
          {"description", competency.description},
          {"descriptionformat", 1},
          {"sortorder", competency.sortorder},
          {"parentid", competency.parent},
          {"path", competency.parent ? "/0/" + std::to_string(competency.parent) + "/" : std::string("/0/")},
          {"ruleoutcome", 0},
          {"ruletype", nullptr},
          {"ruleconfig", nullptr},
          {"scaleid", nullptr},
          {"scaleconfiguration", nullptr},
          {"competencyframeworkid", framework.id},
          {"id", competency.id},
          {"timecreated", 1795000000},
          {"timemodified", 1795000000},
          {"usermodified", 2}};
}

std::string World::scale_configuration(const Framework& framework) const {
  json config = json::array({{{"scaleid", std::to_string(framework.scale_id)}}});
  for (int value : framework.proficient)
    config.push_back({{"id", value}, {"scaledefault", value == framework.default_value ? 1 : 0}, {"proficient", 1}});
  return config.dump();
}

json World::framework_record(const Framework& framework) const {
  return {{"shortname", framework.shortname},
          {"idnumber", framework.idnumber},
          {"description", ""},
          {"descriptionformat", 1},
          {"visible", true},
          {"scaleid", framework.scale_id},
          {"scaleconfiguration", scale_configuration(framework)},
          {"contextid", 1},
          {"taxonomies", "level,skill,skill,skill"},
          {"id", framework.id},
          {"timecreated", 1795000000},
          {"timemodified", 1795000000},
          {"usermodified", 2},
          {"canmanage", false},
          {"competenciescount", framework.competencies.size()},
          {"contextname", "System"},
          {"contextnamenoprefix", "System"}};
}

// --- Site, courses, users ------------------------------------------------------

// What moodle/local_certd/classes/external/ping.php returns; the simulator
// sends no webhooks, so its queue is always empty.
json World::local_certd_ping(const json&) {
  return {{"version", k_plugin_release}, {"build", k_plugin_version}, {"queued", 0}, {"failed", 0}};
}

json World::site_info(const json&) {
  json functions = json::array();
  for (const std::string& name : service_functions())
    if (!m_removed_functions.count(name) && !m_school.missing_functions.count(name)) functions.push_back({{"name", name}, {"version", k_version}});
  // A plugin's function carries the plugin's version, not Moodle's
  // (core_webservice_external::get_site_info reads its version.php).
  if (m_school.local_certd_plugin && !m_removed_functions.count(k_plugin_function))
    functions.push_back({{"name", k_plugin_function}, {"version", std::to_string(k_plugin_version)}});
  json features = json::array();
  for (const char* feature : {"usecomments", "usetags", "enablenotes", "messaging", "enableblogs", "enablecompletion",
                              "enablebadges", "enablecustomreports", "enablecompetencies"})
    features.push_back({{"name", feature}, {"value", 1}});
  return {{"sitename", m_school.site_name},
          {"username", m_school.service_username},
          {"firstname", "certd"},
          {"lastname", "Service"},
          {"fullname", "certd Service"},
          {"lang", "en"},
          {"userid", m_school.service_user},
          {"siteurl", k_site_url},
          {"userpictureurl", std::string(k_site_url) + "/theme/image.php/boost/core/1/u/f1"},
          {"functions", functions},
          {"downloadfiles", 1},
          {"uploadfiles", 1},
          {"release", k_release},
          {"version", k_version},
          {"mobilecssurl", ""},
          {"advancedfeatures", features},
          {"usercanmanageownfiles", true},
          {"userquota", 104857600},
          {"usermaxuploadfilesize", 67108864},
          {"userhomepage", 1},
          {"userprivateaccesskey", "0123456789abcdef0123456789abcdef"},
          {"siteid", 1},
          {"sitecalendartype", "gregorian"},
          {"usercalendartype", "gregorian"},
          {"userissiteadmin", false},
          {"theme", "boost"},
          {"limitconcurrentlogins", 0},
          {"policyagreed", 0}};
}

json World::courses_by_field(const json& p) {
  std::string field = p.value("field", "");
  std::string value = p.value("value", "");
  json courses = json::array();
  for (const Course& course : m_school.courses) {
    bool match = field.empty() || (field == "id" && value == std::to_string(course.id)) ||
                 (field == "shortname" && value == course.shortname) ||
                 (field == "idnumber" && value == course.shortname) || field == "category";
    if (field == "ids") {
      std::string list = "," + value + ",";
      match = list.find("," + std::to_string(course.id) + ",") != std::string::npos;
    }
    if (!match) continue;
    json contacts = json::array();
    for (const Enrolment& enrolment : course.enrolments)
      if (enrolment.role == k_teacher_role)
        if (const User* teacher = m_school.user(enrolment.user))
          contacts.push_back({{"id", teacher->id}, {"fullname", teacher->fullname(m_school.fullnamedisplay)}});
    json methods = json::array();
    if (course.manual_enrolment) methods.push_back("manual");
    courses.push_back({{"id", course.id}, {"fullname", course.fullname}, {"displayname", course.fullname},
                       {"shortname", course.shortname}, {"courseimage", ""}, {"categoryid", 2},
                       {"categoryname", "School"}, {"sortorder", 20000 + course.id}, {"summary", ""},
                       {"summaryformat", 1}, {"summaryfiles", json::array()}, {"overviewfiles", json::array()},
                       {"showactivitydates", false}, {"showcompletionconditions", true}, {"contacts", contacts},
                       {"enrollmentmethods", methods}, {"format", "topics"}, {"showgrades", 1}, {"newsitems", 1},
                       {"startdate", 1725148800}, {"enddate", 0}, {"maxbytes", 0}, {"showreports", 0},
                       {"visible", 1}, {"groupmode", 0}, {"groupmodeforce", 0}, {"defaultgroupingid", 0},
                       {"enablecompletion", 1}, {"completionnotify", 0}, {"lang", ""}, {"theme", ""},
                       {"marker", 0}, {"filters", json::array()}, {"courseformatoptions", json::array()}});
    // Without course access only the basic description is shown (recorded
    // with a token whose role has webservice/rest:use alone).
    courses.back()["visible"] = course.visible ? 1 : 0;
    courses.back()["enablecompletion"] = course.completion_tracking ? 1 : 0;
    if (!can_enter(course))
      for (const char* key : {"completionnotify", "courseformatoptions", "defaultgroupingid", "enablecompletion",
                              "filters", "format", "groupmode", "groupmodeforce", "lang", "marker", "maxbytes",
                              "newsitems", "showgrades", "showreports", "startdate", "enddate", "theme", "visible"})
        courses.back().erase(key);
  }
  return {{"courses", courses}, {"warnings", json::array()}};
}

json World::course_contents(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  require_course_access(course);
  json modules = json::array();
  for (const Activity& activity : course.activities) {
    if (!activity.visible && !can("moodle/course:viewhiddenactivities")) continue;
    json module = {{"id", activity.cmid},
                   {"url", std::string(k_site_url) + "/mod/" + activity.modname + "/view.php?id=" +
                               std::to_string(activity.cmid)},
                   {"name", activity.name}, {"instance", activity.instance}, {"contextid", 100 + activity.cmid},
                   {"visible", activity.visible ? 1 : 0}, {"uservisible", true}, {"visibleoncoursepage", 1},
                   {"modicon", ""}, {"modname", activity.modname}, {"purpose", "content"}, {"branded", false},
                   {"modplural", activity.modname + "s"}, {"availability", nullptr}, {"indent", 0},
                   {"onclick", ""}, {"afterlink", nullptr}, {"activitybadge", json::array()},
                   {"customdata", "\"\""}, {"noviewlink", false}, {"completion", activity.completion},
                   {"downloadcontent", 1}, {"dates", json::array()}, {"groupmode", 0}};
    if (activity.modname == "page") {  // a page has one file, its content
      module["contents"] = json::array({{{"type", "file"}, {"filename", "index.html"}, {"filepath", "/"},
                                         {"filesize", 0}, {"fileurl", std::string(k_site_url) + "/webservice/pluginfile.php/" +
                                                                          std::to_string(100 + activity.cmid) + "/mod_page/content/index.html"},
                                         {"timecreated", nullptr}, {"timemodified", 1795000000}, {"sortorder", 1},
                                         {"userid", nullptr}, {"author", nullptr}, {"license", nullptr}}});
      module["contentsinfo"] = {{"filescount", 1}, {"filessize", 0}, {"lastmodified", 1795000000},
                                {"mimetypes", json::array()}, {"repositorytype", ""}};
    }
    if (activity.completion > 0)
      module["completiondata"] = {{"state", 0}, {"timecompleted", 0}, {"overrideby", nullptr},
                                  {"valueused", false}, {"hascompletion", true},
                                  {"isautomatic", activity.completion == 2}, {"istrackeduser", false},
                                  {"uservisible", true}, {"details", json::array()}, {"isoverallcomplete", false}};
    modules.push_back(module);
  }
  return json::array({{{"id", 1}, {"name", "General"}, {"visible", 1}, {"summary", ""}, {"summaryformat", 1},
                       {"section", 0}, {"hiddenbynumsections", 0}, {"uservisible", true}, {"component", nullptr},
                       {"itemid", nullptr}, {"modules", modules}}});
}

json World::enrolled_users(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  if (!can_enter(course))
    throw exception("core\\exception\\moodle_exception", "errorcoursecontextnotvalid",
                    "You cannot execute functions in the course context (course id:" + std::to_string(course.id) +
                        "). The context error message was: Course or activity not accessible.");
  bool only_active = false, only_suspended = false, students_only = false;
  std::string userfields, sortby = "id", direction = "ASC";
  long limitfrom = 0, limitnumber = 0;
  for (const json& option : p.at("options")) {
    std::string name = option.at("name"), value = option.at("value");
    if (name == "onlyactive") only_active = value == "1";
    else if (name == "onlysuspended") only_suspended = value == "1";
    else if (name == "withcapability") students_only = true;
    else if (name == "userfields") userfields = value;
    else if (name == "limitfrom") limitfrom = std::atol(value.c_str());
    else if (name == "limitnumber") limitnumber = std::atol(value.c_str());
    else if (name == "sortby") sortby = value;
    else if (name == "sortdirection") direction = value;
  }
  if (sortby != "id" && sortby != "firstname" && sortby != "lastname" && sortby != "siteorder")
    throw exception("core\\exception\\invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected",
                    "Invalid sort field " + sortby);
  if ((only_active || only_suspended) && !can("moodle/course:enrolreview"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Review course enrolments).");
  if (students_only && !can("moodle/role:review"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Review permissions for others).");
  std::vector<const Enrolment*> chosen;
  for (const Enrolment& enrolment : course.enrolments) {
    if (only_active && enrolment.suspended) continue;
    if (only_suspended && !enrolment.suspended) continue;
    if (students_only && enrolment.role != k_student_role) continue;
    chosen.push_back(&enrolment);
  }
  std::sort(chosen.begin(), chosen.end(), [&](const Enrolment* a, const Enrolment* b) {
    return direction == "DESC" ? a->user > b->user : a->user < b->user;
  });
  bool details = can("moodle/user:viewalldetails");
  json users = json::array();
  long index = 0;
  for (const Enrolment* enrolment : chosen) {
    if (index++ < limitfrom) continue;
    if (limitnumber > 0 && static_cast<long>(users.size()) >= limitnumber) break;
    const User* user = m_school.user(enrolment->user);
    if (!user || user->deleted) continue;  // deleting an account ends its enrolments
    json record = user_record(*user, details, /*by_field=*/false);
    record["roles"] = json::array({{{"roleid", enrolment->role}, {"name", ""},
                                    {"shortname", role_shortname(enrolment->role)},
                                    {"sortorder", 0}}});
    json enrolled = json::array();
    bool wants_courses = userfields.empty() || userfields.find("enrolledcourses") != std::string::npos;
    if (wants_courses)
      for (const Course& other : m_school.courses)
        if (const Enrolment* mine = other.enrolment(user->id); mine && !mine->suspended)
          enrolled.push_back({{"id", other.id}, {"fullname", other.fullname}, {"shortname", other.shortname}});
    if (!enrolled.empty()) record["enrolledcourses"] = enrolled;
    if (!userfields.empty()) {
      json filtered = {{"id", user->id}};
      std::string list = "," + userfields + ",";
      for (const auto& [key, value] : record.items())
        if (list.find("," + key + ",") != std::string::npos) filtered[key] = value;
      record = filtered;
    }
    users.push_back(record);
  }
  return users;
}

json World::users_courses(const json& p) {
  const User& user = user_or_throw(p.at("userid").get<Id>());
  json courses = json::array();
  for (const Course& course : m_school.courses) {
    const Enrolment* enrolment = course.enrolment(user.id);
    if (!enrolment || enrolment->suspended) continue;
    bool completed = m_school.completions.count({user.id, course.id}) > 0;
    int tracked = 0, done = 0;
    for (const Activity& activity : course.activities) {
      if (activity.completion == 0) continue;
      ++tracked;
      auto state = m_school.activity_states.find({user.id, activity.cmid});
      if ((state != m_school.activity_states.end() && state->second.state >= 1) || (completed && activity.criterion)) ++done;
    }
    json progress = tracked == 0 ? json(nullptr) : completed ? json(100) : number_or_int(100.0 * done / tracked);
    json entry = {{"id", course.id}, {"shortname", course.shortname}, {"fullname", course.fullname},
                  {"displayname", course.fullname}};
    if (p.value("returnusercount", true)) entry["enrolledusercount"] = course.enrolments.size();
    entry.update({{"idnumber", course.shortname}, {"visible", 1}, {"summary", ""}, {"summaryformat", 1},
                  {"format", "topics"}, {"courseimage", ""}, {"showgrades", true}, {"lang", ""},
                  {"enablecompletion", true}, {"completionhascriteria", true}, {"completionusertracked", true},
                  {"category", 2}, {"progress", progress}, {"completed", completed}, {"startdate", 1725148800},
                  {"enddate", 0}, {"marker", 0}, {"lastaccess", nullptr}, {"isfavourite", false}, {"hidden", false},
                  {"overviewfiles", json::array()}, {"showactivitydates", false}, {"showcompletionconditions", true},
                  {"timemodified", 1795000000}});
    courses.push_back(entry);
  }
  return courses;
}

json World::users_by_field(const json& p) {
  std::string field = p.at("field");
  if (field != "id" && field != "idnumber" && field != "username" && field != "email")
    throw exception("core\\exception\\coding_exception", "codingerror",
                    "Coding error detected, it must be fixed by a programmer: invalid field parameter");
  bool details = can("moodle/user:viewalldetails");
  json users = json::array();
  for (const json& value : p.at("values")) {
    std::string wanted = value.get<std::string>();
    for (const User& user : m_school.users) {
      if (user.deleted) continue;  // Moodle leaves deleted accounts out
      bool match = (field == "id" && std::to_string(user.id) == wanted) || (field == "username" && user.username == wanted) ||
                   (field == "idnumber" && user.idnumber == wanted) || (field == "email" && user.email == wanted);
      if (match) users.push_back(user_record(user, details, /*by_field=*/true));
    }
  }
  return users;
}

// --- Completion ------------------------------------------------------------------

json World::course_completion(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  require_course_access(course);
  const User& user = user_or_throw(p.at("userid").get<Id>());
  if (!can("report/completion:view"))
    throw exception("moodle_exception", "cannotviewreport", "You cannot view this report");
  const Enrolment* enrolment = course.enrolment(user.id);
  if (!enrolment || enrolment->suspended)
    throw exception("core\\exception\\moodle_exception", "usernotenroled", "User is not enrolled in this course");
  // After the enrolment check, as Moodle does (…--no-criteria). With
  // tracking off a course has no criteria either (by hand, not recorded).
  if (!course.completion_criteria || !course.completion_tracking)
    throw exception("core\\exception\\moodle_exception", "nocriteriaset", "No completion criteria set for this course");
  auto completed = m_school.completions.find({user.id, course.id});
  json completions = json::array();
  for (const Activity& activity : course.activities) {
    if (!activity.criterion) continue;
    std::int64_t time = 0;
    if (completed != m_school.completions.end()) time = completed->second;
    auto state = m_school.activity_states.find({user.id, activity.cmid});
    if (!time && state != m_school.activity_states.end() && state->second.state >= 1) time = state->second.time;
    completions.push_back({{"type", 4}, {"title", "Activity completion"}, {"status", time ? "Yes" : "No"},
                           {"complete", time != 0}, {"timecompleted", time ? json(time) : json(nullptr)},
                           {"details", {{"type", "Activity completion"},
                                        {"criteria", "<a href=\"" + std::string(k_site_url) + "/mod/" + activity.modname +
                                                         "/view.php?id=" + std::to_string(activity.cmid) + "\">" +
                                                         activity.name + "</a>"},
                                        {"requirement", activity.graded ? "Achieving grade" : "Viewing the page"},
                                        {"status", ""}}}});
  }
  if (completions.empty()) {  // no activity criteria: a teacher's sign-off (role criterion)
    bool done = completed != m_school.completions.end();
    completions.push_back({{"type", 7}, {"title", "Teacher"}, {"status", done ? "Yes" : "No"}, {"complete", done},
                           {"timecompleted", done ? json(completed->second) : json(nullptr)},
                           {"details", {{"type", "Manual completion by others"}, {"criteria", "Teacher"},
                                        {"requirement", "Marked complete by Teacher"}, {"status", ""}}}});
  }
  return {{"completionstatus", {{"completed", completed != m_school.completions.end()}, {"aggregation", 1},
                                {"completions", completions}}},
          {"warnings", json::array()}};
}

json World::activities_completion(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  require_course_access(course);
  const User& user = user_or_throw(p.at("userid").get<Id>());
  if (!course.enrolment(user.id))
    throw exception("core\\exception\\moodle_exception", "usernotenroled", "User is not enrolled in this course");
  bool completed = m_school.completions.count({user.id, course.id}) > 0;
  json statuses = json::array();
  for (const Activity& activity : course.activities) {
    // With completion tracking off no activity is tracked (by hand).
    if (activity.completion == 0 || !course.completion_tracking) continue;
    // Activities the service user may not see vanish silently (docs/moodle-api.md §3d).
    if (!activity.visible && !can("moodle/course:viewhiddenactivities")) continue;
    if (!can("mod/" + activity.modname + ":view")) continue;
    ActivityState state;
    auto found = m_school.activity_states.find({user.id, activity.cmid});
    if (found != m_school.activity_states.end()) state = found->second;
    else if (completed && activity.criterion) state = {1, m_school.completions.at({user.id, course.id}), std::nullopt};
    json details = json::array();
    if (activity.completion == 2)
      details.push_back({{"rulename", activity.graded ? "completionusegrade" : "completionview"},
                         {"rulevalue", {{"status", state.state >= 1 ? 1 : 0},
                                        {"description", activity.graded ? "Receive a grade" : "View"}}}});
    statuses.push_back({{"cmid", activity.cmid}, {"modname", activity.modname}, {"instance", activity.instance},
                        {"state", state.state}, {"timecompleted", state.time},
                        {"tracking", activity.completion}, {"overrideby", state.override_by ? json(*state.override_by) : json(nullptr)},
                        {"valueused", false}, {"hascompletion", true}, {"isautomatic", activity.completion == 2},
                        {"istrackeduser", true}, {"uservisible", true}, {"details", details},
                        {"isoverallcomplete", state.state >= 1}});
  }
  return {{"statuses", statuses}, {"warnings", json::array()}};
}

json World::override_completion(const json& p) {
  Id user_id = p.at("userid").get<Id>();
  Id cmid = p.at("cmid").get<Id>();
  int newstate = p.at("newstate").get<int>();
  const Course* course = nullptr;
  const Activity* activity = m_school.activity(cmid, &course);
  if (!activity)
    throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table course_modules.");
  if (!activity->visible && !can("moodle/course:viewhiddenactivities"))
    throw exception("core\\exception\\require_login_exception", "requireloginerror", "Course or activity not accessible.");
  if (!can("moodle/course:overridecompletion"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Override activity completion status).");
  user_or_throw(user_id);
  if (newstate != 0 && newstate != 1)
    throw exception("core\\exception\\moodle_exception", "err_system",
                    "An internal error occurred in the completion system. (System administrators can enable debugging "
                    "information to see more detail.)");
  ActivityState& state = m_school.activity_states[{user_id, cmid}];
  // The same override again changes nothing, not even the time (recorded).
  if (!(state.state == newstate && state.override_by == m_school.service_user && state.time != 0)) {
    state.state = newstate;
    state.time = now();
    state.override_by = m_school.service_user;
  }
  ++m_stats.completion_overrides;
  return {{"cmid", cmid}, {"userid", user_id}, {"state", state.state}, {"timecompleted", state.time},
          {"overrideby", m_school.service_user}, {"tracking", activity->completion}};
}

// --- Grades and competencies --------------------------------------------------------

json World::grade_items(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  require_course_access(course);
  if (!can("gradereport/user:view"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (View your own grade report).");
  Id only = p.value("userid", static_cast<Id>(0));
  const Activity* assessment = nullptr;
  for (const Activity& activity : course.activities)
    if (activity.graded) assessment = &activity;
  json usergrades = json::array();
  for (const Enrolment& enrolment : course.enrolments) {
    if (enrolment.role != k_student_role || enrolment.suspended) continue;
    if (only != 0 && enrolment.user != only) continue;
    const User* user = m_school.user(enrolment.user);
    if (!user) continue;
    auto grade = m_school.grades.find({user->id, course.id});
    bool graded = grade != m_school.grades.end();
    auto item = [&](Id id, bool course_item) {
      json entry = {{"id", id}, {"itemname", course_item ? json(nullptr) : json(assessment->name)},
                    {"itemtype", course_item ? "course" : "mod"},
                    {"itemmodule", course_item ? json(nullptr) : json(assessment->modname)},
                    {"iteminstance", course_item ? 1 : assessment->instance},
                    {"itemnumber", course_item ? json(nullptr) : json(0)}, {"idnumber", course_item ? json(nullptr) : json("")},
                    {"categoryid", course_item ? json(nullptr) : json(1)}, {"outcomeid", nullptr}, {"scaleid", nullptr},
                    {"locked", false}};
      if (!course_item) {
        entry["cmid"] = assessment->cmid;
        entry["weightraw"] = 1;
        entry["weightformatted"] = "100.00 %";
      }
      entry.update({{"graderaw", graded ? number_or_int(grade->second.value) : json(nullptr)},
                    {"gradedatesubmitted", nullptr},
                    {"gradedategraded", graded ? json(grade->second.graded_at) : json(nullptr)},
                    {"gradehiddenbydate", false}, {"gradeneedsupdate", false}, {"gradeishidden", false},
                    {"gradeislocked", false}, {"gradeisoverridden", false},
                    {"gradeformatted", graded ? format_grade(grade->second.value) : "-"}, {"grademin", 0},
                    {"grademax", 100}, {"rangeformatted", "0&ndash;100"},
                    {"percentageformatted", graded ? format_grade(grade->second.value) + " %" : "-"},
                    {"feedback", ""}, {"feedbackformat", course_item ? 2 : 1}});
      return entry;
    };
    json items = json::array();
    if (assessment) items.push_back(item(2, false));
    items.push_back(item(1, true));
    usergrades.push_back({{"courseid", course.id}, {"courseidnumber", course.shortname}, {"userid", user->id},
                          {"userfullname", user->fullname(m_school.fullnamedisplay)}, {"useridnumber", user->idnumber}, {"maxdepth", 2},
                          {"gradeitems", items}});
  }
  return {{"usergrades", usergrades}, {"warnings", json::array()}};
}

json World::competency_report(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  require_course_access(course);
  const User& user = user_or_throw(p.at("userid").get<Id>());
  if (!can("moodle/competency:coursecompetencyview") || !can("moodle/competency:usercompetencyview"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (View course competencies).");
  json rows = json::array();
  Id row_id = 1;
  for (Id competency_id : course.competencies) {
    const Framework* framework = nullptr;
    const Competency* competency = m_school.competency(competency_id, &framework);
    if (!competency) continue;
    auto rating = m_school.ratings.find({user.id, course.id, competency_id});
    bool rated = rating != m_school.ratings.end();
    // Stored with the rating, as Moodle does; the scale may have changed since.
    bool proficient = rated && rating->second.proficient.value_or(framework->proficient.count(rating->second.grade) > 0);
    std::string grade_name = rated && rating->second.grade >= 1 &&
                                     rating->second.grade <= static_cast<int>(framework->scale.size())
                                 ? framework->scale[static_cast<std::size_t>(rating->second.grade - 1)]
                                 : "-";
    const Competency* level = competency->parent ? m_school.competency(competency->parent) : nullptr;
    json ancestors = json::array();
    if (level)
      ancestors.push_back({{"id", level->id}, {"name", level->idnumber}, {"first", true}, {"last", true}, {"position", 1}});
    rows.push_back(
        {{"usercompetencycourse",
          {{"userid", user.id}, {"courseid", course.id}, {"competencyid", competency_id},
           {"proficiency", rated ? json(proficient) : json(nullptr)},
           {"grade", rated ? json(rating->second.grade) : json(nullptr)}, {"id", row_id++},
           {"timecreated", rated ? rating->second.time : 0}, {"timemodified", rated ? rating->second.time : 0},
           {"usermodified", rated ? rating->second.by : 0}, {"gradename", grade_name},
           {"proficiencyname", rated ? (proficient ? "Yes" : "No") : "-"}}},
         {"competency",
          {{"linkedcourses", json::array()},
           {"relatedcompetencies", json::array()},
           {"competency", competency_record(*competency, *framework)},
           {"framework", framework_record(*framework)},
           {"hascourses", false},
           {"hasrelatedcompetencies", false},
           {"scaleid", framework->scale_id},
           {"scaleconfiguration", scale_configuration(*framework)},
           {"taxonomyterm", competency->parent == 0 ? "Level" : "Skill"},  // taxonomies "level,skill,..."
           {"comppath", {{"ancestors", ancestors},
                         {"framework", {{"id", framework->id}, {"name", framework->shortname}, {"first", false},
                                        {"last", false}, {"position", -1}}},
                         {"pluginbaseurl", std::string(k_site_url) + "/admin/tool/lp"},
                         {"pagecontextid", 1},
                         {"showlinks", true}}},
           {"pluginbaseurl", std::string(k_site_url) + "/admin/tool/lp"}}}});
  }
  json user_record_short = {{"id", user.id}, {"email", user.email}, {"idnumber", user.idnumber}, {"phone1", ""},
                            {"phone2", ""}, {"department", ""}, {"institution", ""}, {"fullname", user.fullname(m_school.fullnamedisplay)},
                            {"identity", user.email},
                            {"profileurl", std::string(k_site_url) + "/user/profile.php?id=" + std::to_string(user.id)},
                            {"profileimageurl", ""}, {"profileimageurlsmall", ""}};
  json course_record = {{"id", course.id}, {"fullname", course.fullname}, {"shortname", course.shortname},
                        {"idnumber", course.shortname}, {"summary", ""}, {"summaryformat", 1},
                        {"startdate", 1725148800}, {"enddate", 0}, {"visible", true}, {"showactivitydates", false},
                        {"showcompletionconditions", true}, {"pdfexportfont", ""}, {"fullnamedisplay", course.fullname},
                        {"viewurl", std::string(k_site_url) + "/course/view.php?id=" + std::to_string(course.id)},
                        {"courseimage", ""}, {"progress", 0}, {"hasprogress", false}, {"isfavourite", false},
                        {"hidden", false}, {"showshortname", false}, {"coursecategory", "School"}};
  return {{"courseid", course.id}, {"user", user_record_short}, {"course", course_record},
          {"usercompetencies", rows}, {"pushratingstouserplans", true}};
}

json World::list_competencies(const json& p) {
  json out = json::array();
  for (const Framework& framework : m_school.frameworks)
    for (const Competency& competency : framework.competencies) {
      bool match = true;
      for (const json& filter : p.at("filters")) {
        std::string column = filter.at("column"), value = filter.at("value");
        if (column == "competencyframeworkid") match = match && value == std::to_string(framework.id);
        else if (column == "parentid") match = match && value == std::to_string(competency.parent);
        else if (column == "idnumber") match = match && value == competency.idnumber;
        else if (column == "id") match = match && value == std::to_string(competency.id);
      }
      if (match) out.push_back(competency_record(competency, framework));
    }
  long skip = p.value("skip", 0L), limit = p.value("limit", 0L);
  json page = json::array();
  for (long i = skip; i < static_cast<long>(out.size()) && (limit == 0 || i < skip + limit); ++i)
    page.push_back(out[static_cast<std::size_t>(i)]);
  return page;
}

json World::course_competencies(const json& p) {
  const Course& course = course_or_throw(p.at("id").get<Id>());
  require_course_access(course);
  json out = json::array();
  int order = 0;
  for (Id id : course.competencies) {
    const Framework* framework = nullptr;
    const Competency* competency = m_school.competency(id, &framework);
    if (!competency) continue;
    out.push_back({{"competency", competency_record(*competency, *framework)},
                   {"coursecompetency", {{"courseid", course.id}, {"competencyid", id}, {"sortorder", order},
                                         {"ruleoutcome", 1}, {"id", 1000 * course.id + order}, {"timecreated", 1795000000},
                                         {"timemodified", 1795000000}, {"usermodified", 2}}}});
    ++order;
  }
  return out;
}

json World::scale_values(const json& p) {
  Id scale = p.at("scaleid").get<Id>();
  for (const Framework& framework : m_school.frameworks)
    if (framework.scale_id == scale) {
      json out = json::array();
      for (std::size_t i = 0; i < framework.scale.size(); ++i)
        out.push_back({{"id", static_cast<int>(i + 1)}, {"name", framework.scale[i]}});
      return out;
    }
  throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table scale.");
}

json World::grade_competency(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  const User& user = user_or_throw(p.at("userid").get<Id>());
  Id competency_id = p.at("competencyid").get<Id>();
  const Framework* framework = nullptr;
  const Competency* competency = m_school.competency(competency_id, &framework);
  if (!competency)
    throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table competency.");
  if (!can("moodle/competency:competencygrade"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Set competency rating).");
  int grade = p.at("grade").get<int>();
  m_school.ratings[{user.id, course.id, competency_id}] =
      Rating{grade, now(), m_school.service_user, framework->proficient.count(grade) > 0};
  std::string name = grade >= 1 && grade <= static_cast<int>(framework->scale.size())
                         ? framework->scale[static_cast<std::size_t>(grade - 1)] : "-";
  std::string note = p.at("note").is_string() ? p.at("note").get<std::string>() : std::string();
  return {{"usercompetencyid", competency_id}, {"contextid", 1}, {"action", 3}, {"actionuserid", m_school.service_user},
          {"descidentifier", "evidence_manualoverrideincourse"}, {"desccomponent", "core_competency"},
          {"desca", course.shortname}, {"url", nullptr}, {"grade", grade}, {"note", note}, {"id", now()},
          {"timecreated", now()}, {"timemodified", now()}, {"usermodified", m_school.service_user},
          {"actionuser", {{"id", m_school.service_user}, {"email", ""}, {"idnumber", ""}, {"phone1", ""},
                          {"phone2", ""}, {"department", ""}, {"institution", ""}, {"fullname", "certd Service"},
                          {"identity", ""}, {"profileurl", ""}, {"profileimageurl", ""}, {"profileimageurlsmall", ""}}},
          {"description", "The competency rating was manually set in the course '" + course.shortname + "'."},
          {"gradename", name}, {"userdate", display_time(now())}, {"candelete", false}};
}

// --- Report builder ----------------------------------------------------------------

json World::set_filters(const json& p) {
  if (p.at("reportid").get<Id>() != m_school.report_id || m_school.report_gone)
    throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table reportbuilder_report.");
  json values = json::parse(p.at("values").get<std::string>(), nullptr, false);
  if (!values.is_object())
    throw exception("core\\exception\\invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected");
  m_report_filter = values;  // replaces every stored value (recorded)
  return true;
}

json World::filters_reset(const json& p) {
  if (p.at("reportid").get<Id>() != m_school.report_id || m_school.report_gone)
    throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table reportbuilder_report.");
  m_report_filter = nullptr;
  return true;
}

json World::retrieve_report(const json& p) {
  if (p.at("reportid").get<Id>() != m_school.report_id || m_school.report_gone)
    throw exception("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table reportbuilder_report.");
  std::int64_t from = 0, to = 0;
  std::string course_filter;
  if (m_report_filter.is_object()) {
    from = m_report_filter.value("completion:timecompleted_from", static_cast<std::int64_t>(0));
    to = m_report_filter.value("completion:timecompleted_to", static_cast<std::int64_t>(0));
    course_filter = m_report_filter.value("course:shortname_value", std::string());
  }
  struct Row {
    std::int64_t time;
    const Course* course;
    const User* user;
  };
  std::vector<Row> rows;
  for (const auto& [key, time] : m_school.completions) {
    if (time < from || (to > 0 && time > to)) continue;
    const User* user = m_school.user(key.first);
    const Course* course = m_school.course(key.second);
    if (!user || !course || (!course_filter.empty() && course->shortname != course_filter)) continue;
    rows.push_back({time, course, user});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.time != b.time ? a.time > b.time : a.user->id < b.user->id;
  });
  long page = p.value("page", 0L), per_page = std::max(1L, p.value("perpage", 10L));
  json out = json::array();
  for (long i = page * per_page; i < static_cast<long>(rows.size()) && i < (page + 1) * per_page; ++i) {
    const Row& row = rows[static_cast<std::size_t>(i)];
    out.push_back({{"columns", json::array({row.course->shortname, row.user->username, row.user->idnumber, "Yes",
                                            display_time(row.time)})}});
  }
  json details = {{"name", "certd course completions"}, {"source", "core_course\\reportbuilder\\datasource\\participants"},
                  {"type", 0}, {"uniquerows", true}, {"conditiondata", "{\"completion:completed_operator\":1}"},
                  {"settingsdata", nullptr}, {"contextid", 1}, {"component", ""}, {"area", ""}, {"itemid", 0},
                  {"usercreated", 2}, {"id", m_school.report_id}, {"timecreated", 1795000000},
                  {"timemodified", 1795000000}, {"usermodified", 2}, {"sourcename", "Course participants"},
                  {"tags", json::array()},
                  {"modifiedby", {{"id", 2}, {"email", "admin@example.com"}, {"idnumber", ""}, {"phone1", ""},
                                  {"phone2", ""}, {"department", ""}, {"institution", ""}, {"fullname", "Admin User"},
                                  {"identity", "admin@example.com"}, {"profileurl", ""}, {"profileimageurl", ""},
                                  {"profileimageurlsmall", ""}}}};
  return {{"details", details},
          {"data", {{"headers", json::array({"Course short name", "Username", "ID number", "Completed", "Time completed"})},
                    {"rows", out},
                    {"totalrowcount", rows.size()}}},
          {"warnings", json::array()}};
}

// --- Write-backs ---------------------------------------------------------------------

json World::create_notes(const json& p) {
  if (!can("moodle/notes:manage"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Manage notes).");
  json out = json::array();
  for (const json& note : p.at("notes")) {
    json result = json::object();
    std::string client = note.contains("clientnoteid") ? note.at("clientnoteid").get<std::string>() : std::string();
    if (note.contains("clientnoteid")) result["clientnoteid"] = client;
    Id user = note.at("userid").get<Id>();
    if (!m_school.user(user)) {
      result["noteid"] = -1;
      result["errormessage"] = "Invalid user id: " + std::to_string(user);
    } else {
      Note created{m_next_note++, user, note.at("courseid").get<Id>(), note.at("text").get<std::string>(), client,
                   note.at("publishstate").get<std::string>(), now()};
      m_school.notes.push_back(created);
      ++m_stats.notes_by_client_id[client];
      result["noteid"] = created.id;
    }
    out.push_back(result);
  }
  return out;
}

json World::course_notes(const json& p) {
  const Course& course = course_or_throw(p.at("courseid").get<Id>());
  if (!can("moodle/notes:view"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (View notes).");
  Id user = p.value("userid", static_cast<Id>(0));
  json site = json::array(), in_course = json::array(), personal = json::array();
  for (const Note& note : m_school.notes) {
    if (user != 0 && note.user != user) continue;
    json record = {{"id", note.id}, {"courseid", note.course}, {"userid", note.user}, {"content", note.text},
                   {"format", 1}, {"created", note.created}, {"lastmodified", note.created},
                   {"usermodified", m_school.service_user},
                   {"publishstate", note.publishstate == "site" ? "site" : note.publishstate == "personal" ? "draft" : "public"}};
    if (note.publishstate == "site") site.push_back(record);
    else if (note.publishstate == "personal") personal.push_back(record);
    else if (note.course == course.id) in_course.push_back(record);
  }
  return {{"sitenotes", site}, {"coursenotes", in_course}, {"personalnotes", personal},
          {"canmanagesystemnotes", true}, {"canmanagecoursenotes", true}, {"warnings", json::array()}};
}

json World::send_messages(const json& p) {
  if (!can("moodle/site:sendmessage"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Send messages to any user).");
  json out = json::array();
  for (const json& message : p.at("messages")) {
    std::string client = message.contains("clientmsgid") ? message.at("clientmsgid").get<std::string>() : std::string();
    Id to = message.at("touserid").get<Id>();
    const User* user = m_school.user(to);
    json result = {{"msgid", -1}};
    if (message.contains("clientmsgid")) result["clientmsgid"] = client;
    if (!user) {
      result["errormessage"] = "You cannot send a message to a user ID (" + std::to_string(to) + ") that doesn't exist.";
    } else if (!user->accepts_messages || !can("moodle/site:readallmessages")) {
      result["errormessage"] = "You can't message " + user->fullname(m_school.fullnamedisplay) +
                               " due to their message preferences. Try adding them as a contact.";
    } else {
      Message sent{m_next_message++, to, message.at("text").get<std::string>(), client, now()};
      m_school.messages.push_back(sent);
      ++m_stats.messages_by_client_id[client];
      result["msgid"] = sent.id;
      result["text"] = "<p>" + html_escape(sent.text) + "</p>";
      result["timecreated"] = sent.created;
      result["conversationid"] = to;
      result["useridfrom"] = m_school.service_user;
    }
    result["candeletemessagesforallusers"] = false;
    out.push_back(result);
  }
  return out;
}

json World::update_users(const json& p) {
  if (!can("moodle/user:update"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Update user profiles).");
  json warnings = json::array();
  for (const json& update : p.at("users")) {
    Id id = update.at("id").get<Id>();
    auto user = std::find_if(m_school.users.begin(), m_school.users.end(), [&](const User& u) { return u.id == id; });
    if (user == m_school.users.end()) {
      warnings.push_back({{"item", "user"}, {"itemid", id}, {"warningcode", "invaliduserid"}, {"message", "Invalid user ID"}});
      continue;
    }
    if (update.contains("firstname")) user->firstname = update.at("firstname");
    if (update.contains("lastname")) user->lastname = update.at("lastname");
    if (!update.contains("customfields")) continue;
    for (const json& field : update.at("customfields")) {
      std::string name = field.at("type"), value = field.at("value");
      // An unknown field shortname is silently ignored (recorded).
      bool known = name == "guardian_email";
      for (const User& other : m_school.users) known = known || other.profile.count(name);
      if (!known) continue;
      user->profile[name] = value;
      m_stats.profile_updates.push_back(std::to_string(id) + ":" + name + "=" + value);
    }
  }
  return {{"warnings", warnings}};
}

json World::enrol_users(const json& p) {
  if (!can("enrol/manual:enrol"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Enrol users).");
  // One transaction: check every entry first (docs/moodle-api.md §7).
  for (const json& entry : p.at("enrolments")) {
    Id course_id = entry.at("courseid").get<Id>(), user_id = entry.at("userid").get<Id>();
    int role = entry.at("roleid").get<int>();
    const Course* course = m_school.course(course_id);
    if (course_id != 1 && !course)
      throw exception("core\\exception\\invalid_parameter_exception", "invalidparameter",
                      "Invalid parameter value detected", "Context does not exist");
    if (!course || !course->manual_enrolment)
      throw exception("core\\exception\\moodle_exception", "wsnoinstance",
                      "Manual enrolment plugin instance doesn't exist or is disabled for the course (id = " +
                          std::to_string(course_id) + ")");
    if (role != k_student_role || !can("moodle/role:assign"))
      throw exception("core\\exception\\moodle_exception", "wsusercannotassign",
                      "You don't have the permission to assign this role (" + std::to_string(role) + ") to this user (" +
                          std::to_string(user_id) + ") in this course (" + std::to_string(course_id) + ").");
    if (!m_school.user(user_id))
      throw WsException{"TypeError",
                        "",
                        "core\\user::get_name_placeholders(): Argument #1 ($user) must be of type stdClass, bool "
                        "given, called in /opt/moodle/lib/enrollib.php on line 3674",
                        ""};
  }
  ++m_stats.enrol_calls;
  for (const json& entry : p.at("enrolments")) {
    Course* course = nullptr;
    for (Course& c : m_school.courses)
      if (c.id == entry.at("courseid").get<Id>()) course = &c;
    Id user_id = entry.at("userid").get<Id>();
    bool suspend = entry.value("suspend", 0) != 0;
    auto existing = std::find_if(course->enrolments.begin(), course->enrolments.end(),
                                 [&](const Enrolment& e) { return e.user == user_id; });
    // An upsert: an existing enrolment takes the call's status (recorded).
    if (existing != course->enrolments.end()) existing->suspended = suspend;
    else course->enrolments.push_back({user_id, entry.at("roleid").get<int>(), suspend});
  }
  return nullptr;
}

json World::unenrol_users(const json& p) {
  if (!can("enrol/manual:unenrol"))
    throw exception("core\\exception\\required_capability_exception", "nopermissions",
                    "Sorry, but you do not currently have permissions to do that (Unenrol users from the course).");
  for (const json& entry : p.at("enrolments")) {
    Id course_id = entry.at("courseid").get<Id>(), user_id = entry.at("userid").get<Id>();
    const Course* course = m_school.course(course_id);
    if (!course || !course->manual_enrolment)
      throw exception("core\\exception\\moodle_exception", "wsnoinstance",
                      "Manual enrolment plugin instance doesn't exist or is disabled for the course (id = " +
                          std::to_string(course_id) + ")");
    if (!m_school.user(user_id))
      throw exception("core\\exception\\invalid_parameter_exception", "invalidparameter",
                      "Invalid parameter value detected", "User id not exist: " + std::to_string(user_id));
  }
  for (const json& entry : p.at("enrolments"))
    for (Course& course : m_school.courses)
      if (course.id == entry.at("courseid").get<Id>())
        course.enrolments.erase(std::remove_if(course.enrolments.begin(), course.enrolments.end(),
                                               [&](const Enrolment& e) { return e.user == entry.at("userid").get<Id>(); }),
                                course.enrolments.end());
  return nullptr;
}

}  // namespace certd::connector::simulator
