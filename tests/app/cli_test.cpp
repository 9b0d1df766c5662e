#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app/run_certd.hpp"

namespace certd::app {
namespace {


TEST(Cli, HelpListsEverySubcommandOfTheDesign) {
  CommandRun run = run_certd("--help");
  EXPECT_EQ(run.exit_code, 0);
  for (const char* command : {"demo", "preview", "run", "check-config", "pending", "issue", "issue-now", "reissue",
                              "revoke", "batch", "verify", "report", "notify", "simulate-lms", "lti", "user", "token"})
    EXPECT_NE(run.output.find(std::string("  ") + command + " "), std::string::npos) << command;
}

TEST(Cli, EverySubcommandHasHelpAndAcceptsConfig) {
  for (const char* command : {"demo", "preview", "run", "check-config", "pending list", "pending approve",
                              "issue", "issue-now", "reissue", "revoke", "batch import", "batch status",
                              "verify", "report", "notify resend", "simulate-lms", "lti show", "user add",
                              "user list", "token create", "token list"}) {
    CommandRun run = run_certd(std::string(command) + " --help");
    EXPECT_EQ(run.exit_code, 0) << command << "\n" << run.output;
    EXPECT_NE(run.output.find("--config"), std::string::npos) << command << "\n" << run.output;
  }
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(run_certd("").exit_code, 2);
  EXPECT_EQ(run_certd("no-such-command").exit_code, 2);
  EXPECT_EQ(run_certd("issue --template award").exit_code, 2) << "--student is required";
  EXPECT_EQ(run_certd("report nonsense").exit_code, 2);
  EXPECT_EQ(run_certd("--log-level loud check-config").exit_code, 2);
}

TEST(Cli, AMistypedCommandIsNamedWithWhatWasMeant) {
  CommandRun run = run_certd("pendign list");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("certd: unknown command 'pendign'. Did you mean 'pending'?"), std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("A subcommand is required"), std::string::npos) << run.output;
}

TEST(Cli, AMistypedNestedCommandIsNamedWithItsParent) {
  CommandRun run = run_certd("--config x.yaml batch statsu 3");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("certd batch: unknown command 'statsu'. Did you mean 'status'?"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("Run 'certd batch --help' for usage."), std::string::npos) << run.output;
}

TEST(Cli, ACommandFarFromEveryOtherListsTheCommands) {
  CommandRun run = run_certd("frobnicate");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("certd: unknown command 'frobnicate'. Commands: demo, preview, run,"), std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("Did you mean"), std::string::npos) << run.output;
}

TEST(Cli, AMistypedOptionIsNamedWithWhatWasMeant) {
  CommandRun run = run_certd("issue --studnet 4 --template award");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("certd issue: unknown option '--studnet'. Did you mean '--student'?"), std::string::npos)
      << run.output;
  run = run_certd("--confg x.yaml run");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("certd: unknown option '--confg'. Did you mean '--config'?"), std::string::npos)
      << run.output;
  run = run_certd("pending approve --al=1");
  EXPECT_NE(run.output.find("certd pending approve: unknown option '--al'. Did you mean '--all'?"), std::string::npos)
      << run.output;
}

TEST(Cli, AnOptionValueThatLooksLikeACommandIsNotMistakenForOne) {
  // "pendign" is the value of --config here; the mistake is --frob.
  CommandRun run = run_certd("--config pendign run --frob");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("certd run: unknown option '--frob'."), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("unknown command"), std::string::npos) << run.output;
}

TEST(Cli, WhatWasTypedIsPrintedInert) {
  // popen's shell is sh: printf makes the escape character.
  CommandRun run = run_certd("\"$(printf '\\033[2Jpend')\"");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("unknown command '\\x1B[2Jpend'"), std::string::npos) << run.output;
  run = run_certd("run \"$(printf -- '--\\033[2J')\"");
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << run.output;
}

// With the variables its secrets name set, as where certd runs: check-config
// reads every secret `certd run` would.
TEST(Cli, CheckConfigAcceptsTheDemoSchool) {
  ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
  ::setenv("CERTD_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1);
  CommandRun run = run_certd("check-config --config examples/certd.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("examples/certd.yaml: OK"), std::string::npos) << run.output;
}

TEST(Cli, CheckConfigNamesEachVariableTheDemoSchoolNeedsWhenUnset) {
  ::unsetenv("CERTD_LMS_TOKEN");
  ::unsetenv("CERTD_WEBHOOK_SECRET");
  CommandRun run = run_certd("check-config --config examples/certd.yaml");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(": lms.token: environment variable CERTD_LMS_TOKEN is not set"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find(": webhooks.sources.moodle.secret: environment variable CERTD_WEBHOOK_SECRET is not set"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("2 errors in examples/certd.yaml"), std::string::npos) << run.output;
}

TEST(Cli, CheckConfigListsEveryErrorWithItsLocationAndExitsTwo) {
  auto path = std::filesystem::temp_directory_path() / ("certd-cli-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "lms:\n  url: nowhere\n  token: inline\nportal: {public_url: 'https://x.example'}\n"
                         "issuer: {name: S}\ncolour: blue\n";
  CommandRun run = run_certd("check-config --config " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(run.exit_code, 2);
  std::string file = path.string();
  EXPECT_NE(run.output.find(file + ":2:8: lms.url: 'nowhere' is not a URL"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(file + ":3:10: lms.token: secrets are never written"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(file + ":6:1: unknown key 'colour'"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("3 errors"), std::string::npos) << run.output;  // inline token: one error, not two
}

TEST(Cli, MissingConfigFileIsAConfigError) {
  CommandRun run = run_certd("check-config --config /nonexistent/certd.yaml");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("/nonexistent/certd.yaml"), std::string::npos);
}

}  // namespace
}  // namespace certd::app
