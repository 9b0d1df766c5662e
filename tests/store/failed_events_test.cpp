// Failed events are kept with their reason and come back: by back-off
// (next_attempt_at), by a rules/config change or a person (made due now),
// and after an upgrade from version 7 (migration 8 makes them due).
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "store/migrations.hpp"
#include "store/store.hpp"
#include "store/store_backends.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

class FailedEvents : public BackendTest {};
CERTD_ON_EVERY_BACKEND(FailedEvents);

Id record(Store& store, const std::string& source, const std::string& id) {
  auto inserted = store.record_event({source, id, "lms.change", "{}", 1});
  EXPECT_TRUE(inserted) << inserted.error().to_string();
  return inserted->id;
}

std::vector<Id> ids_of(const Result<std::vector<EventRow>>& rows) {
  EXPECT_TRUE(rows) << rows.error().to_string();
  std::vector<Id> ids;
  for (const EventRow& row : *rows) ids.push_back(row.id);
  return ids;
}

TEST_P(FailedEvents, AFailureKeepsItsReasonCountsAttemptsAndIsDueAtItsTime) {
  Id id = record(store(), "moodle", "e1");
  ASSERT_OK(store().fail_event(id, "no font of the template can draw U+738B", 160));
  ASSERT_OK(store().fail_event(id, "still no font", 280));
  auto failed = store().events_with_status(EventStatus::failed, 10);
  ASSERT_OK(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].error, "still no font");
  EXPECT_EQ((*failed)[0].attempts, 2);
  EXPECT_EQ((*failed)[0].next_attempt_at, std::optional<std::int64_t>(280));
  EXPECT_TRUE(ids_of(store().due_failed_events(279, 10)).empty());
  EXPECT_EQ(ids_of(store().due_failed_events(280, 10)), std::vector<Id>{id});

  ASSERT_OK(store().set_event_status(id, EventStatus::processed, ""));
  EXPECT_TRUE(ids_of(store().due_failed_events(1000, 10)).empty()) << "a processed event is never retried";
}

TEST_P(FailedEvents, GivenUpEventsWaitUntilMadeDue) {
  Id a = record(store(), "moodle", "a");
  Id b = record(store(), "moodle", "b");
  ASSERT_OK(store().fail_event(a, "broken", std::nullopt));
  ASSERT_OK(store().fail_event(b, "broken", std::nullopt));
  EXPECT_TRUE(ids_of(store().due_failed_events(1'000'000, 10)).empty());

  auto one = store().make_failed_events_due({b}, 50);
  ASSERT_OK(one);
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(ids_of(store().due_failed_events(50, 10)), std::vector<Id>{b});

  auto all = store().make_failed_events_due({}, 60);
  ASSERT_OK(all);
  EXPECT_EQ(*all, 2);
  EXPECT_EQ(ids_of(store().due_failed_events(60, 10)), (std::vector<Id>{a, b}));
}

TEST_P(FailedEvents, OnlyRetryableFailuresAreMadeDue) {
  Id processed = record(store(), "moodle", "p");
  Id teacher = record(store(), "cli", "t");
  ASSERT_OK(store().set_event_status(processed, EventStatus::processed, ""));
  // A teacher's action failed in front of them: not a retryable event.
  ASSERT_OK(store().set_event_status(teacher, EventStatus::failed, "no such pending entry"));
  auto none = store().make_failed_events_due({}, 10);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  auto refused = store().make_failed_events_due({processed}, 10);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::not_found);
  EXPECT_FALSE(store().make_failed_events_due({424242}, 10));
}

TEST_P(FailedEvents, RecentEventsAreNewestFirstAndFilterByStatus) {
  Id a = record(store(), "moodle", "a");
  Id b = record(store(), "moodle", "b");
  Id c = record(store(), "moodle", "c");
  ASSERT_OK(store().fail_event(b, "broken", 5));
  EXPECT_EQ(ids_of(store().recent_events(std::nullopt, 10)), (std::vector<Id>{c, b, a}));
  EXPECT_EQ(ids_of(store().recent_events(EventStatus::failed, 10)), std::vector<Id>{b});
  EXPECT_EQ(ids_of(store().recent_events(std::nullopt, 1)), std::vector<Id>{c});
  EXPECT_EQ(store().count_events(EventStatus::failed).value_or(-1), 1);
  EXPECT_EQ(store().count_events(EventStatus::new_).value_or(-1), 2);
}

// A version-7 ledger with events the old processor marked failed: after
// the upgrade they keep their reason and are due at once; a teacher's
// failed action is not made retryable.
TEST(FailedEvents, UpgradeFromVersion7KeepsFailedEventsAndMakesThemDue) {
  TempDir dir;
  std::string path = dir.file("v7.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 7));
    db.exec("INSERT INTO events (source, source_event_id, kind, payload, received_at, status, error) VALUES "
            "('moodle', 'm1', 'lms.change', '{}', 1, 'failed', 'template could not be filled'), "
            "('moodle', 'm2', 'lms.change', '{}', 2, 'processed', ''), "
            "('cli', 'c1', 'approve', '{}', 3, 'failed', 'no such pending entry')");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  {
    SQLite::Database db(path);
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), current_schema_version());
  }
  auto due = (*store)->due_failed_events(100, 10);
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].event.source_event_id, "m1");
  EXPECT_EQ((*due)[0].error, "template could not be filled");
  EXPECT_EQ((*due)[0].attempts, 1);
  auto failed = (*store)->events_with_status(EventStatus::failed, 10);
  ASSERT_OK(failed);
  EXPECT_EQ(failed->size(), 2u) << "the teacher's failed action is kept too";
}

}  // namespace
}  // namespace certd::store
