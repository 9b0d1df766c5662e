// The adapter's protocol and parsing layer over every recorded answer.
#include "connector/moodle/moodle_parse.hpp"

#include <gtest/gtest.h>

#include "connector/moodle/ws_client.hpp"
#include "core/time_format.hpp"
#include "fixtures.hpp"

namespace certd::connector::moodle {
namespace {

using testing::Fixture;
using testing::load_fixtures;

const std::vector<Fixture>& all() {
  static const std::vector<Fixture> fixtures = load_fixtures();
  return fixtures;
}

json response(const std::string& label) { return testing::fixture(all(), label).record["response"]; }

TEST(MoodleErrors, EveryRecordedErrorIsRecognisedByItsCode) {
  ASSERT_GT(all().size(), 200u);
  int errors = 0;
  for (const Fixture& f : all()) {
    if (f.record["http_status"] != 200) continue;
    std::optional<WsError> error = find_ws_error(f.body());
    bool expected = f.outcome.rfind("exception:", 0) == 0 || f.outcome.rfind("error:", 0) == 0;
    // XML error documents are recorded as "non-json" (or "ok" in one debug pass).
    if (f.body().find("<EXCEPTION") != std::string::npos) expected = true;
    EXPECT_EQ(error.has_value(), expected) << f.label;
    if (!error || !expected) continue;
    ++errors;
    std::string code = f.outcome.substr(f.outcome.find(':') + 1);
    if (code == "TypeError") {
      EXPECT_TRUE(error->errorcode.empty()) << f.label;
      EXPECT_EQ(to_error("f", *error).code(), ErrorCode::internal) << f.label;
    } else if (f.outcome.find(':') != std::string::npos) {
      EXPECT_EQ(error->errorcode, code) << f.label;
      EXPECT_EQ(lms_error_code(to_error("f", *error)), code) << f.label;
    }
  }
  EXPECT_GT(errors, 50);
}

TEST(MoodleErrors, TransientAndPermanentAreToldApart) {
  EXPECT_EQ(http_status_error("f", 503).code(), ErrorCode::unavailable);
  EXPECT_EQ(http_status_error("f", 429).code(), ErrorCode::unavailable);
  EXPECT_NE(http_status_error("f", 404).code(), ErrorCode::unavailable);
  EXPECT_EQ(to_error("f", {"x", "invalidtoken", "m", ""}).code(), ErrorCode::permission_denied);
  EXPECT_EQ(to_error("f", {"x", "usernotenroled", "m", ""}).code(), ErrorCode::not_found);
  EXPECT_EQ(to_error("f", {"x", "wsnoinstance", "m", ""}).code(), ErrorCode::conflict);
  EXPECT_EQ(to_error("f", {"x", "sitemaintenance", "m", ""}).code(), ErrorCode::unavailable);
}

TEST(MoodleParse, EveryRecordedSuccessParsesWithoutSurprises) {
  // Feeds each success to every parser: none may throw, whatever the shape.
  for (const Fixture& f : all()) {
    if (f.outcome != "ok" || !f.record.contains("response")) continue;
    const json& answer = f.record["response"];
    EXPECT_NO_THROW({
      parse_site_info(answer);
      parse_courses(answer);
      parse_course_contents(answer);
      parse_users(answer, "guardian_email");
      parse_course_completion(answer);
      parse_activities_completion(answer);
      parse_course_grades(answer);
      parse_competency_report(answer);
      parse_competencies(answer);
      parse_completions_report(answer);
      parse_item_results(answer, "noteid", "clientnoteid");
      parse_warnings(answer);
      parse_note_texts(answer);
    }) << f.label;
  }
}

// Moodle formats `fullname` by the site's `fullnamedisplay`: certd takes it
// as it is, whatever the order; only a record without it is named from its
// parts, in the order of their script.
TEST(MoodleParse, TheNameIsMoodlesFullnameElseMadeFromItsParts) {
  json answer = json::parse(R"([
      {"id": 6, "firstname": "小明", "lastname": "王", "fullname": "王 小明"},
      {"id": 7, "firstname": "小明", "lastname": "王", "fullname": "小明 王"},
      {"id": 8, "firstname": "小明", "lastname": "王"},
      {"id": 9, "firstname": "민준", "lastname": "김", "fullname": ""},
      {"id": 10, "firstname": "Alice", "lastname": "Andersen"}])");
  std::vector<Student> students = parse_users(answer, "guardian_email");
  ASSERT_EQ(students.size(), 5u);
  EXPECT_EQ(students[0].fullname, "王 小明");
  EXPECT_EQ(students[1].fullname, "小明 王") << "the site's order, not certd's";
  EXPECT_EQ(students[2].fullname, "王小明");
  EXPECT_EQ(students[3].fullname, "김민준");
  EXPECT_EQ(students[4].fullname, "Alice Andersen");
  EXPECT_EQ(response("core_user_get_users_by_field--id").at(0).at("fullname"),
            response("core_user_get_users_by_field--id").at(0).at("firstname").get<std::string>() + " " +
                response("core_user_get_users_by_field--id").at(0).at("lastname").get<std::string>())
      << "the recorded site shows the default fullnamedisplay";
}

TEST(MoodleParse, CourseCompletionTimeIsTheLatestCriterionTime) {
  CompletionState alice = parse_course_completion(response("core_completion_get_course_completion_status--completed"));
  EXPECT_TRUE(alice.completed);
  ASSERT_TRUE(alice.completed_at);
  EXPECT_EQ(to_unix(*alice.completed_at), 1795171819);  // _seed.json
  CompletionState chloe = parse_course_completion(response("core_completion_get_course_completion_status--in-progress"));
  EXPECT_FALSE(chloe.completed);
  EXPECT_FALSE(chloe.completed_at);  // a criterion time, but the course is not complete
}

TEST(MoodleParse, IssueNowMarkCarriesTheTeacherAndTheTime) {
  std::vector<ActivityState> marked =
      parse_activities_completion(response("core_completion_get_activities_completion_status--issue-now-marked"));
  auto mark = std::find_if(marked.begin(), marked.end(), [](const ActivityState& s) { return s.cmid == 7; });
  ASSERT_NE(mark, marked.end());
  EXPECT_EQ(mark->state, 1);
  EXPECT_EQ(mark->override_by, 5);
  EXPECT_EQ(to_unix(*mark->time), 1795432754);
  std::vector<ActivityState> reset =
      parse_activities_completion(response("core_completion_get_activities_completion_status--issue-now-after-reset"));
  auto cleared = std::find_if(reset.begin(), reset.end(), [](const ActivityState& s) { return s.cmid == 7; });
  EXPECT_EQ(cleared->state, 0);
  EXPECT_EQ(cleared->override_by, 3);  // the service user; time is the reset's, not 0
  std::vector<ActivityState> untouched =
      parse_activities_completion(response("core_completion_get_activities_completion_status--issue-now-not-marked"));
  for (const ActivityState& state : untouched) EXPECT_FALSE(state.override_by);
}

TEST(MoodleParse, ProficiencyIsMoodlesOwnAndEachRatingNamesItsRater) {
  std::vector<Rating> chloe = parse_competency_report(response("report_competency_data_for_report--partial"));
  ASSERT_EQ(chloe.size(), 4u);
  EXPECT_EQ(chloe[0].modified_by, 5);  // teacher1
  EXPECT_EQ(chloe[2].modified_by, 3);  // the service user rated this one, later
  EXPECT_EQ(to_unix(*chloe[2].modified), 1795431020 + 1711);
  EXPECT_FALSE(chloe[0].level_node);  // skills, not levels
  // Moodle's stored proficiency wins over the scale configuration.
  json answer = response("report_competency_data_for_report--partial");
  answer["usercompetencies"][1]["usercompetencycourse"]["proficiency"] = true;  // "Partially", proficient when rated
  EXPECT_TRUE(parse_competency_report(answer)[1].proficient);
  answer["usercompetencies"][1]["usercompetencycourse"]["proficiency"] = nullptr;  // none stored: the configuration
  EXPECT_FALSE(parse_competency_report(answer)[1].proficient);
}

TEST(MoodleParse, AccountsSayWhetherTheyAreSuspendedOrNeverUsed) {
  std::vector<UserRecord> users = parse_user_records(response("core_user_get_users_by_field--id"), "guardian_email");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_FALSE(users[0].suspended);
  EXPECT_TRUE(users[0].never_logged_in);  // the seeded students never logged in: firstaccess and lastaccess 0
  EXPECT_EQ(users[0].student.guardian_emails, std::vector<std::string>{"parent.andersen@example.com"});
  EXPECT_TRUE(users[1].student.guardian_emails.empty());  // no custom field at all
  json answer = response("core_user_get_users_by_field--id");
  answer[0]["suspended"] = true;
  answer[0]["lastaccess"] = 1795431741;
  answer[1].erase("firstaccess");  // hidden by a capability: nothing is flagged
  answer[1]["customfields"] = json::array({{{"shortname", "guardian_email"}, {"value", ""}}});
  users = parse_user_records(answer, "guardian_email");
  EXPECT_TRUE(users[0].suspended);
  EXPECT_FALSE(users[0].never_logged_in);
  EXPECT_FALSE(users[1].never_logged_in);
  EXPECT_TRUE(users[1].student.guardian_emails.empty());  // an empty guardian field
}

TEST(MoodleParse, TheCoursesTeacherIsChosenByRoleThenLowestId) {
  std::vector<RoleHolder> holders = parse_role_holders(response("core_enrol_get_enrolled_users--SWIM-L3"));
  std::optional<RoleHolder> teacher = choose_teacher(holders, {"editingteacher", "teacher"});
  ASSERT_TRUE(teacher);
  EXPECT_EQ(teacher->id, 5);
  EXPECT_EQ(teacher->fullname, "Tina Teacher");
  EXPECT_FALSE(choose_teacher(holders, {"manager"}));
  std::vector<RoleHolder> several = {{9, "B", {"teacher"}}, {7, "A", {"teacher"}}, {3, "C", {"student"}},
                                     {8, "D", {"editingteacher"}}};
  EXPECT_EQ(choose_teacher(several, {"teacher", "editingteacher"})->id, 7);
  EXPECT_EQ(choose_teacher(several, {"editingteacher", "teacher"})->id, 8);
}

TEST(MoodleParse, TheRecordedReportGivesEachRatingItsLevelAndProficiency) {
  std::vector<Rating> chloe = parse_competency_report(response("report_competency_data_for_report--partial"));
  ASSERT_EQ(chloe.size(), 4u);
  EXPECT_EQ(chloe[0].idnumber, "L3-FREESTYLE-25");
  EXPECT_TRUE(chloe[0].proficient);
  EXPECT_TRUE(chloe[1].rated);
  EXPECT_FALSE(chloe[1].proficient);  // "Partially"
  int unrated = 0;
  for (const Rating& rating : chloe) unrated += rating.rated ? 0 : 1;
  EXPECT_EQ(unrated, 1);
  EXPECT_EQ(chloe[0].parent_id, 4);
  EXPECT_EQ(chloe[0].framework, "Swim Skills");
  EXPECT_EQ(proficient_values(R"([{"scaleid":"3"},{"id":2,"scaledefault":0,"proficient":0},{"id":3,"scaledefault":1,"proficient":1}])"),
            std::set<std::int64_t>{3});
}

TEST(MoodleParse, GradesArriveAsNumbersOrStrings) {
  std::vector<CourseGrade> grades = parse_course_grades(response("gradereport_user_get_grade_items--all-users"));
  ASSERT_FALSE(grades.empty());
  EXPECT_EQ(grades[0].user, 6);
  EXPECT_DOUBLE_EQ(*grades[0].percent, 92.0);
  json strings = json::parse(R"({"usergrades":[{"userid":"7","gradeitems":[{"itemtype":"course","graderaw":"78.50000","grademin":"0","grademax":"100.00000","gradedategraded":null}]}]})");
  std::vector<CourseGrade> parsed = parse_course_grades(strings);
  EXPECT_EQ(parsed[0].user, 7);
  EXPECT_DOUBLE_EQ(*parsed[0].percent, 78.5);
  EXPECT_FALSE(parsed[0].graded_at);
}

TEST(MoodleParse, UsersCarryGuardiansAndLoseThemSilentlyWithoutDetails) {
  std::vector<Student> users = parse_users(response("core_user_get_users_by_field--id"), "guardian_email");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].guardian_emails, std::vector<std::string>{"parent.andersen@example.com"});
  EXPECT_TRUE(users[1].guardian_emails.empty());  // no customfields key at all
  EXPECT_TRUE(users_show_details(response("core_enrol_get_enrolled_users--SWIM-L3")));
  EXPECT_FALSE(users_show_details(response("core_enrol_get_enrolled_users--SWIM-L3--without-viewalldetails")));
}

