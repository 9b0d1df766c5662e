// Issue 16: `certd backup` taken while `certd run` issues a CSV batch (the
// simulator as the LMS, real processes, real SQLite and PDFs), then
// `certd restore` into a new data dir: every certificate of the snapshot
// is there with its PDF, each PDF verifies against the restored school,
// and the restored key is the old key, so what it issues next verifies
// with the old public key too.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "app/run_certd.hpp"
#include "e2e/file_count.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"
#include "store/store.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int k_rows = 200;
constexpr int k_issued_before_backup = 50;  // the runner's first group is committed
constexpr const char* k_passphrase = "e2e backup passphrase";

using testing::count_files;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

class BackupEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
    ::setenv("CERTD_BACKUP_PASSPHRASE", k_passphrase, 1);
    m_lms_port = testing::free_port();
    m_lms = std::make_unique<testing::ChildProcess>(
        args({"simulate-lms", "--port", std::to_string(m_lms_port), "--data", "examples/school.yaml"}));
    ASSERT_TRUE(testing::wait_for_port(m_lms_port));
    std::string lms_url = "http://127.0.0.1:" + std::to_string(m_lms_port);
    m_portal_port = testing::free_port();
    testing::SchoolDir::Options options;
    options.portal_port = m_portal_port;
    options.poll_interval = "1s";
    m_school = std::make_unique<testing::SchoolDir>("backup", lms_url, options);
    // The school rebuilt on another server: the same config but for its
    // data dir (and so its key files), which does not exist yet.
    m_restored = std::make_unique<testing::SchoolDir>("backup-restored", lms_url);
    std::ofstream csv(m_school->file("rows.csv"));
    csv << "student,name,course,notes\n";
    for (int i = 0; i < k_rows; ++i)
      csv << "pupil" << i << "@families.example,Pupil " << i << ",Lifeguard Basics,Batch row " << i << "\n";
  }

  void TearDown() override { ::unsetenv("CERTD_BACKUP_PASSPHRASE"); }

  static std::vector<std::string> args(std::initializer_list<std::string> list) {
    std::vector<std::string> argv{app::certd_path()};
    argv.insert(argv.end(), list);
    return argv;
  }

  // Batch 1's progress as the store has it (nullopt until it exists).
  std::optional<store::BatchProgress> progress() const {
    auto store = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
    if (!store) return std::nullopt;
    auto found = (*store)->batch_progress(1);
    if (!found || found->issued + found->queued + found->failed == 0) return std::nullopt;
    return *found;
  }

  // Waits (bounded) until batch 1 has issued at least `issued`.
  bool wait_for_issued(int issued) const {
    auto deadline = std::chrono::steady_clock::now() + 180s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto now = progress();
      if (now && now->issued >= issued) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  int m_lms_port = 0;
  int m_portal_port = 0;
  std::unique_ptr<testing::ChildProcess> m_lms;
  std::unique_ptr<testing::SchoolDir> m_school;
  std::unique_ptr<testing::SchoolDir> m_restored;
};

