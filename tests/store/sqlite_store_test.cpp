// The store's main suite, on every backend; the tests of SQLite itself
// (its file's mode, a state written behind its back) are TEST(SqliteStore, ...).
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "store/store.hpp"
#include "store/store_backends.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

// The main suite, on every backend (store_backends.hpp).
class StoreTest : public BackendTest {};
CERTD_ON_EVERY_BACKEND(StoreTest);

NewCertificate certificate(const std::string& number, const std::string& key) {
  NewCertificate c;
  c.number = number;
  c.idempotency_key = key;
  c.rule_id = "swim-level-3";
  c.template_id = "swim-level";
  c.student_id = "42";
  c.student_name = "Zoë Ångström-Łukasiewicz";
  c.course = "SWIM-L3";
  c.kind = "automatic";
  c.payload = "{}";
  c.signature = "sig";
  c.pdf_path = "pdf/" + number + ".pdf";
  c.issued_at = 1000;
  c.claim_token = "claim-" + number;
  return c;
}

TEST_P(StoreTest, ReplayedEventsAreRecordedOnce) {
  NewEvent event{"webhook:moodle", "msg_1", "course_completed", "{}", 5};
  auto first = store().record_event(event);
  auto again = store().record_event(event);
  ASSERT_OK(first);
  ASSERT_OK(again);
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(first->id, again->id);
  EXPECT_EQ(store().events_with_status(store::EventStatus::new_, 10)->size(), 1u);
  ASSERT_OK(store().set_event_status(first->id, store::EventStatus::processed, ""));
  EXPECT_TRUE(store().events_with_status(store::EventStatus::new_, 10)->empty());
}

TEST_P(StoreTest, IdempotencyKeyIssuesOneCertificateAndQueuesItsWorkOnce) {
  std::vector<NewOutboxItem> outbox = {{"lms.note", "note:A", "{}"}, {"email", "mail:A", "{}"}};
  auto first = store().insert_certificate(certificate("SWL3-AAAA-AAAA", "rule:42:SWIM-L3#1"), outbox);
  ASSERT_OK(first);
  EXPECT_TRUE(first->created);
  // Same key, other number (a retry that drew a new number): the old row wins.
  auto again = store().insert_certificate(certificate("SWL3-BBBB-BBBB", "rule:42:SWIM-L3#1"),
                                         {{"lms.note", "note:B", "{}"}});
  ASSERT_OK(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, first->id);
  EXPECT_FALSE(*store().certificate_by_number("SWL3-BBBB-BBBB"));
  EXPECT_EQ(store().outbox_with_status(store::OutboxStatus::queued)->size(), 2u) << "nothing queued for the duplicate";
  auto found = store().certificate_by_key("rule:42:SWIM-L3#1");
  ASSERT_OK(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->certificate.student_name, "Zoë Ångström-Łukasiewicz");
}

TEST_P(StoreTest, DuplicateNumberIsAConflictAndLeavesNoOutboxRows) {
  ASSERT_OK(store().insert_certificate(certificate("N-1", "k1"), {}));
  auto clash = store().insert_certificate(certificate("N-1", "k2"), {{"email", "mail:k2", "{}"}});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code(), ErrorCode::conflict);
  EXPECT_TRUE(store().outbox_with_status(store::OutboxStatus::queued)->empty()) << "the transaction rolled back as a whole";
}

TEST_P(StoreTest, ACertificateKeepsItsOwnTitleWithOrWithoutACourse) {
  NewCertificate award = certificate("N-1", "k1");
  award.kind = "adhoc";
  award.course = "";
  award.title = "Star Swimmer of the Month";
  NewCertificate in_course = certificate("N-2", "k2");
  in_course.title = "Bravest Diver";
  ASSERT_OK(store().insert_certificate(award, {}));
  ASSERT_OK(store().insert_certificate(in_course, {}));
  auto first = store().certificate_by_number("N-1");
  ASSERT_OK(first);
  EXPECT_EQ((*first)->certificate.title, "Star Swimmer of the Month");
  EXPECT_EQ((*first)->certificate.course, "");
  auto second = store().certificate_by_number("N-2");
  ASSERT_OK(second);
  EXPECT_EQ((*second)->certificate.title, "Bravest Diver");
  EXPECT_EQ((*second)->certificate.course, "SWIM-L3");
}

