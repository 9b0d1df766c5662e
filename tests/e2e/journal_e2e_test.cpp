// Issue 16: log records reach the systemd journal with their fields. certd
// runs with stderr redirected to a file and JOURNAL_STREAM naming that file,
// as systemd names the stream it connects to a service (systemd.exec(5)), so
// certd takes its stderr for the journal and sends each record with
// sd_journal_sendv; `journalctl -o json` reads them back.
//
// The journald is a private one where the test may start it (root, and
// unshare(1): systemd-journald in a mount namespace of its own with /run
// and /var/log/journal on tmpfs, so the machine's journal stays untouched),
// else the machine's own; with neither the first test is skipped (the
// second needs no journal).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/run_certd.hpp"

namespace certd {
namespace {

namespace fs = std::filesystem;
using app::CommandRun;
using app::run_command;
using nlohmann::json;

constexpr const char* k_journald = "/lib/systemd/systemd-journald";

// $1 scratch folder, $2 certd, $3 "private" (start a journald here, inside
// `unshare -m`), "machine" (use the running one) or "none" (JOURNAL_STREAM
// names another file: no journal), $4 the journald program. Leaves pid,
// stderr, summary.json, journal.json (the run's records) and
// by_certificate.json (what `journalctl CERTIFICATE=<first number>` finds)
// in the folder.
constexpr const char* k_scenario = R"sh(#!/bin/sh
dir=$1 certd=$2 journal=$3
if [ "$journal" = private ]; then
  mount -t tmpfs tmpfs /run || exit 3
  if [ -d /var/log/journal ]; then mount -t tmpfs tmpfs /var/log/journal || exit 3; fi
  mkdir -p /run/systemd/journal /run/systemd/journald.conf.d
  # Nothing of the machine's: not the kernel log, not /dev/kmsg for its own lines.
  printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\n' \
    >/run/systemd/journald.conf.d/zz-certd-test.conf
  SYSTEMD_LOG_TARGET=console "$4" >"$dir/journald.log" 2>&1 &
  journald=$!
  trap 'kill $journald; wait $journald' EXIT
  tries=0
  until [ -S /run/systemd/journal/socket ]; do
    tries=$((tries + 1))
    if [ $tries -gt 100 ]; then echo "journald did not start"; cat "$dir/journald.log"; exit 3; fi
    sleep 0.1
  done
fi
stream='stat -c %d:%i "$1/stderr"'
if [ "$journal" = none ]; then stream='echo 1:1'; fi
sh -c 'echo $$ >"$1/pid"; exec 2>"$1/stderr"; JOURNAL_STREAM=$(eval "$3"); export JOURNAL_STREAM
       exec "$2" demo --json --students 5 --out "$1/demo" --log-level info >"$1/summary.json"' \
  sh "$dir" "$certd" "$stream" || { echo "certd demo failed"; cat "$dir/stderr"; exit 4; }
if [ "$journal" = none ]; then exit 0; fi
journalctl --sync 2>/dev/null
number=$(grep -o '"number": *"[^"]*"' "$dir/summary.json" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
tries=0
until journalctl -o json --no-pager _PID="$(cat "$dir/pid")" SYSLOG_IDENTIFIER=certd >"$dir/journal.json" &&
      grep -q '"CERTIFICATE"' "$dir/journal.json"; do
  tries=$((tries + 1))
  if [ $tries -gt 50 ]; then break; fi
  sleep 0.1
done
journalctl -o json --no-pager CERTIFICATE="$number" >"$dir/by_certificate.json"
exit 0
)sh";

std::string read_text(const fs::path& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

std::vector<json> json_lines(const fs::path& path) {
  std::vector<json> records;
  std::istringstream lines(read_text(path));
  for (std::string line; std::getline(lines, line);) {
    json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_object()) records.push_back(std::move(record));
  }
  return records;
}

std::string text_field(const json& record, const char* name) {
  auto value = record.find(name);
  return value != record.end() && value->is_string() ? value->get<std::string>() : "";
}

class Journal : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("certd-journal-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    std::ofstream(m_dir / "scenario.sh") << k_scenario;
  }
  void TearDown() override { fs::remove_all(m_dir); }

