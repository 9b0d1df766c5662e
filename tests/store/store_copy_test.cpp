// migrate-store's copy (store/store_copy.hpp): a SQLite store with rows in
// every table goes into an empty PostgreSQL database and reads back the
// same through the Store API; anything short of that leaves the target
// empty.
#include "store/store_copy.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "store/postgres_cluster.hpp"
#include "store/postgres_store.hpp"
#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

constexpr std::int64_t k_now = 1'700'000'000;

const std::vector<std::string> k_state_keys = {"moodle.cursor", "odd\tkey"};
const std::vector<std::string> k_session_hashes = {"hash-lti", "hash-local"};
const std::vector<std::string> k_local_user_names = {"ada", "tom"};
const std::string k_lti_state = "state-1";

// Text that a copy must keep byte for byte.
const std::string k_awkward = "Zoë \"O'Brien\"\ttab\nline\\back\\\\slash \\N, {x} €";

NewCertificate certificate(const std::string& number, const std::string& student) {
  NewCertificate c;
  c.number = number;
  c.idempotency_key = "key-" + number;
  c.rule_id = "swim";
  c.template_id = "swim-level";
  c.student_id = student;
  c.student_name = k_awkward;
  c.course = "Swimming";
  c.title = "Swimming, level 2";
  c.kind = "automatic";
  c.requested_by = "rules";
  c.teacher = "Ms Fin";
  c.notes = "first try";
  c.payload = R"({"number":")" + number + R"(","name":"Zoë"})";
  c.signature = "c2lnbmF0dXJl";
  c.pdf_path = "pdf/" + number + ".pdf";
  c.issued_at = k_now - 100;
  c.claim_token = "claim-" + student;
  c.grade = "A";
  c.skills = {"breaststroke", k_awkward, ""};
  return c;
}

