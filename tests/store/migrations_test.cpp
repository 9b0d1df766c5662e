#include "store/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

int user_version(const std::string& path) {
  SQLite::Database db(path);
  return db.execAndGet("PRAGMA user_version").getInt();
}

bool has_table(const std::string& path, const std::string& table) {
  SQLite::Database db(path);
  SQLite::Statement s(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.bind(1, table);
  s.executeStep();
  return s.getColumn(0).getInt() == 1;
}

TEST(Migrations, FreshDatabaseGetsTheWholeSchema) {
  TempDir dir;
  std::string path = dir.file("certd.sqlite");
  ASSERT_OK(open_sqlite_store(path));
  EXPECT_EQ(user_version(path), current_schema_version());
  for (const char* table : {"events", "pending", "certificates", "batches", "outbox", "notifications",
                            "verifications", "audit_log", "state"})
    EXPECT_TRUE(has_table(path, table)) << table;
  SQLite::Database db(path);
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(Migrations, OlderDatabaseIsMigratedInPlaceKeepingItsRows) {
  TempDir dir;
  std::string path = dir.file("old.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 1));
    db.exec("INSERT INTO events (source, source_event_id, kind, payload, received_at) "
            "VALUES ('moodle', 'e1', 'course_completed', '{}', 1)");
  }
  ASSERT_EQ(user_version(path), 1);
  EXPECT_FALSE(has_table(path, "state"));

  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  EXPECT_EQ(user_version(path), current_schema_version());
  EXPECT_TRUE(has_table(path, "state"));
  auto events = (*store)->events_with_status("new", 10);
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event.source_event_id, "e1");
}

TEST(Migrations, NewerDatabaseIsRefusedAndLeftUntouched) {
  TempDir dir;
  std::string path = dir.file("new.sqlite");
  ASSERT_OK(open_sqlite_store(path));
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  auto store = open_sqlite_store(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::conflict);
  EXPECT_NE(store.error().message().find("schema version 99, newer than this certd"), std::string::npos)
      << store.error().message();
  EXPECT_EQ(user_version(path), 99);
}

TEST(Migrations, ReopeningIsANoOp) {
  TempDir dir;
  std::string path = dir.file("twice.sqlite");
  ASSERT_OK(open_sqlite_store(path));
  ASSERT_OK(open_sqlite_store(path));
  EXPECT_EQ(user_version(path), current_schema_version());
}

}  // namespace
}  // namespace certd::store
