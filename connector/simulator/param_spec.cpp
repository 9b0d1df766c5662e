#include "connector/simulator/param_spec.hpp"

#include <cctype>
#include <map>
#include <sstream>

namespace certd::connector::simulator {
namespace {

using nlohmann::json;

// The declared parameters of Moodle 4.5 (as its API documentation page
// lists them) for the functions the simulator answers.
const char* const k_signatures = R"(
## core_webservice_get_site_info
{
  serviceshortnames: [ alphanumext REQ ]
}
## core_course_get_courses_by_field
{
  field: alpha def=""
  value: raw def=""
}
## core_course_get_contents
{
  courseid: int REQ
  options: [ {
    name: alphanum REQ
    value: raw REQ
  } ]
}
## core_enrol_get_enrolled_users
{
  courseid: int REQ
  options: [ {
    name: alphanumext REQ
    value: raw REQ
  } ]
}
## core_enrol_get_users_courses
{
  userid: int REQ
  returnusercount: bool def=true
}
## core_user_get_users_by_field
{
  field: alpha REQ
  values: [ raw REQ ]
}
## core_completion_get_course_completion_status
{
  courseid: int REQ
  userid: int REQ
}
## core_completion_get_activities_completion_status
{
  courseid: int REQ
  userid: int REQ
}
## core_completion_override_activity_completion_status
{
  userid: int REQ
  cmid: int REQ
  newstate: int REQ
}
## gradereport_user_get_grade_items
{
  courseid: int REQ
  userid: int def=0
  groupid: int def=0
}
## report_competency_data_for_report
{
  courseid: int REQ
  userid: int REQ
  moduleid: int REQ
}
## core_competency_list_competencies
{
  filters: [ {
    column: alphanumext REQ
    value: text REQ
  } ]
  sort: alphanumext def=""
  order: alpha def=""
  skip: int def=0
  limit: int def=0
}
## core_competency_list_course_competencies
{
  id: int REQ
}
## core_competency_get_scale_values
{
  scaleid: int REQ
}
## core_competency_grade_competency_in_course
{
  courseid: int REQ
  userid: int REQ
  competencyid: int REQ
  grade: int REQ
  note: notags def=null
}
## core_reportbuilder_set_filters
{
  reportid: int REQ
  parameters: raw def=""
  values: raw REQ
}
## core_reportbuilder_filters_reset
{
  reportid: int REQ
  parameters: raw def=""
}
## core_reportbuilder_retrieve_report
{
  reportid: int REQ
  page: int def=0
  perpage: int def=10
}
## core_notes_create_notes
{
  notes: [ {
    userid: int REQ
    publishstate: alpha REQ
    courseid: int REQ
    text: raw REQ
    format: int def="1"
    clientnoteid?: alphanumext opt
  } ]
}
## core_notes_get_course_notes
{
  courseid: int REQ
  userid: int def=0
}
## core_message_send_instant_messages
{
  messages: [ {
    touserid: int REQ
    text: raw REQ
    textformat: int def="0"
    clientmsgid?: alphanumext opt
  } ]
}
## core_user_update_users
{
  users: [ {
    id: int REQ
    firstname?: notags opt
    lastname?: notags opt
    email?: raw_trimmed opt
    idnumber?: raw opt
    customfields?: [ {
      type: alphanumext REQ
      value: raw REQ
    } ] opt
  } ]
}
## enrol_manual_enrol_users
{
  enrolments: [ {
    roleid: int REQ
    userid: int REQ
    courseid: int REQ
    timestart?: int opt
    timeend?: int opt
    suspend?: int opt
  } ]
}
## local_certd_ping
{
}
## enrol_manual_unenrol_users
{
  enrolments: [ {
    userid: int REQ
    courseid: int REQ
    roleid?: int opt
  } ]
}
)";

std::string trim(const std::string& text) {
  std::size_t first = text.find_first_not_of(' ');
  std::size_t last = text.find_last_not_of(' ');
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

void read_presence(const std::string& rest, ParamSpec& spec) {
  if (rest.find("REQ") != std::string::npos) {
    spec.presence = ParamSpec::Presence::required;
  } else if (std::size_t at = rest.find("def="); at != std::string::npos) {
    spec.presence = ParamSpec::Presence::defaulted;
    spec.default_value = rest.substr(at + 4);
    if (spec.default_value.size() >= 2 && spec.default_value.front() == '"')
      spec.default_value = spec.default_value.substr(1, spec.default_value.size() - 2);
  } else {
    spec.presence = ParamSpec::Presence::optional;
  }
}

// Parses the body of one "{ ... }" block, starting after its opening line.
ParamSpec parse_object(std::istream& in);

ParamSpec parse_value(const std::string& text, std::istream& in) {
  ParamSpec spec;
  if (text.rfind("[ {", 0) == 0) {
    spec.kind = ParamSpec::Kind::list;
    spec.element = std::make_shared<ParamSpec>(parse_object(in));
    spec.presence = ParamSpec::Presence::defaulted;  // an empty list
    return spec;
  }
  if (text.rfind("[", 0) == 0) {  // [ int REQ ] opt
    spec.kind = ParamSpec::Kind::list;
    std::string inner = trim(text.substr(1, text.find(']') - 1));
    auto element = std::make_shared<ParamSpec>();
    element->type = inner.substr(0, inner.find(' '));
    spec.element = element;
    bool optional = text.substr(text.find(']') + 1).find("opt") != std::string::npos;
    spec.presence = optional ? ParamSpec::Presence::optional : ParamSpec::Presence::defaulted;
    return spec;
  }
  if (text.rfind("{", 0) == 0) return parse_object(in);
  spec.type = text.substr(0, text.find(' '));
  read_presence(text.substr(spec.type.size()), spec);
  return spec;
}

ParamSpec parse_object(std::istream& in) {
  ParamSpec spec;
  spec.kind = ParamSpec::Kind::object;
  std::string line;
  while (std::getline(in, line)) {
    std::string text = trim(line);
    if (text.rfind("}", 0) == 0) {
      // "} ] opt" closes a list of objects: its presence is on this line.
      return spec;
    }
    std::size_t colon = text.find(':');
    if (colon == std::string::npos) continue;
    std::string name = text.substr(0, colon);
    bool optional = !name.empty() && name.back() == '?';
    if (optional) name.pop_back();
    ParamSpec value = parse_value(trim(text.substr(colon + 1)), in);
    if (optional) value.presence = ParamSpec::Presence::optional;
    spec.fields.emplace_back(name, std::move(value));
  }
  return spec;
}

std::map<std::string, ParamSpec> parse_signatures() {
  std::map<std::string, ParamSpec> specs;
  std::istringstream in(k_signatures);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) != 0) continue;
    std::string name = trim(line.substr(3));
    std::getline(in, line);  // "{"
    specs[name] = parse_object(in);
  }
  return specs;
}

