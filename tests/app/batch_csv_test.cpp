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

// A file from a student system often has given and family names apart;
// the printed name is made in the order of their script, as the LMS
// connector makes it; a `name` cell, when given, is taken as it is.
TEST(BatchCsv, GivenAndFamilyNameColumnsMakeTheNameInTheOrderOfItsScript) {
  BatchFile file = parse_batch_csv(
      "student,firstname,lastname,course\n"
      "7,小明,王,FA-101\n"
      "8,민준,김,FA-101\n"
      "9,Zoë,Ångström-Łukasiewicz,FA-101\n"
      "10,,Madonna,FA-101\n",
      "parts.csv", today());
  EXPECT_TRUE(file.errors.empty()) << errors_of(file)[0];
  ASSERT_EQ(file.rows.size(), 4u);
  EXPECT_EQ(file.rows[0].name, "王小明");
  EXPECT_EQ(file.rows[1].name, "김민준");
  EXPECT_EQ(file.rows[2].name, "Zoë Ångström-Łukasiewicz");
  EXPECT_EQ(file.rows[3].name, "Madonna");

  BatchFile both = parse_batch_csv("student,name,firstname,lastname,course\n7,小明 王,小明,王,FA-101\n8,,小明,王,FA-101\n",
                                   "both.csv", today());
  ASSERT_EQ(both.rows.size(), 2u) << errors_of(both)[0];
  EXPECT_EQ(both.rows[0].name, "小明 王") << "the name cell is what the school wrote";
  EXPECT_EQ(both.rows[1].name, "王小明");
}

TEST(BatchCsv, NameOrItsPartsAreRequiredAndEachPartIsCheckedAsItsColumn) {
  BatchFile missing = parse_batch_csv("student,firstname,course\n7,小明,FA-101\n", "f.csv", today());
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(errors_of(missing)[0], "f.csv:1: missing column 'name' (or 'firstname' and 'lastname')");

  BatchFile bad = parse_batch_csv("student,firstname,lastname,course\n7,Ann\x1b[2J,Lee,FA-101\n8,,,FA-101\n",
                                  "g.csv", today());
  std::vector<std::string> errors = errors_of(bad);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].rfind("g.csv:2: column 'firstname' contains a control character (U+001B)", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1], "g.csv:3: name is empty");
}

// An award of its own is called by its title, as `certd issue --title`
// calls it; a course is only context, so a row may have either or both.
TEST(BatchCsv, ATitleColumnNamesTheAwardAndMakesTheCourseOptional) {
  BatchFile file = parse_batch_csv(
      "student,name,course,title\n"
      "7,Ann Lee,FA-101,Best first aider\n"
      "8,Bo Chen,,Lifesaver of the year\n"
      "9,Cy Diaz,FA-101,\n",
      "awards.csv", today());
  EXPECT_TRUE(file.errors.empty()) << errors_of(file)[0];
  ASSERT_EQ(file.rows.size(), 3u);
  EXPECT_EQ(file.rows[0].course, "FA-101");
  EXPECT_EQ(file.rows[0].title, "Best first aider");
  EXPECT_EQ(file.rows[1].course, "");
  EXPECT_EQ(file.rows[1].title, "Lifesaver of the year");
  EXPECT_EQ(file.rows[2].course, "FA-101");
  EXPECT_EQ(file.rows[2].title, "") << "called by its course, as before";

  BatchFile no_course = parse_batch_csv("title,student,name\nLifesaver of the year,8,Bo Chen\n", "t.csv", today());
  EXPECT_TRUE(no_course.errors.empty()) << errors_of(no_course)[0];
  ASSERT_EQ(no_course.rows.size(), 1u);
  EXPECT_EQ(no_course.rows[0].title, "Lifesaver of the year");
}

TEST(BatchCsv, ARowWithNeitherCourseNorTitleIsReportedByLine) {
  BatchFile file = parse_batch_csv(
      "student,name,course,title\n"
      "7,Ann Lee,FA-101,\n"
      "8,Bo Chen,,\n"
      "9,Cy Diaz,  ,  \n",
      "awards.csv", today());
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(errors_of(file), (std::vector<std::string>{
                                 "awards.csv:3: course and title are both empty; a row needs one of them",
                                 "awards.csv:4: course and title are both empty; a row needs one of them",
                             }));
  EXPECT_EQ(errors_of(parse_batch_csv("student,name,title\n7,Ann Lee,\n", "t.csv", today())),
            std::vector<std::string>{"t.csv:2: course and title are both empty; a row needs one of them"});
}