TEST_P(StoreTest, RevokeOnceThenConflict) {
  ASSERT_OK(store().insert_certificate(certificate("N-1", "k1"), {}));
  ASSERT_OK(store().revoke_certificate("N-1", "reissued", 2000));
  auto row = *store().certificate_by_number("N-1");
  EXPECT_EQ(row->status, CertificateStatus::revoked);
  EXPECT_EQ(row->revoke_reason, "reissued");
  EXPECT_EQ(store().revoke_certificate("N-1", "again", 3000).error().code(), ErrorCode::conflict);
  EXPECT_EQ(store().revoke_certificate("N-404", "x", 3000).error().code(), ErrorCode::not_found);
}

TEST_P(StoreTest, OutboxLeasesDueItemsAndRetries) {
  ASSERT_OK(store().enqueue({"email", "mail:1", "{}"}, std::nullopt, 100));
  EXPECT_FALSE(store().enqueue({"email", "mail:1", "{}"}, std::nullopt, 100)->created);
  auto claimed = store().claim_due(100, 160, 10);
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].attempts, 1);
  EXPECT_TRUE(store().claim_due(150, 210, 10)->empty()) << "leased until 160";
  ASSERT_EQ(store().claim_due(160, 220, 10)->size(), 1u) << "a crashed worker's lease runs out";
  ASSERT_OK(store().fail_outbox((*claimed)[0].id, "timeout", 300, 161));
  EXPECT_TRUE(store().claim_due(299, 400, 10)->empty());
  auto retried = store().claim_due(300, 400, 10);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].last_error, "timeout");
  ASSERT_OK(store().complete_outbox((*retried)[0].id, 301));
  EXPECT_EQ(store().outbox_with_status(store::OutboxStatus::done)->size(), 1u);
  EXPECT_TRUE(store().claim_due(10000, 10060, 10)->empty());
}

TEST_P(StoreTest, PendingQueueKeepsHeldEntries) {
  NewPending p{"swim-level-3:42:SWIM-L3", "swim-level-3", "42", "Ann", "SWIM-L3", "all skills proficient", "{}", 10};
  auto a = store().add_pending(p);
  p.idempotency_key = "swim-level-3:43:SWIM-L3";
  auto b = store().add_pending(p);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_FALSE(store().add_pending(p)->created);
  ASSERT_OK(store().decide_pending(a->id, store::PendingStatus::approved, "well done", "teacher", 20));
  ASSERT_OK(store().decide_pending(b->id, store::PendingStatus::held, "", "teacher", 20));
  EXPECT_EQ(store().pending_with_status(store::PendingStatus::held)->size(), 1u);
  EXPECT_EQ(store().decide_pending(a->id, store::PendingStatus::held, "", "t", 30).error().code(), ErrorCode::not_found)
      << "an approved entry is final";
}

TEST_P(StoreTest, PendingEntriesKeepWhatTheyWaitFor) {
  NewPending approval{"k-approval", "r", "42", "Ann", "C", "waits for a teacher", "{}", 10};
  NewPending quota = approval;
  quota.idempotency_key = "k-quota";
  quota.waits_for = PendingWait::quota;
  ASSERT_OK(store().add_pending(approval));
  ASSERT_OK(store().add_pending(quota));
  auto rows = store().pending_with_status(PendingStatus::pending);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].pending.waits_for, PendingWait::approval);
  EXPECT_EQ((*rows)[1].pending.waits_for, PendingWait::quota);
  EXPECT_EQ((*rows)[1].status, PendingStatus::pending);
}