// Fills `store` with rows in every table, through the Store API only.
void fill(Store& store) {
  // Events: processed, failed (and due again later), new.
  auto e1 = store.record_event({"moodle-poll", "completion-1", "course_completed", R"({"user":1})", k_now - 500});
  ASSERT_OK(e1);
  ASSERT_OK(store.set_event_status(e1->id, EventStatus::processed, ""));
  auto e2 = store.record_event({"webhook:moodle", "completion-2", "course_completed", k_awkward, k_now - 400});
  ASSERT_OK(e2);
  ASSERT_OK(store.fail_event(e2->id, "template missing", k_now + 60));
  ASSERT_OK(store.record_event({"cli", "issue-3", "issue_now", "{}", k_now - 300}));

  // A batch with rows, one of them issued.
  NewBatch batch{"class-4b.csv", "swim-level", "ada", 3, k_now - 200};
  std::vector<NewBatchItem> items = {
      {2, "s-10", "Ann Lee", "Swimming", std::nullopt, "", "key-row-2", "digest-2", "Diving"},
      {3, "s-11", k_awkward, "Swimming", k_now + 86400, "late", "key-row-3", "digest-3", ""},
      {4, "s-12", "Bo Chen", "Swimming", std::nullopt, "", "", "", ""},
  };
  auto batch_id = store.create_batch(batch, items);
  ASSERT_OK(batch_id);

  // Certificates with outbox items; one of the batch, one revoked.
  auto c1 = store.insert_certificate(certificate("C-1", "s-1"),
                                     {{"email", "mail-C-1-student", R"({"to":"s1@example.org"})"},
                                      {"lms.note", "note-C-1", "{}"}});
  ASSERT_OK(c1);
  NewCertificate in_batch = certificate("C-2", "s-10");
  in_batch.kind = "batch";
  in_batch.batch_id = *batch_id;
  in_batch.expires_at = k_now + 365 * 86400;
  in_batch.skills = {};
  auto group = store.insert_certificates({{in_batch, {{"email", "mail-C-2", "{}"}}}});
  ASSERT_OK(group);
  Id c2 = (*group)[0].id;
  NewCertificate adhoc = certificate("C-3", "s-2");
  adhoc.kind = "adhoc";
  adhoc.rule_id = "";
  ASSERT_OK(store.insert_certificate(adhoc, {}));
  ASSERT_OK(store.revoke_certificate("C-3", RevocationCategory::issued_in_error, "wrong student", k_now - 50));

  auto rows = store.batch_items(*batch_id, "queued", 10);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 3u);
  ASSERT_OK(store.set_batch_item((*rows)[0].id, "issued", "", c2));
  ASSERT_OK(store.set_batch_item((*rows)[1].id, "failed", "no such course", std::nullopt));
  ASSERT_OK(store.update_batch(*batch_id, 1, 1, "running", std::nullopt));

  // The outbox: one claimed, one done, one retrying, one given up, one
  // without a certificate.
  auto standalone = store.enqueue({"lms.message", "message-1", R"({"text":"hi"})"}, std::nullopt, k_now - 10);
  ASSERT_OK(standalone);
  auto claimed = store.claim_due(k_now, k_now + 300, 10, "worker-1");
  ASSERT_OK(claimed);
  ASSERT_GE(claimed->size(), 4u);
  ASSERT_OK(store.complete_outbox((*claimed)[0].id, k_now));
  ASSERT_OK(store.fail_outbox((*claimed)[1].id, "timeout", k_now + 120, k_now));
  ASSERT_OK(store.fail_outbox((*claimed)[2].id, "rejected", std::nullopt, k_now));

  // Pending: approved, held, waiting for the quota.
  NewPending p{"pending-1", "swim", "s-5", "Eve", "Swimming", "needs approval", R"({"score":3})", k_now - 90,
               PendingWait::approval};
  auto p1 = store.add_pending(p);
  ASSERT_OK(p1);
  ASSERT_OK(store.decide_pending(p1->id, PendingStatus::approved, "ok", "tom", k_now - 80));
  p.idempotency_key = "pending-2";
  auto p2 = store.add_pending(p);
  ASSERT_OK(p2);
  ASSERT_OK(store.decide_pending(p2->id, PendingStatus::held, "ask parents", "tom", k_now - 70));
  p.idempotency_key = "pending-3";
  p.waits_for = PendingWait::quota;
  ASSERT_OK(store.add_pending(p));

  // Notifications: one sent, resent and claimed; one queued.
  auto n1 = store.add_notification({c1->id, "s1@example.org", "student", (*claimed)[0].id});
  ASSERT_OK(n1);
  ASSERT_OK(store.set_notification_status(n1->id, "sent", "250 OK", k_now - 5));
  ASSERT_OK(store.count_resend(n1->id, 5));
  ASSERT_OK(store.mark_claimed("claim-s-1", k_now - 1));
  ASSERT_OK(store.add_notification({c1->id, "parent@example.org", "guardian", std::nullopt}));

  ASSERT_OK(store.record_verification({"C-1", "valid", "web", k_now - 3}));
  ASSERT_OK(store.record_verification({"C-404", "unknown", "json", k_now - 2}));
  ASSERT_OK(store.append_audit({"ada", "revoke", "C-3", k_awkward, k_now - 50}));
  ASSERT_OK(store.append_audit({"tom", "approve", "pending-1", "{}", k_now - 80}));
  ASSERT_OK(store.set_state(k_state_keys[0], "12345"));
  ASSERT_OK(store.set_state(k_state_keys[1], k_awkward));

  // The console: a login in flight, sessions, accounts, API tokens.
  ASSERT_OK(store.put_lti_state({k_lti_state, "nonce-1", "https://moodle.example.org", "client-1",
                                 "https://certd.example.org/lti", k_now - 10, k_now + 600},
                                k_now, 100));
  ASSERT_OK(store.create_session({k_session_hashes[0], SessionKind::lti, "iss|sub-1", "Tom Teacher", Role::teacher,
                                  {"swim-4b", k_awkward}, R"({"iss":"moodle"})", "csrf-1", k_now - 100, k_now - 100,
                                  k_now + 3600, k_now + 86400}));
  ASSERT_OK(store.touch_session(k_session_hashes[0], k_now - 20, k_now + 3000));
  ASSERT_OK(store.create_session({k_session_hashes[1], SessionKind::local, "ada", "Ada", Role::admin, {}, "{}",
                                  "csrf-2", k_now - 50, k_now - 50, k_now + 3600, k_now + 86400}));
  ASSERT_OK(store.add_local_user({"ada", Role::admin, {}, "$argon2id$ada", k_now - 1000}));
  ASSERT_OK(store.add_local_user({"tom", Role::teacher, {"swim-4b", "dive-1"}, "$argon2id$tom", k_now - 900}));
  ASSERT_OK(store.set_local_user_disabled("tom", true));
  ASSERT_OK(store.record_login_failure("ada", k_now - 30, 5, 600));
  auto t1 = store.add_api_token({"ada", "token-hash-1", "nightly export", k_now - 800});
  ASSERT_OK(t1);
  ASSERT_OK(store.touch_api_token(*t1, k_now - 15));
  auto t2 = store.add_api_token({"ada", "token-hash-2", "old script", k_now - 700});
  ASSERT_OK(t2);
  ASSERT_OK(store.revoke_api_token(*t2, k_now - 12));
}

