// "Nothing earned is lost": an event that cannot be processed is kept with
// its reason and tried again, by back-off and at once when the rules,
// templates or config change (the school's fingerprint).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/event_processor.hpp"
#include "app/run_certd.hpp"
#include "app/school_fingerprint.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

// No font of the demo templates (DejaVu, IPA Gothic, Nanum) draws
// Egyptian hieroglyphs: the certificate fails at render time only.
const std::string k_undrawable = "Ada \xF0\x93\x80\x80";  // U+13000

class FailedEventRetryTest : public SchoolFixture {
 protected:
  // The jitter is pinned at its low end: delays are half the ceiling.
  EventProcessor retrying_processor(const School& with, Issuer& by) {
    return EventProcessor(with, db(), by, &m_lms, m_clock, EventRetry{event_retry_policy(), [] { return 0.0; }});
  }

  store::EventRow only_event() {
    auto rows = db().recent_events(std::nullopt, 10);
    EXPECT_TRUE(rows) << rows.error().to_string();
    EXPECT_EQ(rows ? rows->size() : 0u, 1u);
    return rows && !rows->empty() ? rows->front() : store::EventRow{};
  }

  // A copy of the demo templates whose first-aid template lost its
  // fallback fonts (no CJK) (`broken`), or the original text.
  std::string templates_copy(bool broken) {
    std::filesystem::path dir = m_dir / "templates";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const auto& entry : std::filesystem::directory_iterator("examples/templates"))
      if (entry.path().extension() == ".yaml") std::filesystem::copy_file(entry.path(), dir / entry.path().filename());
    // Picture paths are relative to the template file: keep them valid.
    std::filesystem::remove(m_dir / "assets");
    std::filesystem::create_directory_symlink(std::filesystem::absolute("examples/assets"), m_dir / "assets");
    if (broken) {
      std::ifstream in(dir / "first-aid.yaml");
      std::stringstream text;
      text << in.rdbuf();
      std::string yaml = text.str();
      // The bold text's CJK and Korean fallbacks removed.
      const std::string fallbacks = "thai-bold, cjk-bold, korean-bold]";
      auto at = yaml.find(fallbacks);
      EXPECT_NE(at, std::string::npos);
      yaml.replace(at, fallbacks.size(), "thai-bold]");
      std::ofstream(dir / "first-aid.yaml") << yaml;
    }
    return dir.string();
  }

  Result<School> school_with_templates(const std::string& templates_dir) {
    std::string text = config_text();
    auto at = text.find("templates_dir: ");
    text.replace(at, text.find('\n', at) - at, "templates_dir: " + templates_dir);
    std::ofstream(m_dir / "copy.yaml") << text;
    return load_school((m_dir / "copy.yaml").string());
  }
};

TEST_F(FailedEventRetryTest, AFailedEventIsKeptWithItsReasonAndRetriedWithBackOff) {
  ASSERT_OK(record_change(first_aider(42, k_undrawable, 92), "e1"));
  EventProcessor processor = retrying_processor(school(), issuer());
  auto first = processor.process_new(100);
  ASSERT_OK(first);
  EXPECT_EQ(first->failed, 1);
  store::EventRow event = only_event();
  EXPECT_EQ(event.status, store::EventStatus::failed);
  EXPECT_EQ(event.attempts, 1);
  EXPECT_NE(event.error.find("no font of the template can draw"), std::string::npos) << event.error;
  ASSERT_TRUE(event.next_attempt_at);
  EXPECT_EQ(*event.next_attempt_at, k_start + 30) << "a minute, jitter at its low end: half of it";

  m_clock.advance(29);
  auto early = processor.process_new(100);
  ASSERT_OK(early);
  EXPECT_EQ(early->retried, 0) << "not before its time";
  EXPECT_EQ(only_event().attempts, 1);

  m_clock.advance(1);
  auto due = processor.process_new(100);
  ASSERT_OK(due);
  EXPECT_EQ(due->retried, 1);
  EXPECT_EQ(due->failed, 1);
  event = only_event();
  EXPECT_EQ(event.attempts, 2);
  EXPECT_EQ(*event.next_attempt_at, k_start + 30 + 60) << "doubled";
  EXPECT_TRUE(certificates_of(42).empty());
}

TEST_F(FailedEventRetryTest, BackOffDoublesUpToSixHoursThenWaitsForAPerson) {
  RetryPolicy policy = event_retry_policy();
  EXPECT_EQ(policy.delay_after(1, 0.999)->count(), 59);
  EXPECT_EQ(policy.delay_after(2, 0.0)->count(), 60);
  EXPECT_EQ(policy.delay_after(20, 0.0)->count(), 3 * 3600) << "capped at six hours (half fixed, half jitter)";
  EXPECT_LE(policy.delay_after(policy.max_attempts - 1, 0.999)->count(), 6 * 3600);
  EXPECT_FALSE(policy.delay_after(policy.max_attempts, 0.5));

  // The last attempt leaves no next one: only a change or a person retries.
  ASSERT_OK(record_change(first_aider(42, k_undrawable, 92), "e1"));
  auto id = only_event().id;
  for (int i = 0; i < policy.max_attempts - 1; ++i) ASSERT_OK(db().fail_event(id, "earlier", k_start));
  auto last = retrying_processor(school(), issuer()).process_new(100);
  ASSERT_OK(last);
  EXPECT_EQ(last->failed, 1);
  store::EventRow event = only_event();
  EXPECT_EQ(event.attempts, policy.max_attempts);
  EXPECT_FALSE(event.next_attempt_at);
}