TEST(SqliteStore, AStateTheStoreDoesNotKnowIsAnErrorNotADefault) {
  TempDir dir;
  std::string path = dir.file("odd.sqlite");
  {
    auto store = open_sqlite_store(path);
    ASSERT_OK(store);
    ASSERT_OK((*store)->insert_certificate(certificate("N-1", "k1"), {}));
  }
  {
    // As a future certd (or a hand edit) might leave it.
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA ignore_check_constraints = ON");
    db.exec("UPDATE certificates SET status = 'archived'");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  auto row = (*store)->certificate_by_number("N-1");
  ASSERT_FALSE(row);
  EXPECT_EQ(row.error().code(), ErrorCode::parse_error);
  EXPECT_NE(row.error().message().find("'archived'"), std::string::npos) << row.error().message();
  EXPECT_FALSE((*store)->recent_certificates(10));
  EXPECT_FALSE((*store)->certificates_for_student(certificate("N-1", "k1").student_id));
}

TEST_P(StoreTest, QuotaCountsByIssueTime) {
  auto c = certificate("N-1", "k1");
  ASSERT_OK(store().insert_certificate(c, {}));
  c = certificate("N-2", "k2");
  c.issued_at = 5000;
  ASSERT_OK(store().insert_certificate(c, {}));
  EXPECT_EQ(*store().count_certificates_issued(0, 5000), 1);
  EXPECT_EQ(*store().count_certificates_issued(0, 5001), 2);
}

TEST_P(StoreTest, StateAndBatches) {
  EXPECT_FALSE(*store().get_state("cursor"));
  ASSERT_OK(store().set_state("cursor", "1"));
  ASSERT_OK(store().set_state("cursor", "2"));
  EXPECT_EQ(**store().get_state("cursor"), "2");
  auto id = store().create_batch({"list.csv", "award", "cli", 3, 7}, {});
  ASSERT_OK(id);
  ASSERT_OK(store().update_batch(*id, 2, 1, "done", 9));
  auto batch = *store().batch(*id);
  EXPECT_EQ(batch->done, 2);
  EXPECT_EQ(batch->status, "done");
  EXPECT_EQ(store().update_batch(999, 0, 0, "done", 1).error().code(), ErrorCode::not_found);
  ASSERT_OK(store().record_verification({"N-1", "valid", "web", 1}));
  ASSERT_OK(store().append_audit({"teacher", "revoke", "N-1", "typo", 1}));
}

TEST_P(StoreTest, TextWithQuotesIsStoredVerbatim) {
  std::string tricky = "O'Brien\"); DROP TABLE certificates; --";
  auto c = certificate("N-1", "k1");
  c.student_name = tricky;
  ASSERT_OK(store().insert_certificate(c, {}));
  EXPECT_EQ((*store().certificate_by_number("N-1"))->certificate.student_name, tricky);
}

// Grade and skills come back from every call that reads a certificate,
// whichever call wrote it; a skill name may hold commas, newlines, quotes.
TEST_P(StoreTest, CertificateKeepsItsGradeAndSkillsInEveryRead) {
  const std::vector<std::string> skills = {"Backstroke, 25m", "Treading water\n1 min", "Say \"dive\"; swim \\ [x]"};
  auto single = certificate("N-1", "k1");
  single.grade = "91%";
  single.skills = skills;
  ASSERT_OK(store().insert_certificate(single, {}));
  auto grouped = certificate("N-2", "k2");
  grouped.grade = "Merit";
  grouped.skills = {skills[1]};
  auto none = certificate("N-3", "k3");
  ASSERT_OK(store().insert_certificates({{grouped, {}}, {none, {}}}));

  auto check = [&](const CertificateRow& row) {
    const NewCertificate& c = row.certificate;
    if (c.number == "N-1") {
      EXPECT_EQ(c.grade, "91%");
      EXPECT_EQ(c.skills, skills);
    } else if (c.number == "N-2") {
      EXPECT_EQ(c.grade, "Merit");
      EXPECT_EQ(c.skills, std::vector<std::string>{skills[1]});
    } else {
      EXPECT_EQ(c.grade, "");
      EXPECT_TRUE(c.skills.empty());
    }
  };
  for (const char* number : {"N-1", "N-2", "N-3"}) check(**store().certificate_by_number(number));
  for (const char* key : {"k1", "k2", "k3"}) check(**store().certificate_by_key(key));
  auto of_student = store().certificates_for_student("42");
  ASSERT_OK(of_student);
  ASSERT_EQ(of_student->size(), 3u);
  for (const CertificateRow& row : *of_student) check(row);
  auto of_family = store().certificates_by_claim_token("claim-N-1");
  ASSERT_OK(of_family);
  ASSERT_EQ(of_family->size(), 1u);
  check(of_family->front());
  auto recent = store().recent_certificates(10);
  ASSERT_OK(recent);
  ASSERT_EQ(recent->size(), 3u);
  for (const CertificateRow& row : *recent) check(row);
}

}  // namespace
}  // namespace certd::store