  CommandRun run_scenario(const std::string& journal) {
    const std::string arguments = " sh " + (m_dir / "scenario.sh").string() + " " + m_dir.string() + " " +
                                  fs::absolute(app::certd_path()).string() + " " + journal + " " + k_journald;
    if (journal == "private") return run_command("unshare --mount --propagation private" + arguments);
    return run_command(arguments);
  }

  // "private", "machine", or "" with why neither can be used.
  static std::string which_journald(std::string* why) {
    const bool journalctl = run_command("journalctl --version").exit_code == 0;
    if (journalctl && ::geteuid() == 0 && fs::exists(k_journald) &&
        run_command("unshare --mount --propagation private mount -t tmpfs tmpfs /run").exit_code == 0)
      return "private";
    if (journalctl && fs::exists("/run/systemd/journal/socket")) return "machine";
    *why = "no journald to read back from: neither root with unshare(1) and " + std::string(k_journald) +
           " (for a private one) nor a running journald (/run/systemd/journal/socket)" +
           (journalctl ? "" : ", and no journalctl");
    return "";
  }

  // The certificate numbers `certd demo --json` reports.
  std::set<std::string> issued_numbers() const {
    const std::string text = read_text(m_dir / "summary.json");
    json summary = json::parse(text.substr(std::min(text.find('{'), text.size())), nullptr, false);
    std::set<std::string> numbers;
    if (summary.is_object() && summary["issued"].is_array())
      for (const json& certificate : summary["issued"]) numbers.insert(certificate.value("number", ""));
    return numbers;
  }

  fs::path m_dir;
};

TEST_F(Journal, IssuedCertificatesAreFoundByTheirFields) {
  std::string why;
  const std::string journald = which_journald(&why);
  if (journald.empty()) GTEST_SKIP() << why;
  CommandRun run = run_scenario(journald);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::set<std::string> numbers = issued_numbers();
  ASSERT_FALSE(numbers.empty()) << read_text(m_dir / "summary.json");

  std::set<std::string> logged;
  for (const json& record : json_lines(m_dir / "journal.json")) {
    const std::string message = text_field(record, "MESSAGE");
    if (message.rfind("issued certificate ", 0) != 0) continue;
    const std::string number = text_field(record, "CERTIFICATE");
    EXPECT_EQ(message.substr(19, number.size() + 1), number + " ") << record.dump();
    EXPECT_EQ(text_field(record, "PRIORITY"), "6") << record.dump();
    EXPECT_EQ(text_field(record, "SYSLOG_IDENTIFIER"), "certd") << record.dump();
    const std::string student = text_field(record, "STUDENT");
    EXPECT_TRUE(!student.empty() && student.find_first_not_of("0123456789") == std::string::npos)
        << "the student's LMS id, nothing else: " << record.dump();
    EXPECT_FALSE(text_field(record, "RULE").empty()) << record.dump();
    EXPECT_FALSE(record.contains("CODE_FILE")) << "the writer's own place would name no record's: " << record.dump();
    logged.insert(number);
  }
  EXPECT_EQ(logged, numbers) << "one journal record per certificate issued, with its number in CERTIFICATE";
  EXPECT_EQ(read_text(m_dir / "stderr").find("issued certificate"), std::string::npos)
      << "records went to the journal, not to stderr as text";

  const std::vector<json> found = json_lines(m_dir / "by_certificate.json");
  ASSERT_FALSE(found.empty()) << "journalctl CERTIFICATE=<number> finds nothing";
  const std::string first = text_field(found.front(), "CERTIFICATE");
  EXPECT_EQ(numbers.count(first), 1u) << found.front().dump();
  for (const json& record : found) EXPECT_EQ(text_field(record, "CERTIFICATE"), first) << record.dump();
}

TEST_F(Journal, WhenJournalStreamNamesAnotherFileRecordsStayOnStderr) {
  CommandRun run = run_scenario("none");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::set<std::string> numbers = issued_numbers();
  ASSERT_FALSE(numbers.empty()) << read_text(m_dir / "summary.json");
  const std::string written = read_text(m_dir / "stderr");
  for (const std::string& number : numbers)
    EXPECT_NE(written.find("issued certificate " + number), std::string::npos) << written;
}

}  // namespace
}  // namespace certd