bool matches_type(const std::string& type, const std::string& value) {
  auto all = [&](auto predicate) {
    for (char c : value)
      if (!predicate(static_cast<unsigned char>(c))) return false;
    return true;
  };
  if (type == "int") {
    std::size_t start = !value.empty() && value[0] == '-' ? 1 : 0;
    return value.size() > start && all([](unsigned char c) { return std::isdigit(c) || c == '-'; });
  }
  if (type == "bool") return value == "0" || value == "1";
  if (type == "float") {
    char* end = nullptr;
    std::strtod(value.c_str(), &end);
    return !value.empty() && *end == '\0';
  }
  if (type == "alpha") return all([](unsigned char c) { return std::isalpha(c); });
  if (type == "alphanum") return all([](unsigned char c) { return std::isalnum(c); });
  if (type == "alphanumext") return all([](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
  return true;
}

json typed(const std::string& type, const std::string& value) {
  if (type == "int") return std::stoll(value);
  if (type == "bool") return value == "1";
  if (type == "float") return std::stod(value);
  return value;
}

json default_of(const ParamSpec& spec) {
  if (spec.kind == ParamSpec::Kind::list) return json::array();
  if (spec.default_value == "null") return nullptr;
  if (spec.type == "bool") return spec.default_value == "true" || spec.default_value == "1";
  if (spec.type == "int") return std::stoll(spec.default_value.empty() ? "0" : spec.default_value);
  return spec.default_value;
}

struct Validator {
  std::optional<ParamError>& error;

  json fail(std::string debuginfo) {
    if (!error) error = ParamError{std::move(debuginfo)};
    return nullptr;
  }

  json value(const ParamSpec& spec, const moodle::FormValue& form, const std::string& name) {
    switch (spec.kind) {
      case ParamSpec::Kind::scalar:
        if (!form.is_scalar) return fail(name + " => Invalid parameter value detected: Scalar type expected, array or object received.");
        if (!matches_type(spec.type, form.scalar))
          return fail(name + " => Invalid parameter value detected: Invalid external api parameter: the value is \"" +
                      form.scalar + "\", the server was expecting \"" + spec.type + "\" type");
        return typed(spec.type, form.scalar);
      case ParamSpec::Kind::list: {
        if (form.is_scalar) return fail(name + " => Invalid parameter value detected: Only arrays accepted. The bad value is: '" + form.scalar + "'");
        json list = json::array();
        for (const auto& [key, item] : form.children) list.push_back(value(*spec.element, item, key));
        return list;
      }
      case ParamSpec::Kind::object:
        return object(spec, form, name);
    }
    return nullptr;
  }

  json object(const ParamSpec& spec, const moodle::FormValue& form, const std::string& name) {
    if (form.is_scalar) return fail(name + " => Invalid parameter value detected: Only arrays accepted.");
    json out = json::object();
    for (const auto& [field, field_spec] : spec.fields) {
      const moodle::FormValue* given = form.child(field);
      if (given) {
        out[field] = value(field_spec, *given, field);
      } else if (field_spec.presence == ParamSpec::Presence::required) {
        return fail("Missing required key in single structure: " + field);
      } else if (field_spec.presence == ParamSpec::Presence::defaulted || field_spec.kind != ParamSpec::Kind::scalar) {
        if (field_spec.kind == ParamSpec::Kind::object) out[field] = object(field_spec, moodle::FormValue(), field);
        else if (field_spec.presence != ParamSpec::Presence::optional) out[field] = default_of(field_spec);
      }
    }
    std::string unexpected;
    for (const auto& [key, unused] : form.children) {
      bool known = false;
      for (const auto& [field, field_spec] : spec.fields) known = known || field == key;
      if (!known) unexpected += (unexpected.empty() ? "" : ", ") + key;
    }
    if (!unexpected.empty()) return fail("Unexpected keys (" + unexpected + ") detected in parameter array.");
    return out;
  }
};

}  // namespace

const ParamSpec* parameters_of(const std::string& function) {
  static const std::map<std::string, ParamSpec> specs = parse_signatures();
  auto it = specs.find(function);
  return it == specs.end() ? nullptr : &it->second;
}

const std::vector<std::string>& service_functions() {
  // The 61 functions of the recorded "certd" service, in its order.
  static const std::vector<std::string> names = {
      "core_badges_get_user_badges", "core_completion_get_activities_completion_status",
      "core_completion_get_course_completion_status", "core_completion_mark_course_self_completed",
      "core_completion_update_activity_completion_status_manually",
      "core_completion_override_activity_completion_status", "core_course_get_categories",
      "core_course_get_contents", "core_course_get_courses", "core_course_get_courses_by_field",
      "core_course_get_updates_since", "core_enrol_get_course_enrolment_methods", "core_enrol_get_enrolled_users",
      "core_enrol_get_users_courses", "core_files_get_files", "core_files_upload", "core_grades_get_gradeitems",
      "core_message_send_instant_messages", "core_notes_create_notes", "core_notes_delete_notes",
      "core_notes_get_course_notes", "core_notes_get_notes", "core_notes_update_notes",
      "core_user_add_user_private_files", "core_user_get_course_user_profiles", "core_user_get_users",
      "core_user_get_users_by_field", "core_user_update_users", "core_user_get_private_files_info",
      "core_competency_read_competency_framework", "core_competency_list_competency_frameworks",
      "core_competency_count_competency_frameworks", "core_competency_read_competency",
      "core_competency_list_competencies", "core_competency_count_competencies",
      "core_competency_search_competencies", "core_competency_list_course_module_competencies",
      "core_competency_list_course_competencies", "core_competency_count_competencies_in_course",
      "core_competency_list_templates", "core_competency_read_plan", "core_competency_list_user_plans",
      "core_competency_list_plan_competencies", "core_competency_get_scale_values",
      "core_competency_user_competency_viewed_in_course", "core_competency_grade_competency_in_course",
      "core_webservice_get_site_info", "core_reportbuilder_filters_reset", "core_reportbuilder_set_filters",
      "core_reportbuilder_list_reports", "core_reportbuilder_retrieve_report", "enrol_manual_enrol_users",
      "enrol_manual_unenrol_users", "report_competency_data_for_report", "gradereport_overview_get_course_grades",
      "gradereport_user_get_grade_items", "tool_lp_list_courses_using_competency",
      "tool_lp_data_for_course_competencies_page", "tool_lp_data_for_plans_page",
      "tool_lp_data_for_user_competency_summary", "tool_lp_data_for_user_competency_summary_in_course"};
  return names;
}

json validate_parameters(const ParamSpec& spec, const moodle::FormValue& form, std::optional<ParamError>& error) {
  Validator validator{error};
  json out = validator.object(spec, form, "");
  return error ? json() : out;
}

}  // namespace certd::connector::simulator
