#include "app/progress_codec.hpp"

#include <gtest/gtest.h>

namespace certd::app {
namespace {

TEST(WebhookTarget, ReadsTheStudentAndTheCourse) {
  auto target = parse_webhook_target(R"({"type":"progress","data":{"user_id":25,"course":"FA-101"}})");
  ASSERT_TRUE(target) << target.error().message();
  EXPECT_EQ(target->student, 25);
  EXPECT_EQ(target->course, "FA-101");
}

// A user id above INT64_MAX used to wrap to a negative id that went on to
// the LMS; zero, negative, fractional and string ids, and an empty course,
// name no one either.
TEST(WebhookTarget, RefusesWhatNamesNoStudentOrCourse) {
  for (const char* body : {R"({"data":{"user_id":18446744073709551615,"course":"FA-101"}})",
                           R"({"data":{"user_id":9223372036854775808,"course":"FA-101"}})",
                           R"({"data":{"user_id":0,"course":"FA-101"}})", R"({"data":{"user_id":-3,"course":"FA-101"}})",
                           R"({"data":{"user_id":2.5,"course":"FA-101"}})", R"({"data":{"user_id":"25","course":"FA-101"}})",
                           R"({"data":{"user_id":25,"course":""}})", R"({"data":{"user_id":25}})", R"({"data":[25]})",
                           R"([1,2])", "not json", ""}) {
    auto target = parse_webhook_target(body);
    ASSERT_FALSE(target) << body;
    EXPECT_EQ(target.error().code(), ErrorCode::invalid_argument) << body;
  }
  EXPECT_TRUE(parse_webhook_target(R"({"data":{"user_id":9223372036854775807,"course":"FA-101"}})"));
}


// A number too large for an integer is read by nlohmann as a double; a
// plain cast of it to int64 is undefined behaviour (found by the
// event_payload fuzz target). Such a payload is refused as a parse error.
TEST(IssueNowMark, ANumberBeyondAnIntegerIsAParseErrorNotACast) {
  const std::string mark =
      R"({"activity":14,"course":{"fullname":"First Aid","id":3,"manual_enrolment":false,"shortname":"FA-101"},)"
      R"("marked_at":179540001844674407370955161500,"student":6,"teacher_id":4,"teacher_name":"Tina"})";
  auto parsed = issue_now_mark_from_json(mark);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::parse_error);
  EXPECT_FALSE(issue_now_mark_from_json(R"({"activity":1.5,"course":{"id":3,"shortname":"X"},"marked_at":1,"student":6})"));
  auto good = issue_now_mark_from_json(
      R"({"activity":14,"course":{"id":3,"shortname":"FA-101"},"marked_at":1700000000,"student":6,"teacher_id":4})");
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->activity, 14);
  EXPECT_EQ(good->teacher_id, 4);
}

}  // namespace
}  // namespace certd::app