namespace certd::store {
namespace {

TEST_P(StoreTest, FamilyOpeningTheirPageClaimsOnlyTheirSentEmails) {
  auto a = certificate("N-1", "k1");
  a.claim_token = "family-a";
  auto b = certificate("N-2", "k2");
  b.claim_token = "family-b";
  auto id_a = store().insert_certificate(a, {});
  auto id_b = store().insert_certificate(b, {});
  ASSERT_OK(id_a);
  ASSERT_OK(id_b);
  auto n_a = store().add_notification({id_a->id, "mum@a.example", "guardian", std::nullopt});
  auto n_b = store().add_notification({id_b->id, "dad@b.example", "guardian", std::nullopt});
  ASSERT_OK(n_a);
  ASSERT_OK(n_b);
  EXPECT_FALSE(store().add_notification({id_a->id, "mum@a.example", "guardian", std::nullopt})->created);
  ASSERT_OK(store().set_notification_status(n_a->id, "sent", "250 ok", 5));
  ASSERT_OK(store().set_notification_status(n_b->id, "sent", "250 ok", 5));
  ASSERT_OK(store().mark_claimed("family-a", 9));
  auto family = store().certificates_by_claim_token("family-a");
  ASSERT_OK(family);
  ASSERT_EQ(family->size(), 1u);
  EXPECT_EQ((*family)[0].certificate.number, "N-1");
}

}  // namespace
}  // namespace certd::store

namespace certd::store {
namespace {

TEST_P(StoreTest, RestartTakesBackLeasesButNotBackoffs) {
  ASSERT_OK(store().enqueue({"email", "mail:leased", "{}"}, std::nullopt, 100));
  ASSERT_OK(store().enqueue({"email", "mail:backoff", "{}"}, std::nullopt, 100));
  auto claimed = store().claim_due(100, 400, 10, "worker-1");
  ASSERT_OK(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  ASSERT_OK(store().fail_outbox((*claimed)[1].id, "timeout", 900, 101));
  // The process dies holding the first lease; the restart takes it back.
  EXPECT_EQ(*store().release_claims(102, "worker-1"), 1);
  auto again = store().claim_due(102, 500, 10, "worker-2");
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].item.dedupe_key, "mail:leased");
  EXPECT_EQ((*again)[0].attempts, 2);
}

}  // namespace
}  // namespace certd::store

namespace certd::store {
namespace {

TEST_P(StoreTest, GroupInsertIsOneTransactionAndKeepsIdempotency) {
  ASSERT_OK(store().insert_certificate(certificate("N-0", "k0"), {}));
  std::vector<CertificateWithOutbox> group = {
      {certificate("N-1", "k1"), {{"email", "mail:1", "{}"}}},
      {certificate("N-X", "k0"), {{"email", "mail:x", "{}"}}},  // already issued under k0
      {certificate("N-2", "k2"), {{"email", "mail:2", "{}"}}},
  };
  auto inserted = store().insert_certificates(group);
  ASSERT_OK(inserted);
  ASSERT_EQ(inserted->size(), 3u);
  EXPECT_TRUE((*inserted)[0].created);
  EXPECT_FALSE((*inserted)[1].created);
  EXPECT_TRUE((*inserted)[2].created);
  EXPECT_EQ(store().outbox_with_status(store::OutboxStatus::queued)->size(), 2u);

  group.push_back({certificate("N-1", "k9"), {}});  // duplicate number: the whole group rolls back
  group[0].certificate.idempotency_key = "k5";
  EXPECT_EQ(store().insert_certificates(group).error().code(), ErrorCode::conflict);
  EXPECT_FALSE(*store().certificate_by_key("k5"));
}

TEST_P(StoreTest, CancelledBatchRevokesWhatItIssuedAndStopsItsMail) {
  auto batch = store().create_batch({"list.csv", "award", "cli", 3, 7},
                                   {{2, "1", "Ann", "FA-101", std::nullopt, "", "", "", ""},
                                    {3, "2", "Bob", "FA-101", 2000000000, "hi", "", "", ""},
                                    {4, "3", "Cy", "FA-101", std::nullopt, "", "", "", ""}});
  ASSERT_OK(batch);
  auto queued = store().batch_items(*batch, "queued", 10);
  ASSERT_OK(queued);
  ASSERT_EQ(queued->size(), 3u);
  EXPECT_EQ((*queued)[1].item.notes, "hi");
  auto c = certificate("N-1", "batch:1|student:1");
  c.batch_id = *batch;
  auto issued = store().insert_certificate(c, {{"email", "mail:N-1", "{}"}});
  ASSERT_OK(issued);
  ASSERT_OK(store().set_batch_item((*queued)[0].id, "issued", "", issued->id));
  auto revoked = store().cancel_batch(*batch, "batch cancelled", 50);
  ASSERT_OK(revoked);
  EXPECT_EQ(*revoked, 1);
  EXPECT_EQ((*store().certificate_by_number("N-1"))->status, CertificateStatus::revoked);
  EXPECT_TRUE(store().batch_items(*batch, "queued", 10)->empty());
  EXPECT_EQ(store().batch_items(*batch, "cancelled", 10)->size(), 2u);
  auto progress = store().batch_progress(*batch);
  ASSERT_OK(progress);
  EXPECT_EQ(progress->issued, 1);
  EXPECT_EQ(progress->cancelled, 2);
  EXPECT_EQ(progress->queued, 0);
  EXPECT_TRUE(store().outbox_with_status(store::OutboxStatus::queued)->empty());
  EXPECT_EQ((*store().batch(*batch))->status, "cancelled");
  EXPECT_EQ(store().batches()->size(), 1u);
}

}  // namespace
}  // namespace certd::store

