// certd verify FILE.pdf tells a revoked or expired certificate from a
// valid one, and says where it learnt it: the store (--config), the
// portal (--online, over real HTTP to `certd demo --serve`), or nowhere.
// Everything is made by the real CLI on a real SQLite store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/run_certd.hpp"
#include "process_util.hpp"
#include "raw_http.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;

constexpr int k_exit_revoked = 3;
constexpr int k_exit_expired = 4;

bool wait_for_text(const std::string& file, const std::string& text, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(file);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class VerifyStatus : public ::testing::Test {
 protected:
  // One demo school per test process (ctest runs each test alone).
  static void SetUpTestSuite() {
    s_out = new std::string((fs::temp_directory_path() / ("certd-verify-status-" + std::to_string(::getpid()))).string());
    s_port = testing::free_port();
    // The portal opens while the demo still issues: it is ready once it
    // says it is serving (exec keeps the pid certd's, for SIGTERM).
    std::string log = *s_out + ".log";
    s_demo = new testing::ChildProcess({"/bin/sh", "-c",
                                        "exec '" + app::certd_path() + "' demo --serve --students 12 --out '" + *s_out +
                                            "' --port " + std::to_string(s_port) + " 2> '" + log + "'"});
    s_up = wait_for_text(log, "serving the portal", std::chrono::seconds(180));
  }
  static void TearDownTestSuite() {
    delete s_demo;
    fs::remove_all(*s_out);
    fs::remove(*s_out + ".log");
    delete s_out;
  }

  void SetUp() override {
    ASSERT_TRUE(s_up) << "certd demo --serve did not open its portal";
    for (const auto& entry : fs::recursive_directory_iterator(*s_out + "/data/pdf"))
      if (entry.path().extension() == ".pdf") m_pdfs.push_back(entry.path().string());
    std::sort(m_pdfs.begin(), m_pdfs.end());
    ASSERT_GE(m_pdfs.size(), 4u) << "the demo issues certificates";
  }

  static std::string config() { return " --config " + *s_out + "/certd.yaml"; }
  static std::string number_of(const std::string& pdf) { return fs::path(pdf).stem().string(); }
  static std::string portal() { return "http://127.0.0.1:" + std::to_string(s_port); }

  static std::string* s_out;
  static int s_port;
  static testing::ChildProcess* s_demo;
  static bool s_up;
  std::vector<std::string> m_pdfs;
};

std::string* VerifyStatus::s_out = nullptr;
int VerifyStatus::s_port = 0;
testing::ChildProcess* VerifyStatus::s_demo = nullptr;
bool VerifyStatus::s_up = false;

TEST_F(VerifyStatus, AValidCertificateSaysItsStatusCameFromTheStore) {
  app::CommandRun run = app::run_certd("verify " + m_pdfs[0] + config());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(": VALID - "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("status from the SQLite store " + *s_out + "/data/certd.sqlite"), std::string::npos)
      << run.output;
}

TEST_F(VerifyStatus, ARevokedCertificateIsRevokedFromTheStoreAndFromThePortal) {
  const std::string& pdf = m_pdfs[1];
  app::CommandRun revoke = app::run_certd("revoke " + number_of(pdf) + " --reason 'Issued in error'" + config());
  ASSERT_EQ(revoke.exit_code, 0) << revoke.output;

  app::CommandRun stored = app::run_certd("verify " + pdf + config());
  EXPECT_EQ(stored.exit_code, k_exit_revoked) << stored.output;
  EXPECT_NE(stored.output.find(": REVOKED - "), std::string::npos) << stored.output;
  EXPECT_NE(stored.output.find("status from the SQLite store "), std::string::npos) << stored.output;

  app::CommandRun online = app::run_certd("verify " + pdf + config() + " --online");
  EXPECT_EQ(online.exit_code, k_exit_revoked) << online.output;
  EXPECT_NE(online.output.find(": REVOKED - "), std::string::npos) << online.output;
  EXPECT_NE(online.output.find("status from " + portal() + "/v/" + number_of(pdf) + ".json"), std::string::npos)
      << online.output;
}

// The store is the issuer's record: a certificate whose expiry date it
// holds has passed is EXPIRED, from the store and from the portal alike.
TEST_F(VerifyStatus, AnExpiredCertificateIsExpired) {
  const std::string& pdf = m_pdfs[2];
  std::string update = "sqlite3 " + *s_out + "/data/certd.sqlite \"UPDATE certificates SET expires_at = issued_at + 1" +
                       " WHERE number = '" + number_of(pdf) + "'\"";
  ASSERT_EQ(std::system(update.c_str()), 0);

  app::CommandRun stored = app::run_certd("verify " + pdf + config());
  EXPECT_EQ(stored.exit_code, k_exit_expired) << stored.output;
  EXPECT_NE(stored.output.find(": EXPIRED - "), std::string::npos) << stored.output;

  app::CommandRun online = app::run_certd("verify " + pdf + config() + " --online");
  EXPECT_EQ(online.exit_code, k_exit_expired) << online.output;
  EXPECT_NE(online.output.find(": EXPIRED - "), std::string::npos) << online.output;
  EXPECT_NE(online.output.find("status from " + portal()), std::string::npos) << online.output;
}

// With only the public key (no store, no --online) the signature is
// checked and the status is said to be unchecked.
TEST_F(VerifyStatus, WithoutStoreOrPortalTheStatusIsNotChecked) {
  app::CommandRun key = app::run_certd("verify " + m_pdfs[3] + config());
  ASSERT_EQ(key.exit_code, 0) << key.output;
  std::string pem_file = *s_out + "/issuer.pub.pem";
  testing::RawConnection connection(s_port);
  ASSERT_TRUE(connection.send("GET /keys HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  std::string keys = testing::body_of(connection.read_until_closed(std::chrono::seconds(10)));
  nlohmann::json answer = nlohmann::json::parse(keys, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << keys;
  std::ofstream(pem_file) << answer["keys"][0]["pem"].get<std::string>();
  app::CommandRun run = app::run_certd("verify " + m_pdfs[3] + " --public-key " + pem_file +
                                       " --config " + *s_out + "/no-such-config.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(": VALID - "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("status not checked"), std::string::npos) << run.output;
}

// The portal goes away: --online says it could not ask.
TEST_F(VerifyStatus, APortalThatIsDownIsAClearError) {
  s_demo->stop();
  app::CommandRun run = app::run_certd("verify " + m_pdfs[0] + config() + " --online");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("status not checked: cannot reach " + portal()), std::string::npos) << run.output;
}

}  // namespace
}  // namespace certd