std::string text(const std::optional<std::int64_t>& value) { return value ? std::to_string(*value) : "null"; }

std::string text(const std::vector<std::string>& names) {
  std::string joined = "[";
  for (const std::string& name : names) joined += "<" + name + ">";
  return joined + "]";
}

// Everything the Store API reads back (but the LTI state, which a read
// takes away), one line per row, so two stores compare as text.
std::string snapshot(Store& store) {
  std::ostringstream out;
  auto fail = [&](const Error& error) { ADD_FAILURE() << error.to_string(); };

  if (auto events = store.recent_events(std::nullopt, 1000); events) {
    for (const EventRow& e : *events)
      out << "event " << e.id << " " << e.event.source << " " << e.event.source_event_id << " " << e.event.kind
          << " " << e.event.payload << " " << e.event.received_at << " " << to_string(e.status) << " " << e.error
          << " " << e.attempts << " " << text(e.next_attempt_at) << "\n";
  } else {
    fail(events.error());
  }
  for (EventStatus status : {EventStatus::new_, EventStatus::processed, EventStatus::failed})
    out << "events " << to_string(status) << " " << store.count_events(status).value_or(-1) << "\n";

  std::set<std::string> claim_tokens;
  if (auto certificates = store.recent_certificates(1000); certificates) {
    for (const CertificateRow& row : *certificates) {
      const NewCertificate& c = row.certificate;
      claim_tokens.insert(c.claim_token);
      out << "certificate " << row.id << " " << c.number << " " << c.idempotency_key << " " << c.rule_id << " "
          << c.template_id << " " << c.student_id << " " << c.student_name << " " << c.course << " " << c.title << " "
          << c.kind << " " << c.requested_by << " " << c.teacher << " " << c.notes << " " << c.payload << " "
          << c.signature << " " << c.pdf_path << " " << c.issued_at << " " << text(c.expires_at) << " "
          << text(c.batch_id) << " " << c.claim_token << " " << c.grade << " " << text(c.skills) << " "
          << to_string(row.status) << " " << text(row.revoked_at) << " " << row.revoke_reason << " "
          << (row.revoke_category ? to_string(*row.revoke_category) : "none") << "\n";
    }
  } else {
    fail(certificates.error());
  }
  for (const std::string& token : claim_tokens)
    if (auto family = store.certificates_by_claim_token(token); family) {
      out << "family " << token << ":";
      for (const CertificateRow& row : *family) out << " " << row.id;
      out << "\n";
    }

  for (OutboxStatus status : {OutboxStatus::queued, OutboxStatus::done, OutboxStatus::failed, OutboxStatus::cancelled})
    if (auto outbox = store.outbox_with_status(status); outbox) {
      for (const OutboxRow& o : *outbox)
        out << "outbox " << o.id << " " << text(o.certificate_id) << " " << o.item.kind << " " << o.item.dedupe_key
            << " " << o.item.payload << " " << to_string(o.status) << " " << o.attempts << " " << o.next_attempt_at
            << " " << o.last_error << "\n";
    } else {
      fail(outbox.error());
    }
  if (auto counts = store.count_outbox(); counts)
    out << "outbox counts " << counts->queued << " " << counts->retrying << " " << counts->failed << "\n";

  for (PendingStatus status : {PendingStatus::pending, PendingStatus::held, PendingStatus::approved})
    if (auto pending = store.pending_with_status(status); pending) {
      for (const PendingRow& p : *pending)
        out << "pending " << p.id << " " << p.pending.idempotency_key << " " << p.pending.rule_id << " "
            << p.pending.student_id << " " << p.pending.student_name << " " << p.pending.course << " "
            << p.pending.reason << " " << p.pending.facts << " " << p.pending.created_at << " "
            << to_string(p.pending.waits_for) << " " << to_string(p.status) << " " << p.notes << " "
            << p.decided_by << " " << text(p.decided_at) << "\n";
    } else {
      fail(pending.error());
    }
  if (auto counts = store.count_pending(); counts)
    out << "pending counts " << counts->approval << " " << counts->quota << " " << counts->held << "\n";

  std::vector<std::string> digests;
  if (auto batches = store.batches(); batches) {
    for (const BatchRow& b : *batches) {
      out << "batch " << b.id << " " << b.batch.file_name << " " << b.batch.template_id << " " << b.batch.created_by
          << " " << b.batch.total << " " << b.batch.created_at << " " << b.done << " " << b.failed << " " << b.status
          << " " << text(b.finished_at) << "\n";
      for (const char* status : {"queued", "issued", "failed", "cancelled"})
        if (auto items = store.batch_items(b.id, status, 1000); items) {
          for (const BatchItemRow& i : *items) {
            digests.push_back(i.item.digest);
            out << "batch row " << i.id << " " << i.batch_id << " " << i.item.line << " " << i.item.student << " "
                << i.item.name << " " << i.item.course << " " << text(i.item.expires_at) << " " << i.item.notes
                << " " << i.item.key << " " << i.item.digest << " " << i.item.title << " " << i.status << " "
                << i.error << "\n";
          }
        } else {
          fail(items.error());
        }
      if (auto progress = store.batch_progress(b.id); progress)
        out << "progress " << progress->queued << " " << progress->issued << " " << progress->failed << " "
            << progress->cancelled << "\n";
    }
  } else {
    fail(batches.error());
  }
  if (auto matches = store.batch_items_by_digest(digests); matches)
    for (const BatchDigestMatch& m : *matches)
      out << "digest " << m.digest << " " << m.batch_id << " " << m.batch_status << " " << m.item_id << " " << m.status
          << "\n";

  if (auto notifications = store.notifications(std::nullopt, std::nullopt); notifications) {
    for (const NotificationRow& n : *notifications)
      out << "notification " << n.id << " " << n.certificate_id << " " << n.number << " " << text(n.batch_id) << " "
          << n.recipient << " " << n.role << " " << n.status << " " << n.server_reply << " " << n.resend_count << " "
          << text(n.sent_at) << " " << text(n.claimed_at) << "\n";
  } else {
    fail(notifications.error());
  }
  if (auto verifications = store.recent_verifications(1000); verifications)
    for (const VerificationRow& v : *verifications)
      out << "verification " << v.id << " " << v.number << " " << v.result << " " << v.via << " " << v.at << "\n";
  if (auto audit = store.recent_audit(1000); audit)
    for (const AuditRow& a : *audit)
      out << "audit " << a.id << " " << a.entry.actor << " " << a.entry.action << " " << a.entry.subject << " "
          << a.entry.details << " " << a.entry.at << "\n";
  for (const std::string& key : k_state_keys)
    if (auto value = store.get_state(key); value) out << "state " << key << " " << value->value_or("none") << "\n";

  for (const std::string& hash : k_session_hashes)
    if (auto session = store.session_by_hash(hash, k_now); session && *session) {
      const SessionRow& s = **session;
      out << "session " << s.token_hash << " " << to_string(s.kind) << " " << s.user_key << " " << s.display_name
          << " " << to_string(s.role) << " " << text(s.courses) << " " << s.identity << " " << s.csrf_token << " "
          << s.created_at << " " << s.last_seen_at << " " << s.idle_expires_at << " " << s.expires_at << "\n";
    } else {
      out << "session " << hash << " missing\n";
    }
  if (auto users = store.local_users(); users)
    for (const LocalUserRow& u : *users)
      out << "local user " << u.user.name << " " << to_string(u.user.role) << " " << text(u.user.courses) << " "
          << u.user.password_hash << " " << u.user.created_at << " " << u.disabled << " " << u.failed_logins << " "
          << u.locked_until << "\n";
  if (auto tokens = store.api_tokens(""); tokens)
    for (const ApiTokenRow& t : *tokens)
      out << "api token " << t.id << " " << t.token.user_name << " " << t.token.token_hash << " " << t.token.label
          << " " << t.token.created_at << " " << text(t.last_used_at) << " " << text(t.revoked_at) << "\n";

  if (auto figures = store.figures(); figures) {
    for (const auto* group : {&figures->certificates, &figures->events, &figures->outbox})
      for (const GroupCount& g : *group) out << "figure " << text(g.values) << " " << g.count << "\n";
  } else {
    fail(figures.error());
  }
  return out.str();
}

class StoreCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (postgres_skipped()) GTEST_SKIP() << "CERTD_NO_POSTGRES=1: the PostgreSQL tests are skipped";
    m_dir = std::make_unique<TempDir>();
    auto database = ScratchDatabase::create();
    ASSERT_TRUE(database) << database.error().to_string();
    m_database = std::move(*database);
  }

  std::string sqlite_path() const { return m_dir->file("certd.db"); }
  const std::string& url() const { return m_database->url(); }

  std::unique_ptr<Store> open_sqlite() {
    auto opened = open_sqlite_store(sqlite_path());
    EXPECT_TRUE(opened) << opened.error().to_string();
    return opened ? std::move(*opened) : nullptr;
  }

  std::unique_ptr<Store> open_target() {
    auto opened = open_postgres_store(url());
    EXPECT_TRUE(opened) << opened.error().to_string();
    return opened ? std::move(*opened) : nullptr;
  }

  // A SQLite store with rows in every table.
  void fill_source() {
    {
      auto source = open_sqlite();
      ASSERT_TRUE(source);
      fill(*source);
    }
    // A gap in local_users' rowids (their ids), as a deleted account would
    // leave, so an id PostgreSQL made up would differ from the copied one.
    SQLite::Database db(sqlite_path(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE local_users SET rowid = 7 WHERE name = 'tom'");
  }

  // Reaches past the store, as an operator would.
  pqxx::result sql(const std::string& statement) {
    pqxx::connection db(url());
    return pqxx::nontransaction(db).exec(statement);
  }

  // The tables of PostgreSQL's schema, as the catalog lists them.
  std::vector<std::string> target_tables() {
    std::vector<std::string> tables;
    for (const pqxx::row& r : sql("SELECT table_name::text FROM information_schema.tables WHERE table_schema = "
                                  "'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' "
                                  "ORDER BY 1"))
      tables.push_back(r[0].c_str());
    return tables;
  }

  // Rows per table in the target (no tables yet: empty).
  std::map<std::string, std::int64_t> target_counts() {
    std::map<std::string, std::int64_t> counts;
    for (const std::string& table : target_tables())
      counts[table] = sql("SELECT count(*) FROM " + table)[0][0].as<std::int64_t>();
    return counts;
  }

  void expect_target_empty() {
    for (const auto& [table, rows] : target_counts()) EXPECT_EQ(rows, 0) << table;
  }

  void set_sqlite_version(int version) {
    SQLite::Database db(sqlite_path(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = " + std::to_string(version));
  }

 private:
  std::unique_ptr<TempDir> m_dir;
  std::unique_ptr<ScratchDatabase> m_database;
};

TEST_F(StoreCopy, EverythingReadsBackTheSameWithTheSameIds) {
  fill_source();
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_OK(copied);

  auto source = open_sqlite();
  auto target = open_target();
  ASSERT_TRUE(source && target);
  std::string expected = snapshot(*source);
  EXPECT_EQ(snapshot(*target), expected);
  EXPECT_NE(expected.find("certificate 1 C-1"), std::string::npos) << expected;  // the snapshot saw the rows

  // What the snapshot cannot read without changing it: the login state,
  // and the local users' ids (the existing account's id comes back).
  auto state_there = target->take_lti_state(k_lti_state, k_now);
  ASSERT_OK(state_there);
  auto state_here = source->take_lti_state(k_lti_state, k_now);
  ASSERT_OK(state_here);
  ASSERT_TRUE(*state_there && *state_here);
  const LtiStateRow& a = **state_there;
  const LtiStateRow& b = **state_here;
  EXPECT_EQ(std::tie(a.state, a.nonce, a.issuer, a.client_id, a.target_link_uri, a.created_at, a.expires_at),
            std::tie(b.state, b.nonce, b.issuer, b.client_id, b.target_link_uri, b.created_at, b.expires_at));
  for (const std::string& name : k_local_user_names) {
    auto there = target->add_local_user({name, Role::teacher, {}, "x", k_now});
    auto here = source->add_local_user({name, Role::teacher, {}, "x", k_now});
    ASSERT_OK(there);
    ASSERT_OK(here);
    EXPECT_FALSE(there->created);
    EXPECT_EQ(there->id, here->id) << name;
  }

  std::int64_t rows = 0;
  for (const auto& [table, count] : copied->tables) rows += count;
  EXPECT_EQ(copied->rows, rows);
}

// A table added to the schema later without rows in fill() fails here,
// so the copy of every table stays tested.
TEST_F(StoreCopy, EveryTableOfTheSchemaReceivesRows) {
  fill_source();
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_OK(copied);
  std::map<std::string, std::int64_t> reported(copied->tables.begin(), copied->tables.end());
  std::map<std::string, std::int64_t> counts = target_counts();
  ASSERT_GE(counts.size(), 14u);
  EXPECT_EQ(reported, counts);
  for (const auto& [table, rows] : counts) EXPECT_GT(rows, 0) << table << " got no rows: give it some in fill()";
}

// Below the Store API too (columns it does not read, such as the outbox's
// claimed_by): each column holds as many values, adding up to the same
// sums and lengths, on both sides.
TEST_F(StoreCopy, EveryColumnHoldsWhatSqliteHeld) {
  fill_source();
  ASSERT_OK(copy_sqlite_to_postgres(sqlite_path(), url()));
  SQLite::Database source(sqlite_path(), SQLite::OPEN_READONLY);
  pqxx::connection target(url());
  pqxx::nontransaction tx(target);
  int columns = 0;
  for (const pqxx::row& r : sql("SELECT table_name::text, column_name::text, data_type::text "
                                "FROM information_schema.columns WHERE table_schema = 'public' "
                                "AND table_name <> 'schema_version'")) {
    std::string table = r[0].c_str(), column = r[1].c_str(), type = r[2].c_str();
    // local_users.id is SQLite's rowid.
    std::string there = column, here = table == "local_users" && column == "id" ? "rowid" : column;
    std::string measure = "count(%)", measure_there;
    if (type == "bigint" || type == "integer") measure += ", coalesce(sum(%), 0)";
    if (type == "text") measure += ", coalesce(sum(length(%)), 0)";
    measure_there = measure;
    if (type == "boolean") {
      measure += ", coalesce(sum(%), 0)";
      measure_there += ", coalesce(sum(%::int), 0)";
    }
    auto with = [&](std::string text, const std::string& name) {
      for (auto at = text.find('%'); at != std::string::npos; at = text.find('%')) text.replace(at, 1, name);
      return text;
    };
    pqxx::row expected_row = tx.exec1("SELECT " + with(measure_there, there) + " FROM " + table);
    SQLite::Statement actual(source, "SELECT " + with(measure, here) + " FROM " + table);
    ASSERT_TRUE(actual.executeStep());
    for (int i = 0; i < actual.getColumnCount(); ++i)
      EXPECT_EQ(actual.getColumn(i).getInt64(), expected_row[i].as<std::int64_t>()) << table << "." << column;
    ++columns;
  }
  EXPECT_GT(columns, 100);
}

TEST_F(StoreCopy, TablesGoParentsFirst) {
  fill_source();
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_OK(copied);
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < copied->tables.size(); ++i) position[copied->tables[i].first] = i;
  auto keys = sql("SELECT child.relname::text, parent.relname::text FROM pg_constraint k "
                  "JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid "
                  "WHERE k.contype = 'f'");
  EXPECT_GE(keys.size(), 7u);
  for (const pqxx::row& key : keys) {
    std::string child = key[0].c_str(), parent = key[1].c_str();
    ASSERT_TRUE(position.count(child) && position.count(parent)) << child << " -> " << parent;
    EXPECT_LT(position[parent], position[child]) << child << " -> " << parent;
  }
}

TEST_F(StoreCopy, TheNextRowsGetFreshIds) {
  fill_source();
  ASSERT_OK(copy_sqlite_to_postgres(sqlite_path(), url()));
  // Every identity sequence stands at its table's largest id.
  for (const pqxx::row& r : sql("SELECT table_name::text, column_name::text FROM information_schema.columns "
                                "WHERE table_schema = 'public' AND is_identity = 'YES'")) {
    std::string table = r[0].c_str(), column = r[1].c_str();
    auto largest = sql("SELECT max(" + column + ") FROM " + table)[0][0].as<std::int64_t>();
    auto last = sql("SELECT pg_sequence_last_value(pg_get_serial_sequence('" + table + "', '" + column +
                    "')::regclass)")[0][0]
                    .as<std::int64_t>();
    EXPECT_EQ(last, largest) << table << "." << column;
  }

  auto source = open_sqlite();
  auto target = open_target();
  ASSERT_TRUE(source && target);
  auto certificates = source->recent_certificates(1000);
  auto events = source->recent_events(std::nullopt, 1000);
  ASSERT_OK(certificates);
  ASSERT_OK(events);
  Id last_certificate = 0, last_event = 0;
  for (const CertificateRow& row : *certificates) last_certificate = std::max(last_certificate, row.id);
  for (const EventRow& row : *events) last_event = std::max(last_event, row.id);

  auto certificate_id = target->insert_certificate(certificate("C-new", "s-99"), {{"email", "mail-C-new", "{}"}});
  ASSERT_OK(certificate_id);
  EXPECT_TRUE(certificate_id->created);
  EXPECT_GT(certificate_id->id, last_certificate);
  auto event_id = target->record_event({"moodle-poll", "completion-new", "course_completed", "{}", k_now});
  ASSERT_OK(event_id);
  EXPECT_TRUE(event_id->created);
  EXPECT_GT(event_id->id, last_event);
  auto user = target->add_local_user({"new-user", Role::teacher, {}, "x", k_now});
  ASSERT_OK(user);
  auto old_user = target->add_local_user({"tom", Role::teacher, {}, "x", k_now});
  ASSERT_OK(old_user);
  EXPECT_TRUE(user->created);
  EXPECT_GT(user->id, old_user->id);
}

TEST_F(StoreCopy, ASecondCopyIsRefusedAndChangesNothing) {
  fill_source();
  ASSERT_OK(copy_sqlite_to_postgres(sqlite_path(), url()));
  auto target = open_target();
  ASSERT_TRUE(target);
  std::string before = snapshot(*target);
  auto counts = target_counts();

  auto again = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::conflict);
  EXPECT_NE(again.error().message().find("is not empty: table "), std::string::npos) << again.error().message();
  EXPECT_NE(again.error().message().find("migrate-store only fills an empty database"), std::string::npos);
  EXPECT_EQ(snapshot(*target), before);
  EXPECT_EQ(target_counts(), counts);
}

TEST_F(StoreCopy, OneRowInAnyTableMakesTheTargetNotEmpty) {
  fill_source();
  {
    auto target = open_target();
    ASSERT_TRUE(target);
    ASSERT_OK(target->set_state("cursor", "1"));
  }
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(copied);
  EXPECT_NE(copied.error().message().find("table state has 1 row;"), std::string::npos) << copied.error().message();
  auto counts = target_counts();
  EXPECT_EQ(counts["state"], 1);
  counts.erase("state");
  for (const auto& [table, rows] : counts) EXPECT_EQ(rows, 0) << table;
}

TEST_F(StoreCopy, ASourceOfAnotherSchemaVersionIsRefused) {
  fill_source();
  for (int version : {current_schema_version() - 1, current_schema_version() + 1}) {
    set_sqlite_version(version);
    auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
    ASSERT_FALSE(copied) << version;
    EXPECT_EQ(copied.error().code(), ErrorCode::invalid_argument);
    EXPECT_NE(copied.error().message().find("has schema version " + std::to_string(version)), std::string::npos)
        << copied.error().message();
    EXPECT_NE(copied.error().message().find(version < current_schema_version() ? "run this certd once on it"
                                                                               : "the certd that wrote it"),
              std::string::npos)
        << copied.error().message();
  }
  // Refused before the target was touched.
  EXPECT_TRUE(target_tables().empty());
}

TEST_F(StoreCopy, ATargetOfANewerSchemaVersionIsRefused) {
  fill_source();
  ASSERT_TRUE(open_target());
  sql("UPDATE schema_version SET version = " + std::to_string(current_schema_version() + 1));
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(copied);
  EXPECT_NE(copied.error().message().find("newer than this certd"), std::string::npos) << copied.error().message();
  expect_target_empty();
}

TEST_F(StoreCopy, AMissingSourceIsRefused) {
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(copied.error().message().find(sqlite_path()), std::string::npos) << copied.error().message();
  EXPECT_NE(copied.error().message().find("does not exist"), std::string::npos) << copied.error().message();
  EXPECT_TRUE(target_tables().empty());
}

TEST_F(StoreCopy, AFileThatIsNotAStoreIsRefused) {
  {
    std::ofstream file(sqlite_path());
    file << "name,course\nAnn,Swimming\n";
  }
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(copied);
  EXPECT_NE(copied.error().message().find(sqlite_path()), std::string::npos) << copied.error().message();
  EXPECT_TRUE(target_tables().empty());
}

// The server refuses a row of the last tables copied: everything copied
// before it in the same transaction is gone too, and the message names
// the table, not the row's values.
TEST_F(StoreCopy, ACopyThatFailsPartWayLeavesTheTargetEmpty) {
  fill_source();
  ASSERT_TRUE(open_target());
  sql("ALTER TABLE notifications ADD CONSTRAINT copy_test_refuses_a_role CHECK (role <> 'guardian')");
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code(), ErrorCode::conflict) << copied.error().to_string();
  const std::string& message = copied.error().message();
  EXPECT_NE(message.find("table notifications, rows with id "), std::string::npos) << message;
  EXPECT_NE(message.find("copy_test_refuses_a_role"), std::string::npos) << message;
  for (const char* value : {"@example.org", "guardian", "Zoë"})
    EXPECT_EQ(message.find(value), std::string::npos) << value << " in: " << message;
  expect_target_empty();
}