// Two awards to one student in one file are two certificates; the same
// award twice is the usual duplicate.
TEST(BatchCsv, AStudentMayHaveTwoAwardsWithTitlesButNotTheSameOneTwice) {
  BatchFile file = parse_batch_csv(
      "student,name,course,title\n"
      "8,Bo Chen,,Lifesaver of the year\n"
      "8,Bo Chen,,Best team spirit\n"
      "8,Bo Chen,FA-101,Best team spirit\n"
      "8,Bo Chen,FA-101,\n"
      "8,Bo Chen,,LIFESAVER of the year\n"
      "8,Bo Chen,fa-101,best team spirit\n",
      "awards.csv", today());
  ASSERT_EQ(file.rows.size(), 4u);
  EXPECT_EQ(errors_of(file),
            (std::vector<std::string>{
                "awards.csv:6: student 8 is already listed for 'LIFESAVER of the year' on line 2",
                "awards.csv:7: student 8 is already listed for 'best team spirit' in fa-101 on line 4",
            }));
}

// A title is untrusted as a name is: control, bidi and NUL characters and
// broken UTF-8 are refused at import by line and column, escaped; a
// formula is text, neutralised wherever certd writes a CSV (as names are,
// tests/app/report_cli_test.cpp).
TEST(BatchCsv, TitlesAreCheckedAsNamesAre) {
  std::string text = "student,name,title\n"
                     "1,Ann Lee,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\"\n"
                     "2,Bo Chen,\x1b[31mBest\n"
                     "3,Cy Diaz,\"Best\t=cmd\"\n"
                     "4,Di Lee,Best\xff\n"
                     "5,Ed Kim,Best\xe2\x80\xae" "eviL\n"
                     "6,Fa Wu," + std::string("Be\0st", 5) + "\n"
                     "7,Gu Li," + std::string(201, 'x') + "\n";
  BatchFile file = parse_batch_csv(text, "awards.csv", today());
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(file.rows[0].title, "=HYPERLINK(\"http://evil.example\",\"open\")");
  std::vector<std::string> errors = errors_of(file);
  ASSERT_EQ(errors.size(), 6u);
  EXPECT_EQ(errors[0],
            "awards.csv:3: column 'title' contains a control character (U+001B) at character 1: \"\\x1B[31mBest\"");
  EXPECT_EQ(errors[1],
            "awards.csv:4: column 'title' contains a control character (U+0009) at character 5: \"Best\\x09=cmd\"");
  EXPECT_EQ(errors[2].rfind("awards.csv:5: column 'title' is not valid UTF-8", 0), 0u) << errors[2];
  EXPECT_EQ(errors[2].find('\xff'), std::string::npos) << "escaped, never echoed raw";
  EXPECT_EQ(errors[3].rfind("awards.csv:6: column 'title' contains a bidirectional control character (U+202E)", 0), 0u)
      << errors[3];
  EXPECT_EQ(errors[4], "awards.csv:7: column 'title' contains a NUL character (U+0000) at character 3: \"Be\\x00st\"");
  EXPECT_EQ(errors[5].rfind("awards.csv:8: column 'title' is 201 characters long; at most 200", 0), 0u) << errors[5];
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

// Found by fuzz_batch_csv: a last line without a newline, holding one
// field, was reported one line past the end of the file.
TEST(BatchCsv, ALastLineWithoutANewlineKeepsItsNumber) {
  EXPECT_EQ(errors_of(parse_batch_csv("name,student,course\nAnn,1,FA-101\nBob", "list.csv", today())),
            std::vector<std::string>{"list.csv:3: student is empty"});
  BatchFile file = parse_batch_csv("student,name,course\n1,Ann,FA-101", "list.csv", today());
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(file.rows[0].line, 2);
}

// Found by fuzz_batch_csv: with lone CRs as line breaks (Excel for Mac's
// "CSV (Macintosh)") every row was reported on line 1.
TEST(BatchCsv, CountsLinesEndedByCrLfOrALoneCr) {
  EXPECT_EQ(errors_of(parse_batch_csv("name,student,course\rAnn,1,FA-101\r,2,FA-101\r", "list.csv", today())),
            std::vector<std::string>{"list.csv:3: name is empty"});
  EXPECT_EQ(errors_of(parse_batch_csv("name,student,course\r\nAnn,1,FA-101\r\n,2,FA-101\r\n", "list.csv", today())),
            std::vector<std::string>{"list.csv:3: name is empty"});
}

TEST(BatchCsv, RefusesBadHeadersAndBrokenQuoting) {
  EXPECT_EQ(errors_of(parse_batch_csv("student,name\n1,A\n", "f.csv", today())),
            std::vector<std::string>{"f.csv:1: missing column 'course' (or 'title')"});
  EXPECT_EQ(errors_of(parse_batch_csv("student,name,course,colour\n", "f.csv", today()))[0],
            "f.csv:1: unknown column 'colour' (known: student, name, firstname, lastname, course, title, expires_on, "
            "notes)");
  EXPECT_EQ(errors_of(parse_batch_csv("student,name,course\n1,\"A,B\n", "f.csv", today()))[0],
            "f.csv:2: not valid CSV: unterminated quoted field");
  EXPECT_EQ(errors_of(parse_batch_csv("", "f.csv", today()))[0],
            "f.csv:1: the file is empty; expected a header row: student,name,course and/or title[,expires_on][,notes]");
}

// Issue 12: names are checked at import, each bad cell reported by line
// and column with its bytes escaped; the good rows are kept.
TEST(BatchCsv, ReportsNamesWithControlCharactersByLineAndColumn) {
  BatchFile file = parse_batch_csv(
      "student,name,course,notes\n"
      "1,Ann Lee,FA-101,\n"
      "2,\x1b[31mred,FA-101,\n"
      "3,\"Ro\t=cmd\",FA-101,\n"
      "4,\x1b[2J,FA-101,\n"
      "5,Bo\xc2\x9b" "2J,FA-101,\n"
      "6,Cy Lee,FA-101,\"fine\nsecond line\"\n"
      "7,Di Lee,FA-\x1b" "101,\n"
      "8,Ed Lee,FA-101,\"see\x07\"\n",
      "list.csv", today());
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[0].name, "Ann Lee");
  EXPECT_EQ(file.rows[1].notes, "fine\nsecond line");
  EXPECT_EQ(errors_of(file),
            (std::vector<std::string>{
                "list.csv:3: column 'name' contains a control character (U+001B) at character 1: \"\\x1B[31mred\"",
                "list.csv:4: column 'name' contains a control character (U+0009) at character 3: \"Ro\\x09=cmd\"",
                "list.csv:5: column 'name' contains a control character (U+001B) at character 1: \"\\x1B[2J\"",
                "list.csv:6: column 'name' contains a control character (U+009B) at character 3: "
                "\"Bo\\xC2\\x9B2J\"",
                "list.csv:9: column 'course' contains a control character (U+001B) at character 4: "
                "\"FA-\\x1B101\"",
                "list.csv:10: column 'notes' contains a control character (U+0007) at character 4: \"see\\x07\"",
            }));
}

