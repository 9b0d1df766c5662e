// What only the PostgreSQL store has to show: its schema's versions, and
// that calls racing from several connections keep the contracts SQLite's
// write lock keeps (store/postgres_store.cpp, at the top). The contracts
// themselves are tested on both backends (store_backends.hpp).
#include "store/postgres_store.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "store/postgres_cluster.hpp"
#include "store/postgres_migrations.hpp"
#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

class PostgresStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (postgres_skipped()) GTEST_SKIP() << "CERTD_NO_POSTGRES=1: the PostgreSQL tests are skipped";
    auto database = ScratchDatabase::create();
    ASSERT_TRUE(database) << database.error().to_string();
    m_database = std::move(*database);
  }

  const std::string& url() const { return m_database->url(); }

  std::unique_ptr<Store> open() {
    auto opened = open_postgres_store(url());
    EXPECT_TRUE(opened) << opened.error().to_string();
    if (!opened) return nullptr;
    return std::move(*opened);
  }

  // Reaches past the store, as an operator or another program might.
  pqxx::result sql(const std::string& statement) {
    pqxx::connection db(url());
    return pqxx::nontransaction(db).exec(statement);
  }

  // Runs `body(store, thread)` on `threads` threads at once, each with its
  // own connection, all released together.
  template <typename Body>
  void race(int threads, Body body) {
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < threads; ++i) {
      stores.push_back(open());
      ASSERT_TRUE(stores.back());
    }
    std::atomic<int> ready{0};
    std::vector<std::thread> running;
    for (int i = 0; i < threads; ++i)
      running.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < threads) std::this_thread::yield();
        body(*stores[i], i);
      });
    for (std::thread& thread : running) thread.join();
  }

 private:
  std::unique_ptr<ScratchDatabase> m_database;
};

NewCertificate certificate(const std::string& number, const std::string& key) {
  NewCertificate c;
  c.number = number;
  c.idempotency_key = key;
  c.template_id = "swim-level";
  c.student_id = "42";
  c.student_name = "Zoë";
  c.kind = "automatic";
  c.payload = "{}";
  c.signature = "sig";
  c.pdf_path = "pdf/" + number + ".pdf";
  c.issued_at = 1000;
  c.claim_token = "claim-42";
  return c;
}

// A schema change added to SQLite's list only would leave PostgreSQL
// databases behind: both lists must end at the same version.
TEST(PostgresMigrations, EndAtTheVersionSqliteEndsAt) {
  const auto& steps = postgres_migration_steps();
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.back().version, current_schema_version());
  for (std::size_t i = 1; i < steps.size(); ++i) EXPECT_LT(steps[i - 1].version, steps[i].version);
}

TEST(PostgresConnection, AServerThatCannotBeReachedIsUnavailable) {
  auto store = open_postgres_store("postgresql:///certd?host=/nonexistent-certd-test-dir&port=1");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::unavailable) << store.error().to_string();
}

TEST_F(PostgresStore, FreshDatabaseGetsTheWholeSchemaAtTheCurrentVersion) {
  ASSERT_TRUE(open());
  EXPECT_EQ(sql("SELECT version FROM schema_version")[0][0].as<int>(), current_schema_version());
  for (const char* table : {"events", "pending", "certificates", "batches", "batch_rows", "outbox", "notifications",
                            "verifications", "audit_log", "state", "lti_states", "sessions", "local_users",
                            "api_tokens"})
    EXPECT_FALSE(sql(std::string("SELECT to_regclass('") + table + "')")[0][0].is_null()) << table;
}

TEST_F(PostgresStore, ReopeningKeepsTheRows) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_OK(store->set_state("cursor", "7"));
  }
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ(**again->get_state("cursor"), "7");
  EXPECT_EQ(sql("SELECT count(*) FROM schema_version")[0][0].as<int>(), 1);
}

TEST_F(PostgresStore, ADatabaseWrittenByANewerCertdIsRefused) {
  ASSERT_TRUE(open());
  sql("UPDATE schema_version SET version = " + std::to_string(current_schema_version() + 1));
  auto store = open_postgres_store(url());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code(), ErrorCode::conflict);
  EXPECT_NE(store.error().message().find("newer than this certd"), std::string::npos) << store.error().message();
}