// A value SQLite took but PostgreSQL's column cannot hold is found before
// it is sent: the message names table, column and row id, never the value.
TEST_F(StoreCopy, AValueTheColumnCannotHoldIsNamedByTableColumnAndRowId) {
  fill_source();
  {
    SQLite::Database db(sqlite_path(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE events SET received_at = 'yesterday at noon' WHERE id = 2");
  }
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(copied.error().message().find("table events, column received_at, row id 2: "), std::string::npos)
      << copied.error().message();
  EXPECT_EQ(copied.error().message().find("yesterday"), std::string::npos) << copied.error().message();
  expect_target_empty();
}

// How long a school's worth of certificates takes (printed, not asserted).
TEST_F(StoreCopy, TwentyThousandCertificatesInOneCopy) {
  constexpr int k_certificates = 20000;
  {
    auto source = open_sqlite();
    ASSERT_TRUE(source);
    for (int first = 0; first < k_certificates; first += 1000) {
      std::vector<CertificateWithOutbox> group;
      for (int i = first; i < first + 1000; ++i) {
        std::string number = "N-" + std::to_string(i);
        group.push_back({certificate(number, "s-" + std::to_string(i % 700)), {{"email", "mail-" + number, "{}"}}});
      }
      ASSERT_OK(source->insert_certificates(group));
    }
  }
  auto start = std::chrono::steady_clock::now();
  auto copied = copy_sqlite_to_postgres(sqlite_path(), url());
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_OK(copied);
  std::cout << "[ timing   ] copied " << copied->rows << " rows (" << k_certificates
            << " certificates with one outbox item each) in " << seconds << " s\n";
  RecordProperty("copy_seconds", std::to_string(seconds));
  std::map<std::string, std::int64_t> reported(copied->tables.begin(), copied->tables.end());
  EXPECT_EQ(reported["certificates"], k_certificates);
  EXPECT_EQ(reported["outbox"], k_certificates);
  auto target = open_target();
  ASSERT_TRUE(target);
  auto last = target->certificate_by_number("N-" + std::to_string(k_certificates - 1));
  ASSERT_OK(last);
  ASSERT_TRUE(*last);
  EXPECT_EQ((*last)->certificate.skills, certificate("x", "y").skills);
}

}  // namespace
}  // namespace certd::store
