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
                            "verifications", "audit_log", "state", "lti_states", "sessions", "local_users",
                            "api_tokens"})
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
  auto events = (*store)->events_with_status(store::EventStatus::new_, 10);
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event.source_event_id, "e1");
}

// Version 7 stores what a pending entry waits for; before, quota waiters
// were known by the start of their reason sentence, so an upgrade sets it
// from that sentence and they keep waiting for the quota.
TEST(Migrations, UpgradedPendingEntriesKeepWaitingForTheQuota) {
  TempDir dir;
  std::string path = dir.file("v6.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 6));
    db.exec("INSERT INTO pending (idempotency_key, rule_id, student_id, student_name, course, reason, facts, "
            "created_at) VALUES "
            "('k1', 'r', '1', 'A', 'C', 'waits: the monthly quota is used up (2); issued automatically when the "
            "quota allows, or approve it now', '{}', 1), "
            "('k2', 'r', '2', 'B', 'C', 'conditions met; waits for a teacher''s approval', '{}', 2), "
            "('k3', 'r', '3', 'C', 'C', 'note: waits: the monthly quota is used up', '{}', 3)");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  auto rows = (*store)->pending_with_status(PendingStatus::pending);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].pending.waits_for, PendingWait::quota);
  EXPECT_EQ((*rows)[1].pending.waits_for, PendingWait::approval);
  EXPECT_EQ((*rows)[2].pending.waits_for, PendingWait::approval) << "only a reason that starts so";
  EXPECT_EQ((*rows)[0].pending.reason.substr(0, 6), "waits:") << "the reason itself is kept for people";
}

// Version 9 keeps the grade and skills a certificate printed. Rows from
// before read back with neither (unknown); new rows keep both, skills as
// an unambiguous list whatever characters the names hold.
TEST(Migrations, CertificatesFromVersion8ReadBackWithoutGradeAndSkillsAndNewOnesKeepThem) {
  TempDir dir;
  std::string path = dir.file("v8.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 8));
    db.exec("INSERT INTO certificates (number, idempotency_key, rule_id, template_id, student_id, student_name, "
            "course, kind, requested_by, notes, payload, signature, pdf_path, issued_at, claim_token, teacher) "
            "VALUES ('SWL3-OLD', 'rule:swim-level-3|student:1|course:SWIM-L3|gen:1', 'swim-level-3', "
            "'swim-level', '1', 'Ada Lovelace', 'Swimming Level 3', 'automatic', 'rule', '', "
            "'{\"level\":\"Level 3\"}', 'sig', 'pdf/2026/SWL3-OLD.pdf', 100, 'claim', 'Ms Rivera')");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  ASSERT_EQ(user_version(path), current_schema_version());

  auto old = (*store)->certificate_by_number("SWL3-OLD");
  ASSERT_OK(old);
  ASSERT_TRUE(*old);
  EXPECT_EQ((*old)->certificate.grade, "");
  EXPECT_TRUE((*old)->certificate.skills.empty());
  EXPECT_EQ((*old)->certificate.teacher, "Ms Rivera");
  EXPECT_EQ((*old)->certificate.payload, "{\"level\":\"Level 3\"}") << "the level stays in the signed payload";

  NewCertificate c = (*old)->certificate;
  c.number = "SWL3-NEW";
  c.idempotency_key = "rule:swim-level-3|student:1|course:SWIM-L3|gen:2";
  c.grade = "88%";
  c.skills = {"Backstroke, 25m", "Treading water\n1 min", "Say \"dive\" \\ [then] swim", "Plongée", ""};
  ASSERT_OK((*store)->insert_certificate(c, {}));
  auto fresh = (*store)->certificate_by_number("SWL3-NEW");
  ASSERT_OK(fresh);
  ASSERT_TRUE(*fresh);
  EXPECT_EQ((*fresh)->certificate.grade, "88%");
  EXPECT_EQ((*fresh)->certificate.skills, c.skills);
  EXPECT_EQ((*fresh)->certificate.payload, c.payload);

  SQLite::Database db(path);
  SQLite::Statement s(db, "SELECT json_array_length(skills) FROM certificates WHERE number = 'SWL3-NEW'");
  ASSERT_TRUE(s.executeStep());
  EXPECT_EQ(s.getColumn(0).getInt(), 5) << "stored as a JSON array, one element per name";
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

// Version 10 gives batch rows a key and a content digest of their own.
// Rows from before read back with neither, so the runner keeps their old
// key (made from the batch id) and a batch running across the upgrade
// resumes without a duplicate.
TEST(Migrations, BatchRowsFromVersion9ReadBackWithoutKeyOrDigest) {
  TempDir dir;
  std::string path = dir.file("v9.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 9));
    db.exec("INSERT INTO batches (file_name, template_id, created_by, total, created_at) "
            "VALUES ('old.csv', 'award', 'Ms Rivera', 2, 1)");
    db.exec("INSERT INTO batch_rows (batch_id, line, student, name, course, notes) VALUES "
            "(1, 2, '1', 'Ann', 'FA-101', ''), (1, 3, '2', 'Bob', 'FA-101', '')");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  ASSERT_EQ(user_version(path), current_schema_version());

  auto rows = (*store)->batch_items(1, "queued", 10);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].item.name, "Ann");
  EXPECT_EQ((*rows)[0].item.key, "");
  EXPECT_EQ((*rows)[0].item.digest, "");
  ASSERT_OK((*store)->create_batch({"new.csv", "award", "Ms Rivera", 1, 2},
                                   {{2, "1", "Ann", "FA-101", std::nullopt, "", "batch:award:d1|student:1", "d1", ""}}));
  EXPECT_EQ((*store)->batch_items_by_digest({"d1"})->size(), 1u);
}

// Version 13 keeps a batch row's own title; rows stored before have none
// (their course names them) and keep their key, so a batch running across
// the upgrade resumes without a duplicate.
TEST(Migrations, BatchRowsFromVersion12HaveNoTitleAndKeepTheirKey) {
  TempDir dir;
  std::string path = dir.file("v12.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 12));
    db.exec("INSERT INTO batches (file_name, template_id, created_by, total, created_at) "
            "VALUES ('old.csv', 'award', 'Ms Rivera', 1, 1)");
    db.exec("INSERT INTO batch_rows (batch_id, line, student, name, course, notes, row_key, content_digest) VALUES "
            "(1, 2, '1', 'Ann', 'FA-101', '', 'batch:award:d1|student:1|course:FA-101|gen:1', 'd1')");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  ASSERT_EQ(user_version(path), current_schema_version());

  auto rows = (*store)->batch_items(1, "queued", 10);

  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].item.title, "");
  EXPECT_EQ((*rows)[0].item.course, "FA-101");
  EXPECT_EQ((*rows)[0].item.key, "batch:award:d1|student:1|course:FA-101|gen:1");
}

