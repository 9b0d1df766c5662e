// /readyz over the real store: the store takes a write, and a poll of the
// LMS worked within the last k_ready_polls intervals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "app/poll_status.hpp"
#include "app/store_adapters.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t k_now = 1'800'000'000;
constexpr std::int64_t k_interval = 60;

class Readiness : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("certd-readyz-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    auto store = store::open_sqlite_store((m_dir / "certd.sqlite").string());
    ASSERT_TRUE(store);
    m_store = std::move(*store);
    auto backend = StorePortalBackend::open((m_dir / "certd.sqlite").string(), m_dir.string(), {}, k_interval);
    ASSERT_TRUE(backend);
    m_backend = std::move(*backend);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  const portal::ReadinessCheck* check(const portal::Readiness& r, const std::string& name) {
    for (const portal::ReadinessCheck& c : r.checks)
      if (c.name == name) return &c;
    return nullptr;
  }
  void poll(std::int64_t at, const std::string& error = "") {
    connector::PollStats stats;
    stats.courses.push_back({"FA-101", 2, 0, ""});
    ASSERT_TRUE(record_poll(*m_store, error.empty() ? &stats : nullptr, error, {}, from_unix(at)));
  }

  fs::path m_dir;
  std::unique_ptr<store::Store> m_store;
  std::unique_ptr<StorePortalBackend> m_backend;
};

TEST_F(Readiness, NotReadyUntilAPollHasWorked) {
  portal::Readiness r = m_backend->readiness(k_now);
  ASSERT_NE(check(r, "store"), nullptr);
  EXPECT_TRUE(check(r, "store")->ok) << check(r, "store")->detail;
  ASSERT_NE(check(r, "lms"), nullptr);
  EXPECT_FALSE(check(r, "lms")->ok);
  EXPECT_EQ(check(r, "lms")->detail, "no poll has finished yet");
  EXPECT_FALSE(r.ready());

  poll(k_now - 10, "Moodle answered 503");
  r = m_backend->readiness(k_now);
  EXPECT_FALSE(r.ready());
  EXPECT_EQ(check(r, "lms")->detail, "no poll has worked yet; the last poll failed: Moodle answered 503");

  poll(k_now - 5);
  r = m_backend->readiness(k_now);
  EXPECT_TRUE(r.ready()) << check(r, "lms")->detail;
  EXPECT_EQ(check(r, "lms")->detail, "the last poll that worked was 5 s ago");
}

TEST_F(Readiness, FailedPollsAreToleratedForThreeIntervals) {
  poll(k_now);
  poll(k_now + 60, "timed out");
  portal::Readiness r = m_backend->readiness(k_now + 3 * k_interval);
  EXPECT_TRUE(r.ready()) << check(r, "lms")->detail;
  EXPECT_EQ(check(r, "lms")->detail, "the last poll that worked was 180 s ago; the last poll failed: timed out");
  r = m_backend->readiness(k_now + 3 * k_interval + 1);
  EXPECT_FALSE(r.ready());
  EXPECT_NE(check(r, "lms")->detail.find("(more than 3 poll intervals)"), std::string::npos) << check(r, "lms")->detail;
}

TEST_F(Readiness, WithoutAnLmsOnlyTheStoreCounts) {
  auto backend = StorePortalBackend::open((m_dir / "certd.sqlite").string(), m_dir.string(), {}, 0);
  ASSERT_TRUE(backend);
  portal::Readiness r = (*backend)->readiness(k_now);
  EXPECT_TRUE(r.ready());
  EXPECT_EQ(check(r, "lms"), nullptr);
}

}  // namespace
}  // namespace certd::app