TEST(BatchCsv, ReportsBrokenUtf8BidiControlsNulAndOverlongNamesAtImport) {
  std::string text = "student,name,course\n1,Ann\xff,FA-101\n2,Bea\xe2\x80\xae" "eviL,FA-101\n3," +
                     std::string("Cy\0Lee", 6) + ",FA-101\n4," + std::string(201, 'x') + ",FA-101\n";
  BatchFile file = parse_batch_csv(text, "list.csv", today());
  EXPECT_TRUE(file.rows.empty());
  std::vector<std::string> errors = errors_of(file);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].rfind("list.csv:2: column 'name' is not valid UTF-8", 0), 0u) << errors[0];
  EXPECT_EQ(errors[0].find('\xff'), std::string::npos) << "escaped, never echoed raw";
  EXPECT_EQ(errors[1], "list.csv:3: column 'name' contains a bidirectional control character (U+202E) at character 4: "
                       "\"Bea\\xE2\\x80\\xAEeviL\"");
  EXPECT_EQ(errors[2], "list.csv:4: column 'name' contains a NUL character (U+0000) at character 3: \"Cy\\x00Lee\"");
  EXPECT_EQ(errors[3].rfind("list.csv:5: column 'name' is 201 characters long; at most 200", 0), 0u) << errors[3];
}

}  // namespace
}  // namespace certd::app
