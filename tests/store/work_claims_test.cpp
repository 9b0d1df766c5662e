// Several workers on one store: events and batch rows are handed out under
// leases (claim_events, claim_batch_items), a restart takes back only its
// own claims (release_claims), and one connection at a time holds the
// poller's lock. On both backends.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "store/store.hpp"
#include "store/store_backends.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

class WorkClaims : public BackendTest {
 protected:
  Id record(const std::string& id) {
    auto inserted = store().record_event({"moodle", id, "lms.change", "{}", 1});
    EXPECT_TRUE(inserted) << inserted.error().to_string();
    return inserted->id;
  }

  Id batch_of(int rows) {
    std::vector<NewBatchItem> items;
    for (int i = 0; i < rows; ++i)
      items.push_back({i + 2, std::to_string(i), "Pupil " + std::to_string(i), "FA-101", std::nullopt, "",
                       "row-key-" + std::to_string(i), "", ""});
    auto batch = store().create_batch({"list.csv", "award", "cli", rows, 7}, items);
    EXPECT_TRUE(batch) << batch.error().to_string();
    return *batch;
  }
};
CERTD_ON_EVERY_BACKEND(WorkClaims);

template <typename Row>
std::vector<Id> ids_of(const Result<std::vector<Row>>& rows) {
  EXPECT_TRUE(rows) << rows.error().to_string();
  std::vector<Id> ids;
  if (rows)
    for (const Row& row : *rows) ids.push_back(row.id);
  return ids;
}

TEST_P(WorkClaims, EventsComeNewFirstThenDueRetriesAndALeaseKeepsThemFromOthers) {
  Id retried = record("e1");
  Id fresh_a = record("e2");
  Id fresh_b = record("e3");
  Id later = record("e4");
  ASSERT_OK(store().fail_event(retried, "LMS said 500", 50));
  ASSERT_OK(store().fail_event(later, "LMS said 500", 500));  // not due at 100

  EXPECT_EQ(ids_of(store().claim_events(100, 400, 10, "a")), (std::vector<Id>{fresh_a, fresh_b, retried}));
  EXPECT_TRUE(ids_of(store().claim_events(100, 400, 10, "b")).empty()) << "a's lease holds until 400";
  EXPECT_TRUE(ids_of(store().claim_events(399, 700, 10, "b")).empty());
  // a stopped without a word: at 400 its lease has run out.
  EXPECT_EQ(ids_of(store().claim_events(400, 700, 10, "b")), (std::vector<Id>{fresh_a, fresh_b, retried}));
}

TEST_P(WorkClaims, TheLimitIsKeptAndTheRestGoesToTheNextCaller) {
  std::vector<Id> all;
  for (int i = 0; i < 5; ++i) all.push_back(record("e" + std::to_string(i)));
  auto first = ids_of(store().claim_events(100, 400, 3, "a"));
  auto second = ids_of(store().claim_events(100, 400, 3, "b"));
  EXPECT_EQ(first, (std::vector<Id>{all[0], all[1], all[2]}));
  EXPECT_EQ(second, (std::vector<Id>{all[3], all[4]}));
}

TEST_P(WorkClaims, AnEventsOutcomeEndsItsClaim) {
  Id done = record("e1");
  Id deferred = record("e2");
  Id failed = record("e3");
  ASSERT_EQ(ids_of(store().claim_events(100, 400, 10, "a")).size(), 3u);
  ASSERT_OK(store().set_event_status(done, EventStatus::processed, ""));
  ASSERT_OK(store().set_event_status(deferred, EventStatus::new_, ""));  // the LMS was down: try again
  ASSERT_OK(store().fail_event(failed, "no font", 150));
  EXPECT_TRUE(ids_of(store().claim_events(120, 400, 10, "b")) == std::vector<Id>{deferred});
  EXPECT_EQ(ids_of(store().claim_events(150, 400, 10, "c")), std::vector<Id>{failed})
      << "a failure's retry is due at its time, whoever claimed it before";
}