TEST(MoodleParse, CompletionsReportRowsAreFoundByHeader) {
  ReportPage page = parse_completions_report(response("core_reportbuilder_retrieve_report--all"));
  ASSERT_TRUE(page.has_columns);
  EXPECT_EQ(page.total_rows, 6);
  ASSERT_EQ(page.rows.size(), 6u);
  EXPECT_EQ(page.rows[0].course, "SWIM-L3");
  EXPECT_EQ(page.rows[0].username, "emma");
  EXPECT_EQ(format_iso8601(*page.rows[0].completed_at), "2026-11-23T10:50:00Z");
}

TEST(MoodleParse, PerItemFailuresAreMatchedByClientId) {
  std::vector<ItemResult> refused =
      parse_item_results(response("core_message_send_instant_messages--without-readallmessages"), "msgid", "clientmsgid");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].id, -1);
  EXPECT_EQ(refused[0].client_id, "certd-msg-1");
  EXPECT_FALSE(refused[0].error.empty());
  std::vector<ItemResult> note = parse_item_results(response("core_notes_create_notes"), "noteid", "clientnoteid");
  EXPECT_GT(note[0].id, 0);
  std::vector<Warning> warnings = parse_warnings(response("core_user_update_users--nonexistent-user"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].code, "invaliduserid");
}

