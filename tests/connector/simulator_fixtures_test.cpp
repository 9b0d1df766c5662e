// The simulator against the recordings: each recorded call, replayed on a
// simulator holding the recorded school (data/seed_school.yaml, same ids),
// gets an answer of the same shape, or the same error code.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "connector/moodle/http_transport.hpp"
#include "connector/simulator/param_spec.hpp"
#include "connector/simulator/server.hpp"
#include "fixtures.hpp"

namespace certd::connector::simulator {
namespace {

using nlohmann::json;
using testing::Fixture;

// Recordings made with a capability removed from the service role.
const std::map<std::string, std::string> k_removed_capability = {
    {"--without-viewalldetails", "moodle/user:viewalldetails"},
    {"--without-mod-assign-view", "mod/assign:view"},
    {"--without-viewhiddenactivities", "moodle/course:viewhiddenactivities"},
    {"--without-report-completion-view", "report/completion:view"},
    {"--without-enrolreview", "moodle/course:enrolreview"},
    {"--without-role-review", "moodle/role:review"},
    {"--without-readallmessages", "moodle/site:readallmessages"},
    {"--without-enrol-manual-enrol", "enrol/manual:enrol"},
    {"--without-role-assign", "moodle/role:assign"},
    {"--without-allow-assign-student", "moodle/role:assign"},
    {"--without-enrol-manual-unenrol", "enrol/manual:unenrol"},
};

std::string type_of(const json& value) {
  if (value.is_number()) return "number";
  return value.type_name();
}

// Same keys in every object, same kinds of value; null and empty lists
// match anything (values differ between the recorded site and ours).
void compare_shape(const json& recorded, const json& simulated, const std::string& path,
                   std::vector<std::string>& differences) {
  if (recorded.is_null() || simulated.is_null()) return;
  if (type_of(recorded) != type_of(simulated)) {
    differences.push_back(path + ": recorded " + type_of(recorded) + ", simulated " + type_of(simulated));
    return;
  }
  if (recorded.is_object()) {
    for (const auto& [key, value] : recorded.items()) {
      if (!simulated.contains(key)) differences.push_back(path + "." + key + ": missing");
      else compare_shape(value, simulated[key], path + "." + key, differences);
    }
    for (const auto& [key, value] : simulated.items())
      if (!recorded.contains(key)) differences.push_back(path + "." + key + ": not in the recording");
  } else if (recorded.is_array() && !recorded.empty() && !simulated.empty()) {
    if (recorded[0].is_object() && simulated[0].is_object()) {
      // Union of the elements' keys: optional keys (customfields) appear on some.
      json recorded_union = json::object(), simulated_union = json::object();
      for (const json& item : recorded)
        for (const auto& [key, value] : item.items())
          if (!recorded_union.contains(key) || recorded_union[key].is_null()) recorded_union[key] = value;
      for (const json& item : simulated)
        for (const auto& [key, value] : item.items())
          if (!simulated_union.contains(key) || simulated_union[key].is_null()) simulated_union[key] = value;
      compare_shape(recorded_union, simulated_union, path + "[]", differences);
    } else {
      compare_shape(recorded[0], simulated[0], path + "[]", differences);
    }
  }
}

class SimulatorFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<School> school = load_school_file(std::string(CERTD_CONNECTOR_TEST_DATA) + "/seed_school.yaml");
    ASSERT_TRUE(school) << school.error().to_string();
    s_school = new School(std::move(*school));
  }
  static void TearDownTestSuite() { delete s_school; }

