// Two `certd run` processes on one PostgreSQL store share a 2,000-row
// batch (400 under the sanitizers: build_scale.hpp) while either is killed
// with -9 at random moments and started again: exactly one certificate per
// row, every e-mail written once, nothing left claimed.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/build_scale.hpp"
#include "e2e/file_count.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/postgres_cluster.hpp"
#include "store/postgres_store.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;
const int k_rows = testing::rows_for_this_build(2000);
constexpr int k_kills = 8;
constexpr auto k_finish_limit = std::chrono::minutes(6);

using testing::count_files;

class TwoWorkers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (store::postgres_skipped()) GTEST_SKIP() << "CERTD_NO_POSTGRES=1";
    auto database = store::ScratchDatabase::create();
    ASSERT_TRUE(database) << database.error().to_string();
    m_database = std::move(*database);
    ::setenv("CERTD_STORE_URL", m_database->url().c_str(), 1);
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_lms_port = testing::free_port();
    testing::SchoolDir::Options options;
    options.extra = "store:\n  kind: postgresql\n  url_env: CERTD_STORE_URL\n";
    options.poll_interval = "2s";  // a failover is seen within seconds
    m_school = std::make_unique<testing::SchoolDir>("two-workers", "http://127.0.0.1:" + std::to_string(m_lms_port),
                                                    options);
    m_lms = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{app::certd_path(), "simulate-lms", "--port", std::to_string(m_lms_port), "--data",
                                 "examples/school.yaml"});
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    std::ofstream csv(m_school->file("recipients.csv"));
    csv << "student,name,course,notes\n";
    for (int i = 0; i < k_rows; ++i)
      csv << "pupil" << i << "@families.example,Pupil " << i << ",Lifeguard Basics,Batch row " << i << "\n";
  }

  void TearDown() override {
    for (auto& worker : m_workers) worker.reset();
    m_lms.reset();
    m_school.reset();
    m_database.reset();
    ::unsetenv("CERTD_STORE_URL");
  }

  // Starts (or starts again) worker `n` as its own process, its log appended
  // to a file of its own. One render thread each, so the two share the
  // machine's cores the way two machines would each have theirs.
  void start(int n) {
    std::string log = m_school->file("worker-" + std::to_string(n) + ".log");
    std::string command = "exec " + app::certd_path() + " run --config " + m_school->config() + " --worker w" +
                          std::to_string(n) + " --render-threads 1 >>" + log + " 2>&1";
    m_workers[n] = std::make_unique<testing::ChildProcess>(std::vector<std::string>{"/bin/sh", "-c", command},
                                                           SIGKILL);
  }

  std::string log_of(int n) {
    std::ifstream in(m_school->file("worker-" + std::to_string(n) + ".log"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // True once every row is issued and no mail waits.
  bool finished(store::Store& store) {
    auto progress = store.batch_progress(1);
    auto queued = store.outbox_with_status(store::OutboxStatus::queued);
    return progress && queued && progress->queued == 0 && queued->empty();
  }

  std::unique_ptr<store::ScratchDatabase> m_database;
  int m_lms_port = 0;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::ChildProcess> m_workers[2];
};

TEST_F(TwoWorkers, KilledAtRandomTheyIssueEachRowOnceAndSendEachMailOnce) {
  app::CommandRun imported = app::run_certd("batch import " + m_school->file("recipients.csv") +
                                            " --template encouragement --detach --teacher 'Ms Jones' --config " +
                                            m_school->config());
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  auto store = store::open_postgres_store(m_database->url());
  ASSERT_TRUE(store) << store.error().to_string();

  start(0);
  start(1);
  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  std::uniform_int_distribution<int> delay_ms(300, 2500);
  std::uniform_int_distribution<int> which(0, 1);
  int kills = 0;
  for (; kills < k_kills && !finished(**store); ++kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    int victim = which(random);
    m_workers[victim]->stop();  // SIGKILL
    start(victim);
  }
  const auto deadline = std::chrono::steady_clock::now() + k_finish_limit;
  while (!finished(**store) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(finished(**store)) << "not done after the kills and " << k_finish_limit.count() << " more minutes\n"
                                 << log_of(0) << log_of(1);
  for (auto& worker : m_workers) worker.reset();  // SIGKILL: finished is finished
  RecordProperty("kills", kills);

  auto batch = (*store)->batch_progress(1);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->issued, k_rows);
  EXPECT_EQ(batch->failed, 0);
  auto certificates = (*store)->recent_certificates(100000);
  ASSERT_TRUE(certificates);
  std::set<std::string> numbers;
  std::set<std::string> batch_students;
  int batch_certificates = 0;
  for (const store::CertificateRow& row : *certificates) {
    numbers.insert(row.certificate.number);
    if (row.certificate.batch_id == 1) {
      ++batch_certificates;
      batch_students.insert(row.certificate.student_id);
    }
  }
  EXPECT_EQ(numbers.size(), certificates->size()) << "numbers are unique";
  EXPECT_EQ(batch_certificates, k_rows) << "exactly one certificate per row";
  EXPECT_EQ(batch_students.size(), static_cast<std::size_t>(k_rows));
  EXPECT_EQ(count_files(m_school->data() + "/pdf", ".pdf"), static_cast<int>(certificates->size()))
      << "one PDF per certificate, no strays";

  auto failed = (*store)->outbox_with_status(store::OutboxStatus::failed);
  auto done = (*store)->outbox_with_status(store::OutboxStatus::done);
  ASSERT_TRUE(failed && done);
  EXPECT_TRUE(failed->empty()) << (failed->empty() ? "" : failed->front().last_error);
  int emails = 0;
  for (const store::OutboxRow& row : *done) emails += row.item.kind == "email";
  EXPECT_GE(emails, k_rows);
  EXPECT_EQ(count_files(m_school->data() + "/outbox", ".eml"), emails) << "every e-mail written exactly once";

  // Both workers issued a share of the rows, and one of them polled.
  EXPECT_NE(log_of(0).find("issued certificate"), std::string::npos) << log_of(0);
  EXPECT_NE(log_of(1).find("issued certificate"), std::string::npos) << log_of(1);
  EXPECT_NE((log_of(0) + log_of(1)).find("polls the LMS"), std::string::npos);
}

// Waits up to `limit` for what `read` returns (a worker's log) to hold `text`.
bool log_says(const std::function<std::string()>& read, const std::string& text, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST_F(TwoWorkers, WhenThePollerDiesTheOtherTakesOverPolling) {
  start(0);
  ASSERT_TRUE(log_says([&] { return log_of(0); }, "worker w0 polls the LMS", std::chrono::seconds(30))) << log_of(0);
  start(1);
  ASSERT_TRUE(log_says([&] { return log_of(1); }, "another worker polls the LMS; worker w1 issues and delivers",
                       std::chrono::seconds(30)))
      << log_of(1);
  m_workers[0]->stop();  // SIGKILL: its connection, and the lock with it, go
  EXPECT_TRUE(log_says([&] { return log_of(1); }, "worker w1 polls the LMS", std::chrono::seconds(30))) << log_of(1);
  // Started again, w0 finds the lock taken.
  start(0);
  EXPECT_TRUE(log_says([&] { return log_of(0); }, "another worker polls the LMS; worker w0 issues and delivers",
                       std::chrono::seconds(30)))
      << log_of(0);
  // A third process under a running worker's name would take back its
  // claims: it does not start.
  app::CommandRun same_name = app::run_certd("run --once --worker w1 --config " + m_school->config());
  EXPECT_EQ(same_name.exit_code, 1) << same_name.output;
  EXPECT_NE(same_name.output.find("another certd is running as worker w1"), std::string::npos) << same_name.output;

  // A worker whose data_dir made an issuer key of its own would sign with
  // another key than the others: it does not start.
  testing::SchoolDir::Options options;
  options.extra = "store:\n  kind: postgresql\n  url_env: CERTD_STORE_URL\n";
  testing::SchoolDir elsewhere("two-workers-other-key", "http://127.0.0.1:" + std::to_string(m_lms_port), options);
  app::CommandRun other_key = app::run_certd("run --once --worker w9 --config " + elsewhere.config());
  EXPECT_EQ(other_key.exit_code, 2) << other_key.output;
  EXPECT_NE(other_key.output.find("is not the key the other workers"), std::string::npos) << other_key.output;
  EXPECT_NE(other_key.output.find("copy issuer.key and issuer.key.pub"), std::string::npos) << other_key.output;
}

}  // namespace
}  // namespace certd
