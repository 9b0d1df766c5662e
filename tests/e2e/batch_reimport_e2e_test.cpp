// Issue 12: `certd batch import rows.csv ...` killed with -9 half-way,
// then the same command again, on a real SQLite store: exactly one
// certificate per student, one batch, one PDF each.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/file_count.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;
constexpr int k_rows = 300;
constexpr int k_issued_before_kill = 50;  // one group of the runner

using testing::count_files;

class BatchReimport : public ::testing::Test {
 protected:
  void SetUp() override {
    // The import never calls the LMS: nothing needs to listen here.
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    m_school = std::make_unique<testing::SchoolDir>("reimport", "http://127.0.0.1:9");
    std::ofstream csv(m_school->file("rows.csv"));
    csv << "student,name,course,notes\n";
    for (int i = 0; i < k_rows; ++i)
      csv << "pupil" << i << "@families.example,Pupil " << i << ",Lifeguard Basics,Batch row " << i << "\n";
    fs::create_directories(m_school->data());
    auto opened = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    ASSERT_TRUE(opened) << opened.error().to_string();
    m_store = std::move(*opened);
  }

  std::vector<std::string> import_args() const {
    return {app::certd_path(), "batch",     "import",       m_school->file("rows.csv"), "--template",
            "encouragement",   "--teacher", "Ms Jones",     "--config",                 m_school->config()};
  }

  // Progress of batch 1 as the store has it (all zero while the import
  // has not stored it yet).
  std::optional<store::BatchProgress> progress() const {
    auto found = m_store->batch_progress(1);
    if (!found) return std::nullopt;
    return *found;
  }

  std::unique_ptr<testing::SchoolDir> m_school;
  // One connection for the whole test, opened (and the schema made)
  // before certd runs; SQLite lets both processes share the file.
  std::unique_ptr<store::Store> m_store;
};

TEST_F(BatchReimport, KilledImportRunAgainIssuesExactlyOneCertificatePerStudent) {
  {
    testing::ChildProcess import(import_args(), SIGKILL);
    // Killed once its first groups are committed and well before the end.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      auto now = progress();
      if (now && now->issued >= k_issued_before_kill) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(import.stop(), 128 + SIGKILL) << "the import was killed, it did not finish first";
  }
  auto killed = progress();
  ASSERT_TRUE(killed);
  ASSERT_GT(killed->issued, 0);
  ASSERT_GT(killed->queued, 0) << "killed half-way, with rows left to issue";

  std::string command;
  for (std::size_t i = 1; i < import_args().size(); ++i) command += " '" + import_args()[i] + "'";
  app::CommandRun again = app::run_certd(command);

  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(std::to_string(k_rows) + " rows are already in batch 1 (still running"),
            std::string::npos)
      << again.output;
  store::Store& db = *m_store;
  auto batches = db.batches();
  ASSERT_TRUE(batches);
  EXPECT_EQ(batches->size(), 1u) << "no second batch";
  auto certificates = db.recent_certificates(100000);
  ASSERT_TRUE(certificates);
  std::map<std::string, int> per_student;
  for (const store::CertificateRow& row : *certificates) ++per_student[row.certificate.student_id];
  EXPECT_EQ(per_student.size(), static_cast<std::size_t>(k_rows));
  for (const auto& [student, count] : per_student) EXPECT_EQ(count, 1) << student;
  EXPECT_EQ(certificates->size(), static_cast<std::size_t>(k_rows)) << "exactly one certificate per student";
  EXPECT_EQ(count_files(m_school->data() + "/pdf", ".pdf"), k_rows) << "one PDF per certificate, no strays";
  auto done = db.batch_progress(1);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->issued, k_rows);
  EXPECT_EQ(done->queued, 0);
}

}  // namespace
}  // namespace certd
