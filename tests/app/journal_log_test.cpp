// Journal logging (app/journal_log.hpp): when stderr counts as the journal,
// and what a record sends. The datagram itself goes through libsystemd to
// the fixed socket /run/systemd/journal/socket; tests/e2e/journal_e2e_test.cpp
// reads it back where a journald runs.
#include "app/journal_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace certd::app {
namespace {

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  struct stat info() const {
    struct stat st {};
    EXPECT_EQ(::fstat(fds[1], &st), 0);
    return st;
  }
  int fds[2] = {-1, -1};
};

std::string stream_of(const struct stat& st) {
  return std::to_string(static_cast<std::uint64_t>(st.st_dev)) + ":" +
         std::to_string(static_cast<std::uint64_t>(st.st_ino));
}

TEST(JournalStream, MatchesTheDeviceAndInodeItNames) {
  Pipe pipe;
  const struct stat st = pipe.info();
  const auto device = static_cast<std::uint64_t>(st.st_dev);
  const auto inode = static_cast<std::uint64_t>(st.st_ino);
  EXPECT_TRUE(journal_stream_is(stream_of(st), device, inode));
  EXPECT_FALSE(journal_stream_is(stream_of(st), device, inode + 1)) << "another file on the same device";
  EXPECT_FALSE(journal_stream_is(stream_of(st), device + 1, inode));

  Pipe other;
  EXPECT_FALSE(journal_stream_is(stream_of(other.info()), device, inode)) << "another pipe";
}

TEST(JournalStream, MalformedTextNamesNothing) {
  const std::string good = "64769:123456";
  ASSERT_TRUE(journal_stream_is(good, 64769, 123456));
  for (const char* text : {"", ":", "64769", "64769:", ":123456", "64769:123456:7", "64769;123456", " 64769:123456",
                           "64769:123456 ", "+64769:123456", "-64769:123456", "64769:-123456", "0x40:123456",
                           "64769:12x456", "99999999999999999999999:123456"})
    EXPECT_FALSE(journal_stream_is(text, 64769, 123456)) << "'" << text << "'";
}

// JOURNAL_STREAM as the test found it, afterwards.
class StderrIsJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("JOURNAL_STREAM")) m_saved = value;
  }
  void TearDown() override {
    if (m_saved)
      ::setenv("JOURNAL_STREAM", m_saved->c_str(), 1);
    else
      ::unsetenv("JOURNAL_STREAM");
  }

 private:
  std::optional<std::string> m_saved;
};

TEST_F(StderrIsJournal, OnlyWhenTheVariableNamesStderrItself) {
  struct stat err {};
  ASSERT_EQ(::fstat(2, &err), 0);
  ::setenv("JOURNAL_STREAM", stream_of(err).c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());

  // A variable inherited by a process whose stderr went elsewhere.
  Pipe pipe;
  ::setenv("JOURNAL_STREAM", stream_of(pipe.info()).c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());

  ::setenv("JOURNAL_STREAM", "journal", 1);
  EXPECT_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
}

TEST(JournalRecord, CarriesPriorityIdentifierMessageAndFields) {
  const std::vector<std::string> record =
      journal_record(log::Level::info, "issued certificate RSS-2026-0001-7 (automatic)",
                     {{"CERTIFICATE", "RSS-2026-0001-7"}, {"STUDENT", "42"}, {"RULE", "swim-level-3"}, {"BATCH", 7}});
  EXPECT_EQ(record, (std::vector<std::string>{"PRIORITY=6", "SYSLOG_IDENTIFIER=certd",
                                              "MESSAGE=issued certificate RSS-2026-0001-7 (automatic)",
                                              "CERTIFICATE=RSS-2026-0001-7", "STUDENT=42", "RULE=swim-level-3",
                                              "BATCH=7"}));
}

TEST(JournalRecord, LevelsAreSyslogPriorities) {
  EXPECT_EQ(journal_record(log::Level::debug, "m", {}).front(), "PRIORITY=7");
  EXPECT_EQ(journal_record(log::Level::info, "m", {}).front(), "PRIORITY=6");
  EXPECT_EQ(journal_record(log::Level::warn, "m", {}).front(), "PRIORITY=4");
  EXPECT_EQ(journal_record(log::Level::error, "m", {}).front(), "PRIORITY=3");
}

TEST(JournalRecord, LeavesOutEmptyValuesAndNamesTheJournalRefuses) {
  const std::vector<std::string> record =
      journal_record(log::Level::warn, "cannot issue",
                     {{"CERTIFICATE", ""},
                      {"STUDENT", "42"},
                      {"student", "x"},
                      {"_PID", "1"},
                      {"1RULE", "x"},
                      {"RULE-ID", "x"},
                      {"", "x"},
                      {"A_VERY_LONG_FIELD_NAME_THAT_GOES_ON_PAST_SIXTY_FOUR_CHARACTERS_LONG", "x"},
                      {"EVENT_2", 9}});
  EXPECT_EQ(record, (std::vector<std::string>{"PRIORITY=4", "SYSLOG_IDENTIFIER=certd", "MESSAGE=cannot issue",
                                              "STUDENT=42", "EVENT_2=9"}));
}

TEST(JournalRecord, AMessageWithANewlineStaysOneField) {
  // libsystemd frames such a value by its length: the second line cannot
  // pose as a field of its own.
  const std::vector<std::string> record =
      journal_record(log::Level::error, "failed: bad answer\nCERTIFICATE=forged", {{"EVENT", 3}});
  ASSERT_EQ(record.size(), 4u);
  EXPECT_EQ(record[2], "MESSAGE=failed: bad answer\nCERTIFICATE=forged");
  EXPECT_EQ(record[3], "EVENT=3");
}

}  // namespace
}  // namespace certd::app