TEST_P(WorkClaims, BatchRowsAreClaimedInOrderAndASetRowEndsItsClaim) {
  Id batch = batch_of(4);
  auto first = store().claim_batch_items(batch, 100, 400, 2, "a");
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].item.name, "Pupil 0");
  EXPECT_EQ((*first)[1].item.name, "Pupil 1");
  auto second = store().claim_batch_items(batch, 100, 400, 10, "b");
  ASSERT_OK(second);
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].item.name, "Pupil 2");
  EXPECT_TRUE(ids_of(store().claim_batch_items(batch, 100, 400, 10, "c")).empty());

  ASSERT_OK(store().set_batch_item((*first)[0].id, "issued", "", std::nullopt));
  ASSERT_OK(store().set_batch_item((*first)[1].id, "queued", "", std::nullopt));  // given back
  EXPECT_EQ(ids_of(store().claim_batch_items(batch, 100, 400, 10, "c")), std::vector<Id>{(*first)[1].id});
  // Another batch's rows are not this batch's.
  Id other = batch_of(0);
  EXPECT_TRUE(ids_of(store().claim_batch_items(other, 100, 400, 10, "c")).empty());
}

TEST_P(WorkClaims, ARestartTakesBackItsOwnClaimsAndLeavesOthersAlone) {
  Id mine = record("e1");
  Id theirs = record("e2");
  ASSERT_EQ(ids_of(store().claim_events(100, 400, 1, "a")), std::vector<Id>{mine});
  ASSERT_EQ(ids_of(store().claim_events(100, 400, 1, "b")), std::vector<Id>{theirs});
  Id batch = batch_of(2);
  ASSERT_EQ(ids_of(store().claim_batch_items(batch, 100, 400, 1, "a")).size(), 1u);
  ASSERT_EQ(ids_of(store().claim_batch_items(batch, 100, 400, 1, "b")).size(), 1u);
  ASSERT_OK(store().enqueue({"email", "mail:a", "{}"}, std::nullopt, 100));
  ASSERT_OK(store().enqueue({"email", "mail:b", "{}"}, std::nullopt, 100));
  ASSERT_EQ(store().claim_due(100, 400, 1, "a")->size(), 1u);
  ASSERT_EQ(store().claim_due(100, 400, 1, "b")->size(), 1u);

  auto released = store().release_claims(110, "a");
  ASSERT_OK(released);
  EXPECT_EQ(*released, 3) << "one event, one batch row, one outbox item";
  EXPECT_EQ(ids_of(store().claim_events(110, 400, 10, "a")), std::vector<Id>{mine});
  EXPECT_EQ(ids_of(store().claim_batch_items(batch, 110, 400, 10, "a")).size(), 1u);
  auto mail = store().claim_due(110, 400, 10, "a");
  ASSERT_OK(mail);
  ASSERT_EQ(mail->size(), 1u);
  EXPECT_EQ((*mail)[0].item.dedupe_key, "mail:a");
  EXPECT_EQ(*store().release_claims(120, "nobody"), 0);
}

