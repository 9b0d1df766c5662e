// certd migrate-store: a school that issued on SQLite moves to a scratch
// PostgreSQL database, and every command then works there: the same
// certificates, verify by number, a poll that issues nothing twice.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/run_certd.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/postgres_cluster.hpp"
#include "store/postgres_store.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

class MigrateStore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (store::postgres_skipped()) GTEST_SKIP() << "CERTD_NO_POSTGRES=1";
    auto database = store::ScratchDatabase::create();
    ASSERT_TRUE(database) << database.error().to_string();
    m_database = std::move(*database);
    ::setenv("CERTD_STORE_URL", m_database->url().c_str(), 1);
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = testing::free_port();
    m_school = std::make_unique<testing::SchoolDir>("migrate", "http://127.0.0.1:" + std::to_string(m_lms_port));
    m_lms = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{app::certd_path(), "simulate-lms", "--port", std::to_string(m_lms_port), "--data",
                                 "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    // The same school, its ledger in PostgreSQL.
    std::ifstream in(m_school->config());
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(pg_config()) << text.str() << "store:\n  kind: postgresql\n  url_env: CERTD_STORE_URL\n";
  }

  void TearDown() override {
    m_lms.reset();
    m_school.reset();
    m_database.reset();
    ::unsetenv("CERTD_STORE_URL");
  }

  std::string pg_config() const { return m_school->file("certd-pg.yaml"); }

  std::unique_ptr<store::ScratchDatabase> m_database;
  int m_lms_port = 0;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_lms;
};

std::vector<std::string> numbers_in(store::Store& store) {
  std::vector<std::string> numbers;
  auto rows = store.recent_certificates(100000);
  EXPECT_TRUE(rows);
  if (rows)
    for (const store::CertificateRow& row : *rows) numbers.push_back(row.certificate.number);
  return numbers;
}

TEST_F(MigrateStore, ASchoolMovesToPostgresqlAndCarriesOnThere) {
  app::CommandRun ran = app::run_certd("run --once --config " + m_school->config());
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto sqlite = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
  ASSERT_TRUE(sqlite);
  std::vector<std::string> before = numbers_in(**sqlite);
  ASSERT_FALSE(before.empty()) << "the demo school's completions issue certificates";

  app::CommandRun moved = app::run_certd("migrate-store --from sqlite --to postgresql --config " + pg_config());
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find("certificates: " + std::to_string(before.size())), std::string::npos) << moved.output;
  EXPECT_EQ(moved.output.find(m_database->url()), std::string::npos) << "the URL is a secret";

  auto postgres = store::open_postgres_store(m_database->url());
  ASSERT_TRUE(postgres) << postgres.error().to_string();
  EXPECT_EQ(numbers_in(**postgres), before);

  // Every command reads the store the config names.
  app::CommandRun verified = app::run_certd("verify " + before.front() + " --config " + pg_config());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  app::CommandRun status = app::run_certd("status --json --config " + pg_config());
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_FALSE(nlohmann::json::parse(status.output)["poll"]["last_cycle_at"].is_null())
      << "the poll's record came along: " << status.output;
  // The poll goes on from the moved cursor: nothing is issued twice.
  app::CommandRun again = app::run_certd("run --once --config " + pg_config());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(" 0 issued"), std::string::npos) << again.output;
  EXPECT_EQ(numbers_in(**postgres), before);

  // A second copy would mix two schools' rows: refused, nothing changed.
  app::CommandRun twice = app::run_certd("migrate-store --from sqlite --to postgresql --config " + pg_config());
  EXPECT_EQ(twice.exit_code, 1) << twice.output;
  EXPECT_NE(twice.output.find("is not empty"), std::string::npos) << twice.output;
  EXPECT_EQ(numbers_in(**postgres), before);
}

TEST_F(MigrateStore, AConfigStillOnSqliteAndABackupOfPostgresqlAreRefusedWithWhatToDo) {
  app::CommandRun unchanged = app::run_certd("migrate-store --from sqlite --to postgresql --config " +
                                             m_school->config());
  EXPECT_EQ(unchanged.exit_code, 2) << unchanged.output;
  EXPECT_NE(unchanged.output.find("set store.kind: postgresql"), std::string::npos) << unchanged.output;

  app::CommandRun wrong_way = app::run_certd("migrate-store --from postgresql --to sqlite --config " + pg_config());
  EXPECT_EQ(wrong_way.exit_code, 2) << wrong_way.output;

  ::setenv("CERTD_BACKUP_PASSPHRASE", "correct horse battery staple", 1);
  app::CommandRun backup = app::run_certd("backup " + m_school->file("b.certd-backup") + " --config " + pg_config());
  ::unsetenv("CERTD_BACKUP_PASSPHRASE");
  EXPECT_NE(backup.exit_code, 0) << backup.output;
  EXPECT_NE(backup.output.find("pg_dump"), std::string::npos) << backup.output;
}

}  // namespace
}  // namespace certd