namespace certd::store {
namespace {

// Issue 12: a re-import finds its rows by content, and a row's key is
// taken once across all batches.
TEST_P(StoreTest, BatchRowsAreFoundByTheirContentDigestWithWhereTheyStand) {
  auto first = store().create_batch({"a.csv", "award", "cli", 2, 7},
                                   {{2, "1", "Ann", "FA-101", std::nullopt, "", "batch:award:d1|student:1", "d1", ""},
                                    {3, "2", "Bob", "FA-101", std::nullopt, "", "batch:award:d2|student:2", "d2", ""}});
  ASSERT_OK(first);
  auto rows = store().batch_items(*first, "queued", 10);
  ASSERT_OK(rows);
  ASSERT_OK(store().set_batch_item((*rows)[1].id, "failed", "no font", std::nullopt));
  EXPECT_EQ((*rows)[0].item.key, "batch:award:d1|student:1");
  EXPECT_EQ((*rows)[0].item.digest, "d1");

  auto found = store().batch_items_by_digest({"d2", "d3", "d1"});

  ASSERT_OK(found);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].digest, "d2");
  EXPECT_EQ((*found)[0].status, "failed");
  EXPECT_EQ((*found)[1].digest, "d1");
  EXPECT_EQ((*found)[1].batch_id, *first);
  EXPECT_EQ((*found)[1].batch_status, "running");
  EXPECT_EQ((*found)[1].status, "queued");
}

// A CSV row with a title of its own (and maybe no course) keeps it until
// it is issued, so its certificate is called by it.
TEST_P(StoreTest, ABatchRowKeepsItsTitle) {
  auto batch = store().create_batch(
      {"awards.csv", "award", "cli", 2, 7},
      {{2, "1", "Ann", "", std::nullopt, "", "batch:award:d1|student:1", "d1", "Lifesaver of the year"},
       {3, "2", "Bob", "FA-101", std::nullopt, "", "batch:award:d2|student:2", "d2", ""}});
  ASSERT_OK(batch);

  auto rows = store().batch_items(*batch, "queued", 10);

  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].item.title, "Lifesaver of the year");
  EXPECT_EQ((*rows)[0].item.course, "");
  EXPECT_EQ((*rows)[1].item.title, "");
  EXPECT_EQ((*rows)[1].item.course, "FA-101");
}

TEST_P(StoreTest, ABatchRowKeyIsTakenOnceAndAConflictStoresNothing) {
  ASSERT_OK(store().create_batch({"a.csv", "award", "cli", 1, 7},
                                {{2, "1", "Ann", "FA-101", std::nullopt, "", "batch:award:d1|student:1", "d1", ""}}));

  auto second = store().create_batch({"a.csv", "award", "cli", 2, 8},
                                    {{2, "2", "Bob", "FA-101", std::nullopt, "", "batch:award:d2|student:2", "d2", ""},
                                     {3, "1", "Ann", "FA-101", std::nullopt, "", "batch:award:d1|student:1", "d1", ""}});

  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::conflict);
  EXPECT_EQ(store().batches()->size(), 1u) << "the whole batch rolled back";
  EXPECT_TRUE(store().batch_items_by_digest({"d2"})->empty());
  auto keyless = store().create_batch({"old.csv", "award", "cli", 2, 9},
                                     {{2, "1", "Ann", "FA-101", std::nullopt, "", "", "", ""},
                                      {3, "1", "Ann", "FA-101", std::nullopt, "", "", "", ""}});
  EXPECT_TRUE(keyless) << "rows without a key (older imports) never conflict";
}

