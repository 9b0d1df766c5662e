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

}  // namespace
}  // namespace certd::app
