// The README's first command ends in `certd demo`: it must issue, queue,
// write mail, and its PDFs must verify offline.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/run_certd.hpp"

namespace certd {
namespace {

TEST(Demo, IssuesQueuesMailsAndItsPdfsVerify) {
  std::string out = (std::filesystem::temp_directory_path() / ("certd-demo-" + std::to_string(::getpid()))).string();
  app::CommandRun run = app::run_certd("demo --json --students 80 --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto summary = nlohmann::json::parse(run.output.substr(run.output.find('{')));
  EXPECT_EQ(summary["students"], 80);
  ASSERT_GE(summary["issued_count"].get<int>(), 10);
  EXPECT_GE(summary["pending"].get<int>(), 10) << "swim levels wait for a teacher";
  EXPECT_EQ(summary["emails"].get<int>(), summary["issued_count"].get<int>()) << "first aid mails the student";
  EXPECT_GT(summary["lms_notes"].get<int>(), 0);
  for (const auto& certificate : summary["issued"]) {
    app::CommandRun verify =
        app::run_certd("verify " + certificate["pdf"].get<std::string>() + " --config " + out + "/certd.yaml");
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    EXPECT_NE(verify.output.find("VALID"), std::string::npos) << verify.output;
  }
  // The teacher's queue works on the demo's data; root's name never lands
  // on a certificate.
  std::string config = " --config " + out + "/certd.yaml";
  ::setenv("USER", "root", 1);
  app::CommandRun nameless = app::run_certd("pending approve 1" + config);
  EXPECT_EQ(nameless.exit_code, 2) << nameless.output;
  EXPECT_NE(nameless.output.find("give --teacher NAME"), std::string::npos) << nameless.output;
  app::CommandRun approved = app::run_certd("pending approve 1 2 --teacher 'Ms Jones' --notes 'Well done'" + config);
  EXPECT_EQ(approved.exit_code, 0) << approved.output;
  EXPECT_NE(approved.output.find("2 issued"), std::string::npos) << approved.output;
  app::CommandRun left = app::run_certd("pending list" + config);
  EXPECT_EQ(left.output.find("\n1 "), std::string::npos) << "approved entries leave the queue\n" << left.output;

  // Reports show what was issued and delivered, as tables or CSV.
  std::string first = summary["issued"][0]["number"].get<std::string>();
  app::CommandRun certificates = app::run_certd("report certificates --csv" + config);
  EXPECT_EQ(certificates.exit_code, 0) << certificates.output;
  EXPECT_EQ(certificates.output.rfind("NUMBER,STUDENT,COURSE", 0), 0u) << certificates.output;
  EXPECT_NE(certificates.output.find(first + ","), std::string::npos);
  app::CommandRun deliveries = app::run_certd("report deliveries" + config);
  EXPECT_NE(deliveries.output.find(first), std::string::npos) << deliveries.output;
  EXPECT_NE(deliveries.output.find("sent"), std::string::npos) << deliveries.output;

  // Resend: only what was sent and not claimed, three times at most.
  for (int round = 1; round <= 3; ++round) {
    app::CommandRun resend = app::run_certd("notify resend " + first + config);
    EXPECT_EQ(resend.exit_code, 0) << resend.output;
    EXPECT_NE(resend.output.find("1 e-mails queued to resend"), std::string::npos) << round << ": " << resend.output;
  }
  app::CommandRun fourth = app::run_certd("notify resend " + first + config);
  EXPECT_NE(fourth.output.find("0 e-mails queued to resend"), std::string::npos) << fourth.output;
  EXPECT_EQ(app::run_certd("notify resend" + config).exit_code, 2) << "a number or --batch is needed";

  // A second demo run starts afresh in the same folder.
  app::CommandRun again = app::run_certd("demo --json --out " + out);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  std::filesystem::remove_all(out);
}

TEST(Demo, RefusesToEmptyAFolderItDidNotMake) {
  std::string out = (std::filesystem::temp_directory_path() / ("certd-notdemo-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(out);
  { std::FILE* f = std::fopen((out + "/precious.txt").c_str(), "w"); std::fclose(f); }
  app::CommandRun run = app::run_certd("demo --out " + out);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(std::filesystem::exists(out + "/precious.txt"));
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace certd
