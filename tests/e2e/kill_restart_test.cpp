// A 2,000-row batch (400 under the sanitizers: build_scale.hpp), kill -9
// at random moments, then restart: exactly one certificate per row, one
// PDF per certificate, every e-mail written once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/build_scale.hpp"
#include "e2e/file_count.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;
const int k_rows = testing::rows_for_this_build(2000);
constexpr int k_kills = 5;

std::vector<std::string> certd_args(std::initializer_list<std::string> args) {
  std::vector<std::string> argv{app::certd_path()};
  argv.insert(argv.end(), args);
  return argv;
}

using testing::count_files;

class KillRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    m_lms_port = testing::free_port();
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_school = std::make_unique<testing::SchoolDir>("kill", "http://127.0.0.1:" + std::to_string(m_lms_port));
    // The LMS is a real simulator in a process of its own.
    m_lms = std::make_unique<testing::ChildProcess>(
        certd_args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"}));
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    std::ofstream csv(m_school->file("recipients.csv"));
    csv << "student,name,course,notes\n";
    for (int i = 0; i < k_rows; ++i)
      csv << "pupil" << i << "@families.example,Pupil " << i << ",Lifeguard Basics,Batch row " << i << "\n";
  }

  // Runs certd and kills it with SIGKILL after `delay` (if still running).
  void run_and_kill(std::initializer_list<std::string> args, std::chrono::milliseconds delay) {
    testing::ChildProcess child(certd_args(args), SIGKILL);
    std::this_thread::sleep_for(delay);
    child.stop();
  }

  int m_lms_port = 0;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::ChildProcess> m_lms;
};

TEST_F(KillRestart, BatchKilledAtRandomMomentsIssuesEachRowExactlyOnce) {
  const std::string config = m_school->config();
  app::CommandRun imported = app::run_certd("batch import " + m_school->file("recipients.csv") +
                                            " --template encouragement --detach --teacher 'Ms Jones' --config " + config);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;

  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  std::uniform_int_distribution<int> delay_ms(150, 1500);
  for (int kill = 0; kill < k_kills; ++kill) {
    int delay = delay_ms(random);
    SCOPED_TRACE("kill " + std::to_string(kill) + " after " + std::to_string(delay) + " ms");
    run_and_kill({"run", "--once", "--config", config}, std::chrono::milliseconds(delay));
  }
  app::CommandRun finished = app::run_certd("run --once --config " + config);
  ASSERT_EQ(finished.exit_code, 0) << finished.output;

  auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
  ASSERT_TRUE(store);
  auto batch = (*store)->batch_progress(1);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->issued, k_rows);
  EXPECT_EQ(batch->queued, 0);
  EXPECT_EQ(batch->failed, 0);

  auto certificates = (*store)->recent_certificates(100000);
  ASSERT_TRUE(certificates);
  std::set<std::string> numbers;
  std::set<std::string> batch_students;
  for (const store::CertificateRow& row : *certificates) {
    numbers.insert(row.certificate.number);
    if (row.certificate.batch_id == 1) batch_students.insert(row.certificate.student_id);
  }
  EXPECT_EQ(numbers.size(), certificates->size()) << "numbers are unique";
  EXPECT_EQ(batch_students.size(), static_cast<std::size_t>(k_rows)) << "one certificate per row, none twice";
  EXPECT_EQ(count_files(m_school->data() + "/pdf", ".pdf"), static_cast<int>(certificates->size()))
      << "one PDF per certificate, no strays";
  EXPECT_EQ(count_files(m_school->data() + "/pdf", ".tmp"), 0);

  auto queued = (*store)->outbox_with_status(store::OutboxStatus::queued);
  auto failed = (*store)->outbox_with_status(store::OutboxStatus::failed);
  auto done = (*store)->outbox_with_status(store::OutboxStatus::done);
  ASSERT_TRUE(queued && failed && done);
  EXPECT_TRUE(queued->empty()) << queued->size() << " outbox rows never delivered";
  EXPECT_TRUE(failed->empty()) << (failed->empty() ? "" : failed->front().last_error);
  int emails = 0;
  for (const store::OutboxRow& row : *done) emails += row.item.kind == "email";
  EXPECT_GE(emails, k_rows);
  EXPECT_EQ(count_files(m_school->data() + "/outbox", ".eml"), emails) << "every e-mail written exactly once";
}

}  // namespace
}  // namespace certd