TEST_F(FailedEventRetryTest, AnUnreadableEventWaitsForAPersonNotTheBackOff) {
  ASSERT_OK(db().record_event({"moodle-poll", "bad", k_event_lms_change, "{\"kind\":", k_start}));
  ASSERT_OK(retrying_processor(school(), issuer()).process_new(100));
  store::EventRow event = only_event();
  EXPECT_EQ(event.status, store::EventStatus::failed);
  EXPECT_EQ(event.attempts, 1);
  EXPECT_FALSE(event.next_attempt_at);
}

// The school's fingerprint changes when a template is fixed: the failed
// event is due at once and issues its certificate, exactly once.
TEST_F(FailedEventRetryTest, AChangedTemplateRetriesFailedEventsAtOnce) {
  auto broken = school_with_templates(templates_copy(/*broken=*/true));
  ASSERT_OK(broken);
  const std::string broken_print = school_fingerprint(*broken);
  auto first_seen = note_school_fingerprint(db(), broken_print, k_start);
  ASSERT_OK(first_seen);
  EXPECT_EQ(*first_seen, 0);
  Issuer broken_issuer(issuer_options(), broken->templates, *broken->signer, db(), archive(), m_clock);
  ASSERT_OK(record_change(first_aider(42, "王小明", 92), "e1"));
  auto failed = retrying_processor(*broken, broken_issuer).process_new(100);
  ASSERT_OK(failed);
  EXPECT_EQ(failed->failed, 1);
  EXPECT_GT(only_event().next_attempt_at.value_or(0), k_start) << "waits for its back-off";

  // The same files again: nothing changed, nothing is hurried.
  EXPECT_EQ(school_fingerprint(*broken), broken_print);
  auto unchanged = note_school_fingerprint(db(), broken_print, k_start);
  ASSERT_OK(unchanged);
  EXPECT_EQ(*unchanged, 0);
  EXPECT_EQ(retrying_processor(*broken, broken_issuer).process_new(100)->retried, 0);

  auto fixed = school_with_templates(templates_copy(/*broken=*/false));
  ASSERT_OK(fixed);
  ASSERT_NE(school_fingerprint(*fixed), broken_print);
  auto due = note_school_fingerprint(db(), school_fingerprint(*fixed), k_start);
  ASSERT_OK(due);
  EXPECT_EQ(*due, 1);
  Issuer fixed_issuer(issuer_options(), fixed->templates, *fixed->signer, db(), archive(), m_clock);
  auto retried = retrying_processor(*fixed, fixed_issuer).process_new(100);
  ASSERT_OK(retried);
  EXPECT_EQ(retried->retried, 1);
  EXPECT_EQ(retried->issued, 1);
  EXPECT_EQ(only_event().status, store::EventStatus::processed);
  EXPECT_EQ(retrying_processor(*fixed, fixed_issuer).process_new(100)->issued, 0);
  EXPECT_EQ(certificates_of(42).size(), 1u);
}

// Names come from the LMS: someone else typed them. A terminal escape in
// one is printed as inert text, never sent to the operator's terminal.
TEST_F(FailedEventRetryTest, EventsListPrintsAStrangersTextSafely) {
  ASSERT_OK(record_change(first_aider(42, "Mallory\x1b]0;pwned\x07 \xF0\x93\x80\x80", 92), "e1"));
  ASSERT_OK(retrying_processor(school(), issuer()).process_new(100));
  CommandRun listed = run_certd("events list --failed --config " + (m_dir / "certd.yaml").string());
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("Mallory\\x1B]0;pwned\\x07"), std::string::npos) << listed.output;
  EXPECT_EQ(listed.output.find('\x1b'), std::string::npos);
  EXPECT_EQ(listed.output.find('\x07'), std::string::npos);
  // The name is refused where it came in (issue 12), and the reason shows it escaped.
  EXPECT_NE(listed.output.find("the full name of student 42 in the LMS contains a control character (U+001B) at "
                               "character 8: \"Mallory\\x1B]0;pwned\\x07"),
            std::string::npos)
      << listed.output;

  // Given up by the back-off; a person makes it due again.
  ASSERT_OK(db().fail_event(only_event().id, "given up", std::nullopt));
  CommandRun retried = run_certd("events retry " + std::to_string(only_event().id) + " --config " +
                                 (m_dir / "certd.yaml").string());
  ASSERT_EQ(retried.exit_code, 0) << retried.output;
  ASSERT_TRUE(only_event().next_attempt_at) << "due again";
  EXPECT_LE(*only_event().next_attempt_at, to_unix(SystemClock().now()));
}

}  // namespace
}  // namespace certd::app
