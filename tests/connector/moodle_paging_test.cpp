// Paged user lists over a scripted Moodle: a short page ends the list,
// and an answer that ignores limitfrom (found by fuzz_moodle: the poll
// looped forever, the list growing until memory ran out) ends it with an
// error after one repeated page.
#include <gtest/gtest.h>

#include "connector/moodle/moodle_lms.hpp"
#include "fakes/manual_clock.hpp"
#include "scripted_transport.hpp"

namespace certd::connector {
namespace {

using testing::ScriptedTransport;

std::string users(std::initializer_list<int> ids) {
  std::string json = "[";
  for (int id : ids)
    json += (json.size() > 1 ? "," : "") + std::string("{\"id\":") + std::to_string(id) +
            ",\"username\":\"u" + std::to_string(id) + "\",\"fullname\":\"User " + std::to_string(id) + "\"}";
  return json + "]";
}

struct ScriptedMoodle {
  explicit ScriptedMoodle(testing::Script script) {
    auto owned = std::make_unique<ScriptedTransport>(std::move(script));
    transport = owned.get();
    moodle::MoodleOptions o;
    o.token = "t";
    o.users_page_size = 2;
    o.retry_pause = std::chrono::milliseconds(0);
    lms = moodle::make_moodle_lms(std::move(o), std::move(owned), clock);
  }
  certd::testing::ManualClock clock{1795500000};
  ScriptedTransport* transport = nullptr;
  std::unique_ptr<Lms> lms;
};

TEST(MoodlePaging, AShortPageEndsTheList) {
  // Active students: two full pages and a short one; suspended: none.
  ScriptedMoodle moodle({{"core_enrol_get_enrolled_users",
                          {{200, users({6, 7})}, {200, users({8, 9})}, {200, users({10})}, {200, "[]"}}}});
  Result<std::vector<EnrolledStudent>> students = moodle.lms->enrolled_students(Course{2, "SWIM-L3", "", true});
  ASSERT_TRUE(students) << students.error().to_string();
  ASSERT_EQ(students->size(), 5u);
  EXPECT_EQ(students->back().student.id, 10);
  EXPECT_EQ(moodle.transport->calls("core_enrol_get_enrolled_users"), 4);
}

TEST(MoodlePaging, AFullPageSentAgainEndsTheListWithAnError) {
  ScriptedMoodle moodle({{"core_enrol_get_enrolled_users", {{200, users({6, 7})}}}});
  Result<std::vector<EnrolledStudent>> students = moodle.lms->enrolled_students(Course{2, "SWIM-L3", "", true});
  ASSERT_FALSE(students);
  EXPECT_NE(students.error().message().find("ignores limitfrom"), std::string::npos) << students.error().message();
  EXPECT_EQ(moodle.transport->calls("core_enrol_get_enrolled_users"), 2) << "one page, then the same again";
}

}  // namespace
}  // namespace certd::connector
