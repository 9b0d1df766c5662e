#include "app/outbox_worker.hpp"

#include <gtest/gtest.h>

#include "fakes/manual_clock.hpp"

namespace certd::app {
namespace {

class OutboxWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_sqlite_store(":memory:");
    ASSERT_TRUE(opened);
    m_store = std::move(*opened);
  }

  OutboxWorker worker(std::map<std::string, OutboxHandler> handlers) {
    RetryPolicy policy;
    policy.max_attempts = 3;
    return OutboxWorker(*m_store, m_clock, policy, "test", std::move(handlers));
  }

  void enqueue(const std::string& kind, const std::string& key) {
    ASSERT_TRUE(m_store->enqueue({kind, key, "{}"}, std::nullopt, to_unix(m_clock.now())));
  }

  testing::ManualClock m_clock{1000};
  std::unique_ptr<store::Store> m_store;
};

TEST_F(OutboxWorkerTest, DeliversEachDueItemOnce) {
  enqueue("email", "a");
  enqueue("lms.note", "b");
  std::vector<std::string> seen;
  auto w = worker({{"email", [&](const store::OutboxRow& r) { seen.push_back(r.item.dedupe_key); return ok(); }},
                   {"lms.note", [&](const store::OutboxRow& r) { seen.push_back(r.item.dedupe_key); return ok(); }}});
  auto stats = w.drain();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->delivered, 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(w.drain()->delivered, 0) << "done items are never sent again";
}

TEST_F(OutboxWorkerTest, TransientFailuresBackOffThenSucceed) {
  enqueue("email", "a");
  int calls = 0;
  auto w = worker({{"email", [&](const store::OutboxRow&) -> Status {
                      return ++calls < 3 ? Status(Error(ErrorCode::unavailable, "timeout")) : ok();
                    }}});
  EXPECT_EQ(w.drain()->retrying, 1);
  EXPECT_EQ(w.drain()->retrying, 0) << "not due before its back-off";
  m_clock.advance(5);
  EXPECT_EQ(w.drain()->retrying, 1);
  m_clock.advance(10);
  auto last = w.drain();
  EXPECT_EQ(last->delivered, 1);
  EXPECT_EQ(calls, 3);
}

TEST_F(OutboxWorkerTest, PermanentFailuresAreKeptWithTheirReason) {
  enqueue("lms.note", "a");
  enqueue("email", "b");
  auto w = worker({{"lms.note", [](const store::OutboxRow&) -> Status {
                      return Error(ErrorCode::permission_denied, "nopermissions: Sorry, but you do not currently have permissions");
                    }},
                   {"email", [](const store::OutboxRow&) -> Status { return Error(ErrorCode::unavailable, "down"); }}});
  EXPECT_EQ(w.drain()->failed, 1);
  for (int i = 0; i < 5; ++i) {
    m_clock.advance(3600);
    ASSERT_TRUE(w.drain());
  }
  auto failed = m_store->outbox_with_status(store::OutboxStatus::failed);
  ASSERT_EQ(failed->size(), 2u);
  EXPECT_EQ((*failed)[0].last_error, "permission_denied: nopermissions: Sorry, but you do not currently have permissions");
  EXPECT_EQ((*failed)[1].last_error, "gave up after 3 attempts; unavailable: down");
}

TEST(RetryPolicy, GrowsExponentiallyWithJitterUpToTheCap) {
  RetryPolicy p;
  EXPECT_EQ(p.delay_after(1, 0.0)->count(), 2);
  EXPECT_EQ(p.delay_after(1, 0.999)->count(), 4);
  EXPECT_EQ(p.delay_after(3, 0.0)->count(), 10);
  EXPECT_EQ(p.delay_after(14, 0.999)->count(), 3598);
  EXPECT_FALSE(p.delay_after(15, 0.5));
}

}  // namespace
}  // namespace certd::app