TEST_P(StoreTest, ResendsAreCountedUpToTheLimit) {
  auto issued = store().insert_certificate(certificate("N-1", "k1"), {});
  ASSERT_OK(issued);
  auto n = store().add_notification({issued->id, "mum@a.example", "guardian", std::nullopt});
  ASSERT_OK(n);
  for (int i = 0; i < 3; ++i) ASSERT_OK(store().count_resend(n->id, 3));
  EXPECT_EQ(store().count_resend(n->id, 3).error().code(), ErrorCode::conflict);
  auto rows = store().notifications(issued->id, std::nullopt);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].number, "N-1");
  EXPECT_EQ((*rows)[0].resend_count, 3);
  EXPECT_TRUE(store().notifications(std::nullopt, 77)->empty());
  EXPECT_EQ(store().recent_certificates(10)->size(), 1u);
  ASSERT_OK(store().record_verification({"N-1", "valid", "web", 5}));
  EXPECT_EQ((*store().recent_verifications(10))[0].result, "valid");
}

}  // namespace
}  // namespace certd::store

namespace certd::store {
namespace {

unsigned mode_of(const std::string& path) {
  return static_cast<unsigned>(std::filesystem::status(path).permissions() & std::filesystem::perms::all);
}

// Claim tokens and e-mail addresses: the database and its WAL are never
// readable by others, whatever the umask, and an old readable file is fixed.
TEST(SqliteStore, TheDatabaseAndItsWalArePrivate) {
  TempDir dir;
  mode_t before = ::umask(022);
  std::string fresh = dir.file("fresh.sqlite");
  {
    auto store = open_sqlite_store(fresh);
    ASSERT_TRUE(store);
    ASSERT_OK((*store)->set_state("k", "v"));
    EXPECT_EQ(mode_of(fresh), 0600u);
    EXPECT_EQ(mode_of(fresh + "-wal"), 0600u);
  }
  std::string old = dir.file("old.sqlite");
  {
    auto store = open_sqlite_store(old);
    ASSERT_TRUE(store);
  }
  ::chmod(old.c_str(), 0644);
  auto reopened = open_sqlite_store(old);
  ::umask(before);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(mode_of(old), 0600u);
}

}  // namespace
}  // namespace certd::store

namespace certd::store {
namespace {

// /metrics reads these groups at each scrape: counted by their columns,
// in the same order on every backend.
TEST_P(StoreTest, FiguresCountCertificatesEventsAndOutboxByTheirColumns) {
  auto a = certificate("N-1", "k1");
  auto b = certificate("N-2", "k2");
  auto c = certificate("N-3", "k3");
  c.rule_id = "first-aid";
  c.kind = "forced";
  ASSERT_OK(store().insert_certificate(a, {{"email", "mail:1", "{}"}, {"lms.note", "note:1", "{}"}}));
  ASSERT_OK(store().insert_certificate(b, {{"email", "mail:2", "{}"}}));
  ASSERT_OK(store().insert_certificate(c, {}));
  auto e1 = store().record_event({"moodle", "e1", "lms.change", "{}", 1});
  ASSERT_OK(e1);
  ASSERT_OK(store().record_event({"moodle", "e2", "lms.change", "{}", 1}));
  ASSERT_OK(store().fail_event(e1->id, "no font", std::nullopt));
  auto due = store().claim_due(1'000'000'000, 1'000'000'300, 1);
  ASSERT_OK(due);
  ASSERT_OK(store().complete_outbox((*due)[0].id, 1'000'000'000));

  auto figures = store().figures();
  ASSERT_OK(figures);
  auto flat = [](const std::vector<GroupCount>& groups) {
    std::vector<std::string> out;
    for (const GroupCount& g : groups) {
      std::string line;
      for (const std::string& v : g.values) line += v + "|";
      out.push_back(line + std::to_string(g.count));
    }
    return out;
  };
  EXPECT_EQ(flat(figures->certificates), (std::vector<std::string>{"first-aid|forced|1", "swim-level-3|automatic|2"}));
  EXPECT_EQ(flat(figures->events), (std::vector<std::string>{"failed|1", "new|1"}));
  EXPECT_EQ(flat(figures->outbox), (std::vector<std::string>{"email|done|1", "email|queued|1", "lms.note|queued|1"}));
}

}  // namespace
}  // namespace certd::store