  // Replays one recording on a fresh simulator; returns false if skipped.
  bool replay(const Fixture& fixture, moodle::HttpReply& reply) {
    std::string url = fixture.record.value("url", "");
    std::string function = fixture.record["function"].is_string() ? fixture.record["function"].get<std::string>() : "";
    bool call_level_error = fixture.outcome == "exception:invalidtoken" || fixture.outcome == "exception:accessexception" ||
                            function == "core_no_such_function";
    if (url != "/webservice/rest/server.php" && url != "/webservice/rest/nothere.php") return false;
    if (!parameters_of(function) && !call_level_error && function != "") return false;
    if (fixture.label.find("manual-instance-disabled") != std::string::npos) return false;  // course state we do not model
    auto server = Server::start(*s_school);
    EXPECT_TRUE(server) << server.error().to_string();
    if (!server) return false;
    if (fixture.label.find("--debug") != std::string::npos) (*server)->set_debug(true);
    for (const auto& [suffix, capability] : k_removed_capability)
      if (fixture.label.find(suffix) != std::string::npos) (*server)->set_capability(capability, false);
    std::string body = fixture.record.value("body", "");
    if (body.find("{{LIMITED_TOKEN}}") != std::string::npos)  // a role with webservice/rest:use only
      for (const char* capability : {"moodle/course:view", "moodle/user:update", "moodle/user:viewdetails"})
        (*server)->set_capability(capability, false);
    for (const char* placeholder : {"{{TOKEN}}", "{{LIMITED_TOKEN}}"})
      for (std::size_t at = body.find(placeholder); at != std::string::npos; at = body.find(placeholder))
        body.replace(at, std::string(placeholder).size(), s_school->token);
    if (fixture.record.value("method", "POST") == "GET") body = fixture.record.value("query", body);
    moodle::TransportOptions options;
    options.base_url = (*server)->url();
    options.max_requests_per_second = 0;
    auto transport = moodle::make_http_transport(options);
    if (fixture.label.find("--no-criteria") != std::string::npos) {
      // Recorded with alice enrolled in SWIM-L4, as the enrolment recordings leave her.
      Result<moodle::HttpReply> enrolled = (*transport)->post_form(
          "/webservice/rest/server.php", "wstoken=" + s_school->token +
                                             "&wsfunction=enrol_manual_enrol_users&moodlewsrestformat=json"
                                             "&enrolments[0][roleid]=5&enrolments[0][userid]=6&enrolments[0][courseid]=4");
      EXPECT_TRUE(enrolled && enrolled->body == "null") << (enrolled ? enrolled->body : enrolled.error().message());
    }
    Result<moodle::HttpReply> answer = (*transport)->post_form(url, body);
    EXPECT_TRUE(answer) << fixture.label;
    if (!answer) return false;
    reply = *answer;
    return true;
  }

  static School* s_school;
};

School* SimulatorFixtures::s_school = nullptr;

TEST_F(SimulatorFixtures, EveryRecordedCallGetsTheSameShapeOrErrorCode) {
  int replayed = 0;
  for (const Fixture& fixture : testing::load_fixtures()) {
    moodle::HttpReply reply;
    if (!replay(fixture, reply)) continue;
    ++replayed;
    SCOPED_TRACE(fixture.label);
    EXPECT_EQ(reply.status, fixture.record["http_status"].get<int>());
    if (reply.status != 200) continue;
    if (!fixture.record.contains("response") || fixture.record["response"].is_null()) {
      // XML answers (no moodlewsrestformat) and functions that answer null.
      std::string recorded = fixture.record.value("response_text", "null");
      bool recorded_xml = recorded.rfind("<?xml", 0) == 0;
      EXPECT_EQ(reply.body.rfind("<?xml", 0) == 0, recorded_xml) << reply.body.substr(0, 200);
      if (recorded_xml && recorded.find("<ERRORCODE>") != std::string::npos) {
        std::string code = recorded.substr(recorded.find("<ERRORCODE>"), recorded.find("</ERRORCODE>") - recorded.find("<ERRORCODE>"));
        EXPECT_NE(reply.body.find(code), std::string::npos) << reply.body;
      }
      if (!recorded_xml) {
        EXPECT_EQ(reply.body, "null");
      }
      continue;
    }
    const json& recorded = fixture.record["response"];
    json simulated = json::parse(reply.body, nullptr, false);
    ASSERT_FALSE(simulated.is_discarded()) << reply.body.substr(0, 200);
    if (recorded.is_object() && recorded.contains("exception")) {
      ASSERT_TRUE(simulated.is_object() && simulated.contains("exception")) << reply.body.substr(0, 300);
      EXPECT_EQ(simulated.value("errorcode", ""), recorded.value("errorcode", ""));
      std::set<std::string> recorded_keys, simulated_keys;
      for (const auto& [key, value] : recorded.items()) recorded_keys.insert(key);
      for (const auto& [key, value] : simulated.items()) simulated_keys.insert(key);
      EXPECT_EQ(simulated_keys, recorded_keys);
      continue;
    }
    std::vector<std::string> differences;
    compare_shape(recorded, simulated, "$", differences);
    for (const std::string& difference : differences) ADD_FAILURE() << difference;
  }
  EXPECT_GT(replayed, 100);
}

}  // namespace
}  // namespace certd::connector::simulator