TEST(MoodleParse, NumbersAndNotSetValuesAreTolerant) {
  json values = json::parse(R"({"a":"2","b":2.0,"c":null,"d":0,"e":"-","f":"1795171819"})");
  EXPECT_EQ(as_int(field(values, "a")), 2);
  EXPECT_EQ(as_int(field(values, "b")), 2);
  EXPECT_FALSE(as_int(field(values, "c")));
  EXPECT_FALSE(as_time(field(values, "d")));
  EXPECT_FALSE(as_number(field(values, "e")));
  EXPECT_EQ(to_unix(*as_time(field(values, "f"))), 1795171819);
  EXPECT_FALSE(as_int(field(values, "missing")));
}

// A number no integer holds is not an id or a time (the cast was
// undefined; fuzz_moodle under UBSan).
TEST(MoodleParse, NumbersBeyondAnIntegersRangeAreNotSet) {
  json values = json::parse(R"({"big":1e30,"small":-1e300,"edge":9.3e18,"fine":1795171819.0})");
  for (const char* key : {"big", "small", "edge"}) {
    EXPECT_FALSE(as_int(field(values, key))) << key;
    EXPECT_FALSE(as_time(field(values, key))) << key;
  }
  EXPECT_EQ(as_int(field(values, "fine")), 1795171819);
}

}  // namespace
}  // namespace certd::connector::moodle