// Several daemons starting at once on an empty database: the schema is
// created once, and every one of them opens it.
TEST_F(PostgresStore, StoresOpeningAtOnceCreateTheSchemaOnce) {
  constexpr int k_threads = 4;
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < k_threads; ++i)
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < k_threads) std::this_thread::yield();
      if (!open_postgres_store(url())) failures.fetch_add(1);
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sql("SELECT version FROM schema_version")[0][0].as<int>(), current_schema_version());
}

// The server ended the connection (a restart, an administrator): the
// call that finds out is unavailable, a later one connects again.
TEST_F(PostgresStore, ADroppedConnectionIsUnavailableThenConnectsAgain) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->set_state("cursor", "1"));
  sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
      "pid <> pg_backend_pid()");
  auto lost = store->get_state("cursor");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code(), ErrorCode::unavailable) << lost.error().to_string();
  auto again = store->get_state("cursor");
  ASSERT_OK(again);
  EXPECT_EQ(**again, "1");
}

TEST_F(PostgresStore, AStateTheStoreDoesNotKnowIsAnErrorNotADefault) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_OK(store->insert_certificate(certificate("N-1", "k1"), {}));
  // As a future certd (or a hand edit) might leave it.
  sql("ALTER TABLE certificates DROP CONSTRAINT certificates_status_check");
  sql("UPDATE certificates SET status = 'archived'");
  auto row = store->certificate_by_number("N-1");
  ASSERT_FALSE(row);
  EXPECT_EQ(row.error().code(), ErrorCode::parse_error);
  EXPECT_NE(row.error().message().find("'archived'"), std::string::npos) << row.error().message();
  EXPECT_FALSE(store->recent_certificates(10));
}

// Several workers, each with its own connection, claim the outbox at
// once: every item goes to exactly one of them.
TEST_F(PostgresStore, WorkersClaimingAtOnceNeverGetTheSameItem) {
  constexpr int k_items = 200;
  constexpr int k_workers = 4;
  {
    auto store = open();
    ASSERT_TRUE(store);
    for (int i = 0; i < k_items; ++i)
      ASSERT_OK(store->enqueue({"email", "mail:" + std::to_string(i), "{}"}, std::nullopt, 100));
  }
  std::vector<std::vector<Id>> claimed(k_workers);
  std::atomic<int> failures{0};
  race(k_workers, [&](Store& store, int worker) {
    for (;;) {
      auto batch = store.claim_due(100, 10'000, 3, "worker-" + std::to_string(worker));
      if (!batch) {
        failures.fetch_add(1);
        return;
      }
      if (batch->empty()) return;
      for (const OutboxRow& row : *batch) claimed[worker].push_back(row.id);
    }
  });
  EXPECT_EQ(failures.load(), 0);
  std::multiset<Id> all;
  for (const auto& ids : claimed) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(k_items));
  EXPECT_EQ(std::set<Id>(all.begin(), all.end()).size(), all.size()) << "an item was handed out twice";
  EXPECT_EQ(sql("SELECT count(*) FROM outbox WHERE attempts = 1 AND next_attempt_at = 10000")[0][0].as<int>(),
            k_items);
}

// The same event or certificate arriving on several connections at once
// (a webhook and the poller): one row, and every caller gets its id.
TEST_F(PostgresStore, RacingInsertsOfOneKeyMakeOneRow) {
  constexpr int k_threads = 4;
  constexpr int k_rounds = 20;
  std::vector<std::vector<Inserted>> events(k_threads), certificates(k_threads);
  std::atomic<int> failures{0};
  race(k_threads, [&](Store& store, int thread) {
    for (int round = 0; round < k_rounds; ++round) {
      std::string key = std::to_string(round);
      auto event = store.record_event({"moodle", "event-" + key, "course_completed", "{}", 1});
      // Each thread draws its own number, as a retry would.
      auto issued = store.insert_certificate(
          certificate("N-" + key + "-" + std::to_string(thread), "key-" + key), {{"email", "mail:" + key + ":" +
                                                                                               std::to_string(thread),
                                                                                           "{}"}});
      if (!event || !issued) {
        failures.fetch_add(1);
        continue;
      }
      events[thread].push_back(*event);
      certificates[thread].push_back(*issued);
    }
  });
  ASSERT_EQ(failures.load(), 0);
  for (const auto* results : {&events, &certificates})
    for (int round = 0; round < k_rounds; ++round) {
      int created = 0;
      for (int thread = 0; thread < k_threads; ++thread) {
        const Inserted& mine = (*results)[thread][round];
        created += mine.created ? 1 : 0;
        EXPECT_EQ(mine.id, (*results)[0][round].id) << "round " << round;
      }
      EXPECT_EQ(created, 1) << "round " << round;
    }
  EXPECT_EQ(sql("SELECT count(*) FROM certificates")[0][0].as<int>(), k_rounds);
  EXPECT_EQ(sql("SELECT count(*) FROM outbox")[0][0].as<int>(), k_rounds) << "only the created ones queue work";
}

