#include "app/batch_csv.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"

namespace certd::app {
namespace {

TimePoint today() { return *parse_iso8601("2026-11-23"); }

std::vector<std::string> errors_of(const BatchFile& file) {
  std::vector<std::string> out;
  for (const Error& e : file.errors) out.push_back(e.to_string());
  return out;
}

TEST(BatchCsv, ReadsRowsWithOptionalColumnsQuotesAndUtf8) {
  BatchFile file = parse_batch_csv(
      "\xEF\xBB\xBFstudent,name,course,expires_on,notes\n"
      "42,Zoë Ångström-Łukasiewicz,FA-101,2028-11-23,\"Great work, Zoë\"\n"
      "anna@example.edu,Алексей Смирнов,FA-101,,\n"
      "\n"
      "7,\"王小明\",FA-101,2026-11-23,\"two\nlines\"\n",
      "list.csv", today());
  EXPECT_TRUE(file.errors.empty()) << errors_of(file)[0];
  ASSERT_EQ(file.rows.size(), 3u);
  EXPECT_EQ(file.rows[0].line, 2);
  EXPECT_EQ(file.rows[0].notes, "Great work, Zoë");
  EXPECT_EQ(format_date(*file.rows[0].expires_on), "2028-11-23");
  EXPECT_FALSE(file.rows[1].expires_on);
  EXPECT_EQ(file.rows[2].line, 5);
  EXPECT_EQ(file.rows[2].name, "王小明");
  EXPECT_EQ(file.rows[2].notes, "two\nlines");
}

TEST(BatchCsv, ReportsEveryBadRowByLine) {
  BatchFile file = parse_batch_csv(
      "name,student,course,expires_on\n"
      "Ann,1,FA-101,2027-01-01\n"
      ",2,FA-101,\n"
      "Bob,3,FA-101,01/02/2027\n"
      "Cy,4,FA-101,2026-11-22\n"
      "Di,1,fa-101,\n"
      "Ed,5,FA-101,,extra\n",
      "list.csv", today());
  EXPECT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(errors_of(file), (std::vector<std::string>{
                                 "list.csv:3: name is empty",
                                 "list.csv:4: expires_on '01/02/2027' is not a date (YYYY-MM-DD)",
                                 "list.csv:5: expires_on 2026-11-22 is in the past",
                                 "list.csv:6: student 1 is already listed for fa-101 on line 2",
                                 "list.csv:7: row has 5 fields; the header has 4",
                             }));
}

TEST(BatchCsv, RefusesBadHeadersAndBrokenQuoting) {
  EXPECT_EQ(errors_of(parse_batch_csv("student,name\n1,A\n", "f.csv", today())),
            std::vector<std::string>{"f.csv:1: missing column 'course'"});
  EXPECT_EQ(errors_of(parse_batch_csv("student,name,course,colour\n", "f.csv", today()))[0],
            "f.csv:1: unknown column 'colour' (known: student, name, course, expires_on, notes)");
  EXPECT_EQ(errors_of(parse_batch_csv("student,name,course\n1,\"A,B\n", "f.csv", today()))[0],
            "f.csv:2: not valid CSV: unterminated quoted field");
  EXPECT_EQ(errors_of(parse_batch_csv("", "f.csv", today()))[0],
            "f.csv:1: the file is empty; expected a header row: student,name,course[,expires_on][,notes]");
}

}  // namespace
}  // namespace certd::app