// Two workers claiming at once, each on its own connection, get every row
// exactly once between them.
TEST_P(WorkClaims, WorkersClaimingAtOnceNeverGetTheSameRow) {
  constexpr int k_events = 300;
  constexpr int k_rows = 300;
  for (int i = 0; i < k_events; ++i) record("e" + std::to_string(i));
  Id batch = batch_of(k_rows);
  std::mutex mutex;
  std::map<Id, int> events_seen;
  std::map<Id, int> rows_seen;
  std::atomic<int> failures{0};
  auto work = [&](const std::string& worker) {
    std::unique_ptr<Store> own = open_again();
    if (!own) {
      failures.fetch_add(1);
      return;
    }
    for (bool more = true; more;) {
      auto events = own->claim_events(100, 400, 7, worker);
      auto rows = own->claim_batch_items(batch, 100, 400, 7, worker);
      if (!events || !rows) {
        failures.fetch_add(1);
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      for (const EventRow& e : *events) ++events_seen[e.id];
      for (const BatchItemRow& r : *rows) ++rows_seen[r.id];
      more = !events->empty() || !rows->empty();
    }
  };
  std::thread a(work, "a");
  std::thread b(work, "b");
  a.join();
  b.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(events_seen.size(), static_cast<std::size_t>(k_events));
  EXPECT_EQ(rows_seen.size(), static_cast<std::size_t>(k_rows));
  EXPECT_TRUE(std::all_of(events_seen.begin(), events_seen.end(), [](const auto& e) { return e.second == 1; }));
  EXPECT_TRUE(std::all_of(rows_seen.begin(), rows_seen.end(), [](const auto& r) { return r.second == 1; }));
}

TEST_P(WorkClaims, OneConnectionHoldsThePollersLockUntilItCloses) {
  std::unique_ptr<Store> first = open_again();
  std::unique_ptr<Store> second = open_again();
  ASSERT_TRUE(first && second);
  auto held = first->hold_poller_lock();
  ASSERT_OK(held);
  EXPECT_TRUE(*held);
  EXPECT_TRUE(*first->hold_poller_lock()) << "asking again keeps it";
  auto other = second->hold_poller_lock();
  ASSERT_OK(other);
  EXPECT_FALSE(*other);
  first.reset();  // the poller stops (or dies): its connection closes
  // PostgreSQL frees the lock when it notices the closed connection.
  bool taken = false;
  for (int i = 0; i < 200 && !taken; ++i) {
    auto now = second->hold_poller_lock();
    ASSERT_OK(now);
    taken = *now;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(taken);
}

// run --once polls once and gives the lock back for a daemon's poll thread.
TEST_P(WorkClaims, AGivenBackLockGoesToTheNextToAsk) {
  std::unique_ptr<Store> once = open_again();
  std::unique_ptr<Store> daemon = open_again();
  ASSERT_TRUE(once && daemon);
  ASSERT_TRUE(*once->hold_poller_lock());
  ASSERT_FALSE(*daemon->hold_poller_lock());
  ASSERT_OK(once->release_poller_lock());
  ASSERT_OK(once->release_poller_lock());  // giving back what is not held is fine
  EXPECT_TRUE(*daemon->hold_poller_lock());
  EXPECT_FALSE(*once->hold_poller_lock());
}

// A group of rows marked in one call: each row gets its own outcome and
// leaves its claim, the batch's other rows are untouched.
TEST_P(WorkClaims, AGroupOfRowsIsMarkedInOneCall) {
  Id batch = batch_of(4);
  auto claimed = store().claim_batch_items(batch, 100, 400, 3, "a");
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 3u);
  auto issued = store().insert_certificate([] {
    NewCertificate c;
    c.number = "N-1";
    c.idempotency_key = "k1";
    c.rule_id = "award";
    c.template_id = "award";
    c.student_id = "0";
    c.student_name = "Pupil 0";
    c.course = "FA-101";
    c.kind = "batch";
    c.payload = "{}";
    c.signature = "sig";
    c.pdf_path = "pdf/N-1.pdf";
    c.claim_token = "t0";
    return c;
  }(), {});
  ASSERT_OK(issued);
  ASSERT_OK(store().set_batch_items({{(*claimed)[0].id, "issued", "", issued->id},
                                     {(*claimed)[1].id, "failed", "no font draws U+738B", std::nullopt},
                                     {(*claimed)[2].id, "queued", "", std::nullopt}}));
  auto done = store().batch_items(batch, "issued", 10);
  auto failed = store().batch_items(batch, "failed", 10);
  ASSERT_OK(done);
  ASSERT_OK(failed);
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].id, (*claimed)[0].id);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].error, "no font draws U+738B");
  auto progress = store().batch_progress(batch);
  ASSERT_OK(progress);
  EXPECT_EQ(progress->issued, 1);
  EXPECT_EQ(progress->failed, 1);
  EXPECT_EQ(progress->queued, 2);
  // The row given back is free again at once; the fourth never was taken.
  EXPECT_EQ(ids_of(store().claim_batch_items(batch, 100, 400, 10, "b")).size(), 2u);
  ASSERT_OK(store().set_batch_items({}));
}

// Claims are taken back by name, so one name is one process at a time.
TEST_P(WorkClaims, AWorkersNameIsHeldByOneConnectionAtATime) {
  std::unique_ptr<Store> first = open_again();
  std::unique_ptr<Store> second = open_again();
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(*first->hold_worker_lock("w1"));
  EXPECT_TRUE(*first->hold_worker_lock("w1")) << "asking again keeps it";
  EXPECT_FALSE(*second->hold_worker_lock("w1"));
  EXPECT_TRUE(*second->hold_worker_lock("w2")) << "another name is free";
  first.reset();
  bool taken = false;
  for (int i = 0; i < 200 && !taken; ++i) {
    std::unique_ptr<Store> third = open_again();
    ASSERT_TRUE(third);
    auto now = third->hold_worker_lock("w1");
    ASSERT_OK(now);
    taken = *now;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(taken) << "a closed connection lets go of its name";
}

}  // namespace
}  // namespace certd::store