// Version 12 names each certificate apart from its course: rows from
// before were called by their course, so that is their title; a new row
// keeps the title it was given, with or without a course.
TEST(Migrations, CertificatesFromVersion11AreCalledByTheirCourse) {
  TempDir dir;
  std::string path = dir.file("v11.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 11));
    db.exec("INSERT INTO certificates (number, idempotency_key, rule_id, template_id, student_id, student_name, course, "
            "kind, requested_by, notes, payload, signature, pdf_path, issued_at, claim_token) VALUES "
            "('FA-2345-6789', 'k1', 'first-aid', 'first-aid', '6', 'Ann', 'First Aid Basics', 'automatic', 'rule', "
            "'', '{}', 'sig', 'pdf/2026/FA-2345-6789.pdf', 1795000000, 't1')");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  ASSERT_EQ(user_version(path), current_schema_version());
  auto old = (*store)->certificate_by_number("FA-2345-6789");
  ASSERT_OK(old);
  ASSERT_TRUE(*old);
  EXPECT_EQ((*old)->certificate.title, "First Aid Basics");
  EXPECT_EQ((*old)->certificate.course, "First Aid Basics");
}

// Version 14 adds the teacher console's tables; a database from before
// keeps its certificates, batches and audit log, and the new tables work
// at once.
TEST(Migrations, DatabaseFromVersion13KeepsItsRowsAndGetsTheConsoleTables) {
  TempDir dir;
  std::string path = dir.file("v13.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, 13));
    db.exec("INSERT INTO certificates (number, idempotency_key, rule_id, template_id, student_id, student_name, course, "
            "kind, requested_by, notes, payload, signature, pdf_path, issued_at, claim_token, title) VALUES "
            "('FA-2345-6789', 'k1', 'first-aid', 'first-aid', '6', 'Ann', 'First Aid Basics', 'automatic', 'rule', "
            "'', '{}', 'sig', 'pdf/2026/FA-2345-6789.pdf', 1795000000, 't1', 'First Aid Basics')");
    db.exec("INSERT INTO batches (file_name, template_id, created_by, total, created_at) "
            "VALUES ('old.csv', 'award', 'Ms Rivera', 1, 1)");
    db.exec("INSERT INTO batch_rows (batch_id, line, student, name, course, notes, row_key, content_digest, title) "
            "VALUES (1, 2, '1', 'Ann', 'FA-101', '', 'key-1', 'd1', 'Star swimmer')");
    db.exec("INSERT INTO audit_log (at, actor, action, subject, details) VALUES (5, 'Ms Rivera', 'revoke', "
            "'FA-0000-0000', 'typo')");
  }
  ASSERT_EQ(user_version(path), 13);
  EXPECT_FALSE(has_table(path, "sessions"));

  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  EXPECT_EQ(user_version(path), current_schema_version());
  for (const char* table : {"lti_states", "sessions", "local_users", "api_tokens"})
    EXPECT_TRUE(has_table(path, table)) << table;

  auto old = (*store)->certificate_by_number("FA-2345-6789");
  ASSERT_OK(old);
  ASSERT_TRUE(*old);
  EXPECT_EQ((*old)->certificate.title, "First Aid Basics");
  auto rows = (*store)->batch_items(1, "queued", 10);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].item.title, "Star swimmer");
  auto audit = (*store)->recent_audit(10);
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].entry.details, "typo");

  ASSERT_OK((*store)->add_local_user({"office", Role::admin, {}, "$argon2id$x", 10}));
  ASSERT_OK((*store)->add_api_token({"office", "hash", "script", 10}));
  ASSERT_OK((*store)->put_lti_state({"s", "n", "iss", "client", "https://certd/lti", 10, 100}, 10, 10));
  ASSERT_TRUE(*(*store)->take_lti_state("s", 11));
}

}  // namespace
}  // namespace certd::store