TEST_F(BackupEndToEnd, BackupTakenWhileTheDaemonIssuesRestoresACompleteVerifiableSchool) {
  const std::string backup = m_school->file("school.certd-backup");
  const std::string config = " --config " + quoted(m_school->config());
  const std::string restored_config = " --config " + quoted(m_restored->config());
  std::int64_t in_backup = 0;
  {
    testing::ChildProcess daemon(args({"run", "--config", m_school->config()}));
    ASSERT_TRUE(testing::wait_for_port(m_portal_port)) << "certd run did not open its portal";
    app::CommandRun imported = app::run_certd("batch import " + quoted(m_school->file("rows.csv")) +
                                              " --template encouragement --detach --teacher 'Ms Jones'" + config);
    ASSERT_EQ(imported.exit_code, 0) << imported.output;

    // The backup, while the daemon issues the batch's later groups (and
    // polls the LMS every second).
    ASSERT_TRUE(wait_for_issued(k_issued_before_backup)) << "the daemon issued too little of the batch";
    auto before = progress();
    app::CommandRun made = app::run_certd("backup " + quoted(backup) + config);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    std::smatch counts;
    ASSERT_TRUE(std::regex_search(made.output, counts, std::regex(R"((\d+) certificates, (\d+) PDFs, (\d+) bytes)")))
        << made.output;
    in_backup = std::stoll(counts[1]);
    EXPECT_EQ(counts[2], counts[1]) << "one PDF per certificate of the snapshot";
    EXPECT_GE(in_backup, k_issued_before_backup);
    // For the record (not a condition: how far the daemon got is timing).
    ::testing::Test::RecordProperty("issued_when_backup_began", before ? std::to_string(before->issued) : "?");
    ::testing::Test::RecordProperty("certificates_in_backup", std::to_string(in_backup));

    ASSERT_TRUE(wait_for_issued(k_rows)) << "the daemon did not finish the batch";
    EXPECT_EQ(daemon.stop(), 0) << "certd run stops cleanly on SIGTERM";
  }
  auto finished = store::open_sqlite_store(m_school->data() + "/certd.sqlite");
  ASSERT_TRUE(finished);
  auto all_issued = (*finished)->recent_certificates(100000);
  ASSERT_TRUE(all_issued);
  EXPECT_LE(in_backup, static_cast<std::int64_t>(all_issued->size()));

  app::CommandRun restored = app::run_certd("restore " + quoted(backup) + restored_config);
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find(": " + std::to_string(in_backup) + " certificates, " + std::to_string(in_backup) +
                                 " PDFs, "),
            std::string::npos)
      << restored.output;

  // Every certificate of the snapshot, each with its PDF, each valid.
  auto store = store::open_sqlite_store(m_restored->data() + "/certd.sqlite");
  ASSERT_TRUE(store) << store.error().to_string();
  auto certificates = (*store)->recent_certificates(100000);
  ASSERT_TRUE(certificates);
  ASSERT_GT(certificates->size(), 0u);
  EXPECT_EQ(static_cast<std::int64_t>(certificates->size()), in_backup);
  EXPECT_EQ(count_files(m_restored->data() + "/pdf", ".pdf"), static_cast<int>(certificates->size()))
      << "one restored PDF per certificate";
  int verified = 0;
  for (const store::CertificateRow& row : *certificates) {
    const std::string pdf = m_restored->data() + "/" + row.certificate.pdf_path;
    app::CommandRun check = app::run_certd("verify " + quoted(pdf) + restored_config);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find(": VALID - "), std::string::npos) << check.output;
    EXPECT_NE(check.output.find("status from"), std::string::npos) << "checked against the restored store";
    verified += check.exit_code == 0;
  }
  EXPECT_EQ(verified, static_cast<int>(certificates->size()));

  // The same key: its public half is the old one, and a certificate the
  // restored school issues verifies with the old public key file.
  const std::string old_public_key = m_school->data() + "/issuer.key.pub";
  EXPECT_EQ(slurp(m_restored->data() + "/issuer.key.pub"), slurp(old_public_key));
  app::CommandRun derived = app::run_command("openssl pkey -pubout -in " + quoted(m_restored->data() + "/issuer.key"));
  ASSERT_EQ(derived.exit_code, 0) << derived.output;
  EXPECT_EQ(derived.output, slurp(old_public_key)) << "the restored private key is the old one";
  app::CommandRun issued = app::run_certd("issue --student 9001 --template encouragement --name 'New Pupil'"
                                          " --teacher 'Ms Jones'" + restored_config);
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  std::smatch number;
  ASSERT_TRUE(std::regex_search(issued.output, number, std::regex(R"(issued ([A-Z0-9-]+))"))) << issued.output;
  auto row = (*store)->certificate_by_number(number[1]);
  ASSERT_TRUE(row && *row);
  app::CommandRun check = app::run_certd("verify " + quoted(m_restored->data() + "/" + (*row)->certificate.pdf_path) +
                                         " --public-key " + quoted(old_public_key));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find(": VALID - "), std::string::npos) << check.output;
}

}  // namespace
}  // namespace certd
