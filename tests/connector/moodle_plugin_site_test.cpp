// Issue 15, the LMS side of the Moodle plugin (moodle/local_certd): the
// adapter tells whether the plugin is installed (its local_certd_ping in
// site info), and reads a teacher's "issue now" mark for one student as the
// poll reads it, with the same key, so a webhook and a poll agree.
#include <gtest/gtest.h>

#include "connector/cursor_store.hpp"
#include "connector/moodle/moodle_lms.hpp"
#include "connector/poller.hpp"
#include "connector/simulator/server.hpp"
#include "fakes/manual_clock.hpp"

namespace certd::connector {
namespace {

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    const auto& certd_ok_ = (expr);                          \
    ASSERT_TRUE(certd_ok_) << certd_ok_.error().to_string(); \
  } while (false)

class PluginSiteTest : public ::testing::Test {
 protected:
  // The demo school (Bob is student04, id 24; FA-101 has the issue-now activity).
  void start(bool plugin) {
    Result<simulator::School> school = simulator::load_school_file("examples/school.yaml");
    ASSERT_OK(school);
    school->local_certd_plugin = plugin;
    auto server = simulator::Server::start(std::move(*school));
    ASSERT_OK(server);
    m_server = std::move(*server);
    moodle::MoodleOptions o;
    o.url = m_server->url();
    o.token = m_server->token();
    o.courses = {"SWIM-L3", "FA-101"};
    o.completions_report = 1;
    o.request_timeout = std::chrono::seconds(2);
    o.max_requests_per_second = 0;
    auto lms = moodle::make_moodle_lms(std::move(o), m_clock);
    ASSERT_OK(lms);
    m_lms = std::move(*lms);
  }

  std::string plugin_note(const SiteCheck& check) {
    for (const std::string& note : check.notes)
      if (note.rfind("Moodle plugin local_certd: ", 0) == 0) return note;
    return "";
  }

  Course fa101() {
    auto found = m_lms->courses({"FA-101"});
    EXPECT_TRUE(found && found->size() == 1);
    return found && !found->empty() ? found->front() : Course();
  }

  certd::testing::ManualClock m_clock{1795500000};
  std::unique_ptr<simulator::Server> m_server;
  std::unique_ptr<Lms> m_lms;
};

TEST_F(PluginSiteTest, WithoutThePluginTheCheckSaysWebhooksComeOnlyByPolling) {
  start(false);
  Result<SiteCheck> check = m_lms->check_site();
  ASSERT_OK(check);
  EXPECT_EQ(plugin_note(*check),
            "Moodle plugin local_certd: not installed: webhooks come only by polling (see the README's plugin steps)");
  EXPECT_TRUE(check->missing.empty()) << "a note, not something missing: " << check->missing.front();
  EXPECT_EQ(m_server->stats().calls.count("local_certd_ping"), 0u);
}

TEST_F(PluginSiteTest, WithThePluginTheCheckCallsItsPing) {
  start(true);
  Result<SiteCheck> check = m_lms->check_site();
  ASSERT_OK(check);
  EXPECT_EQ(plugin_note(*check),
            "Moodle plugin local_certd: installed (release 1.0.0); 0 webhooks waiting in Moodle, 0 given up");
  EXPECT_TRUE(check->missing.empty()) << check->missing.front();
  EXPECT_EQ(m_server->stats().calls["local_certd_ping"], 1);

  // Taken out of certd's service again: not listed, so not installed for certd.
  m_server->set_function("local_certd_ping", false);
  Result<SiteCheck> removed = m_lms->check_site();
  ASSERT_OK(removed);
  EXPECT_NE(plugin_note(*removed).find("not installed"), std::string::npos) << plugin_note(*removed);
}

TEST_F(PluginSiteTest, TheMarkOfOneStudentIsReadAsThePollReadsIt) {
  start(false);
  Course course = fa101();
  auto none = m_lms->issue_now_mark(course, 24);
  ASSERT_OK(none);
  EXPECT_FALSE(*none) << "no mark yet";

  ASSERT_OK(m_server->mark_issue_now("student04", "FA-101", "teacher1", from_unix(1795500500)));
  auto mark = m_lms->issue_now_mark(course, 24);
  ASSERT_OK(mark);
  ASSERT_TRUE(*mark);
  EXPECT_EQ((*mark)->student, 24);
  EXPECT_EQ((*mark)->course.shortname, "FA-101");
  EXPECT_EQ((*mark)->teacher_name, "Tina Teacher");
  EXPECT_EQ(to_unix((*mark)->marked_at), 1795500500);

  MemoryCursorStore cursors;
  Poller poller(*m_lms, cursors);
  auto polled = poller.poll();
  ASSERT_OK(polled);
  const Change* found = nullptr;
  for (const Change& change : polled->changes)
    if (change.kind == ChangeKind::issue_now && change.student == 24) found = &change;
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->key, (*mark)->key()) << "a webhook's mark and the poll's are one event";

  ASSERT_OK(m_lms->clear_issue_now(**mark));
  auto cleared = m_lms->issue_now_mark(course, 24);
  ASSERT_OK(cleared);
  EXPECT_FALSE(*cleared) << "a cleared mark is no mark";
  auto other = m_lms->issue_now_mark(course, 25);
  ASSERT_OK(other);
  EXPECT_FALSE(*other) << "another student has none";
}

}  // namespace
}  // namespace certd::connector