// A batch cancelled while its certificates are being issued: each
// certificate is either revoked with its mail cancelled, or (issued after
// the cancel, as SQLite's store allows too) issued with its mail queued;
// never revoked with mail still going out, nor issued with its mail
// cancelled.
TEST_F(PostgresStore, ACancelRacingIssuesLeavesEachCertificateWholeOneWayOrTheOther) {
  constexpr int k_rounds = 10;
  constexpr int k_per_round = 30;
  auto setup = open();
  ASSERT_TRUE(setup);
  for (int round = 0; round < k_rounds; ++round) {
    auto batch = setup->create_batch({"list.csv", "award", "cli", k_per_round, 1}, {});
    ASSERT_OK(batch);
    std::atomic<int> issued{0};
    std::atomic<int> failures{0};
    race(2, [&](Store& store, int thread) {
      if (thread == 0) {
        // Odd rounds issue in groups of three, as a batch worker does
        // (insert_certificates holds the batch once per transaction).
        const int group = round % 2 == 0 ? 1 : 3;
        for (int i = 0; i < k_per_round; i += group) {
          std::vector<CertificateWithOutbox> entries;
          for (int j = i; j < i + group; ++j) {
            std::string id = std::to_string(round) + "-" + std::to_string(j);
            NewCertificate c = certificate("N-" + id, "key-" + id);
            c.batch_id = *batch;
            entries.push_back({c, {{"email", "mail:" + id, "{}"}}});
          }
          bool stored = group == 1 ? static_cast<bool>(store.insert_certificate(entries[0].certificate,
                                                                                entries[0].outbox))
                                   : static_cast<bool>(store.insert_certificates(entries));
          if (!stored) failures.fetch_add(1);
          issued.fetch_add(group);
        }
      } else {
        while (issued.load() < k_per_round / 2) std::this_thread::yield();
        if (!store.cancel_batch(*batch, "cancelled", 2)) failures.fetch_add(1);
      }
    });
    ASSERT_EQ(failures.load(), 0);
  }
  EXPECT_EQ(sql("SELECT count(*) FROM certificates c JOIN outbox o ON o.certificate_id = c.id WHERE "
                "(c.status = 'revoked') <> (o.status = 'cancelled')")[0][0]
                .as<int>(),
            0);
  EXPECT_GT(sql("SELECT count(*) FROM certificates WHERE status = 'revoked'")[0][0].as<int>(), 0);
}

// Logins on several connections at once never store more states than the
// limit allows.
TEST_F(PostgresStore, RacingLoginsNeverExceedTheLimitOfLiveStates) {
  constexpr int k_threads = 4;
  constexpr int k_per_thread = 10;
  constexpr int k_limit = 7;
  std::atomic<int> stored{0};
  std::atomic<int> failures{0};
  race(k_threads, [&](Store& store, int thread) {
    for (int i = 0; i < k_per_thread; ++i) {
      std::string state = "s" + std::to_string(thread) + "-" + std::to_string(i);
      Status put = store.put_lti_state({state, "n", "iss", "client", "https://x.example", 0, 1000}, 10, k_limit);
      if (put) stored.fetch_add(1);
      else if (put.error().code() != ErrorCode::unavailable) failures.fetch_add(1);
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(stored.load(), k_limit);
  EXPECT_EQ(sql("SELECT count(*) FROM lti_states")[0][0].as<int>(), k_limit);
}

// A failed login counted on two connections at once is counted twice.
TEST_F(PostgresStore, RacingLoginFailuresAreAllCounted) {
  constexpr int k_threads = 4;
  constexpr int k_per_thread = 10;
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_OK(store->add_local_user({"office", Role::teacher, {}, "hash", 1}));
  }
  std::atomic<int> failures{0};
  race(k_threads, [&](Store& store, int) {
    for (int i = 0; i < k_per_thread; ++i)
      if (!store.record_login_failure("office", 5, 1000, 900)) failures.fetch_add(1);
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sql("SELECT failed_logins FROM local_users")[0][0].as<int>(), k_threads * k_per_thread);
}

}  // namespace
}  // namespace certd::store
