// The logging facade: records with fields reach an installed writer whole,
// fields cost nothing when the level is off, and a writer that cannot take
// a record leaves it to stderr.
#include "core/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace certd::log {
namespace {

struct Record {
  Level level;
  std::string message;
  std::vector<std::pair<std::string, std::string>> fields;
};

// A writer is a plain function: what it sees is kept here.
std::vector<Record>& records() {
  static std::vector<Record> kept;
  return kept;
}

bool keep(Level level, std::string_view message, const Fields& fields) {
  Record record{level, std::string(message), {}};
  for (const Field& field : fields) record.fields.emplace_back(field.name, field.value);
  records().push_back(std::move(record));
  return true;
}

bool refuse(Level, std::string_view, const Fields&) { return false; }

class Log : public ::testing::Test {
 protected:
  void SetUp() override {
    records().clear();
    set_level(Level::debug);
    set_writer(&keep);
  }
  void TearDown() override {
    set_writer(nullptr);
    set_level(Level::info);
    records().clear();
  }
};

TEST_F(Log, FieldsReachTheWriterApartFromTheMessage) {
  const std::string number = "RSS-2026-0001-7";
  const long long event = 42;
  CERTD_LOG_INFO_F(Fields{{"CERTIFICATE", number}, {"EVENT", event}, {"STUDENT", "17"}}, "issued certificate {}",
                   number);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0].level, Level::info);
  EXPECT_EQ(records()[0].message, "issued certificate RSS-2026-0001-7");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(records()[0].fields, (Pairs{{"CERTIFICATE", number}, {"EVENT", "42"}, {"STUDENT", "17"}}));
}

TEST_F(Log, ABracedListOfFieldsNeedsNoTypeName) {
  CERTD_LOG_ERROR_F({{"BATCH", 7}, {"RULE", "swim-level-3"}}, "batch {} stopped", 7);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0].level, Level::error);
  ASSERT_EQ(records()[0].fields.size(), 2u);
  EXPECT_EQ(records()[0].fields[1].second, "swim-level-3");
}

TEST_F(Log, PlainRecordsReachTheWriterWithoutFields) {
  CERTD_LOG_WARN("outbox: {} #{} retrying", "email", 3);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0].message, "outbox: email #3 retrying");
  EXPECT_TRUE(records()[0].fields.empty());
}

int g_fields_built = 0;
Fields counted_fields() {
  ++g_fields_built;
  return {{"EVENT", 1}};
}

TEST_F(Log, NothingIsBuiltBelowTheLevel) {
  set_level(Level::warn);
  g_fields_built = 0;
  CERTD_LOG_INFO_F(counted_fields(), "event {} processed", 1);
  CERTD_LOG_DEBUG_F(counted_fields(), "event {} processed", 1);
  EXPECT_EQ(g_fields_built, 0);
  EXPECT_TRUE(records().empty());
  CERTD_LOG_WARN_F(counted_fields(), "event {} failed", 1);
  EXPECT_EQ(g_fields_built, 1);
  EXPECT_EQ(records().size(), 1u);
}

// fd 2 goes to a file for the duration of one call, then back.
std::string stderr_of(void (*action)()) {
  const auto path = std::filesystem::temp_directory_path() / ("certd-log-test-" + std::to_string(::getpid()));
  std::fflush(stderr);
  const int saved = ::dup(2);
  FILE* file = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(file), 2);
  action();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::fclose(file);
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  std::filesystem::remove(path);
  return text.str();
}

TEST_F(Log, ARecordTheWriterCannotTakeGoesToStderr) {
  set_writer(&refuse);
  const std::string written =
      stderr_of([] { CERTD_LOG_WARN_F(Fields{{"EVENT", 5}}, "event {} failed: journal away", 5); });
  EXPECT_NE(written.find("event 5 failed: journal away"), std::string::npos) << written;
  EXPECT_EQ(written.find("EVENT"), std::string::npos) << "stderr keeps its format: no fields";

  set_writer(&keep);
  EXPECT_EQ(stderr_of([] { CERTD_LOG_WARN("taken by the writer"); }), "");
  EXPECT_EQ(records().size(), 1u);
}

}  // namespace
}  // namespace certd::log
