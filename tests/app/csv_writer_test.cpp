// CSV that people open in a spreadsheet: formulas from outside are text,
// control characters are visible escapes (issue 12).
#include "app/csv_writer.hpp"

#include <gtest/gtest.h>

namespace certd::app {
namespace {

TEST(CsvWriter, NeutralisesCellsThatASpreadsheetWouldRunAsFormulas) {
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://evil.example\",\"open\")"),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\"");
  EXPECT_EQ(csv_cell("+SUM(1+1)*cmd|' /C calc'!A0"), "\"'+SUM(1+1)*cmd|' /C calc'!A0\"");
  EXPECT_EQ(csv_cell("@Lifeguard"), "\"'@Lifeguard\"");
  EXPECT_EQ(csv_cell("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(csv_cell("\t=cmd"), "\"'\t'=cmd\"");
  EXPECT_EQ(csv_cell("\r=cmd"), "\"'\r=cmd\"");
}

TEST(CsvWriter, NeutralisesAFormulaAfterATabInsideACell) {
  EXPECT_EQ(csv_cell("Ann Lee\t=cmd|' /C calc'!A0"), "\"Ann Lee\t'=cmd|' /C calc'!A0\"");
  EXPECT_EQ(csv_cell("a\tb"), "\"a\tb\"");
}

TEST(CsvWriter, LeavesOrdinaryCellsAsTheyAre) {
  EXPECT_EQ(csv_cell("SWL3-7K4M-9QXA"), "SWL3-7K4M-9QXA");
  EXPECT_EQ(csv_cell("Zoë Ångström"), "Zoë Ångström");
  EXPECT_EQ(csv_cell("2026-03-02T09:00:00Z"), "2026-03-02T09:00:00Z");
  EXPECT_EQ(csv_cell("O'Brien"), "O'Brien");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("a=b"), "a=b") << "only the start of a cell makes a formula";
}

TEST(CsvWriter, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(csv_cell("Lee, Ann"), "\"Lee, Ann\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell("two\r\nlines"), "\"two\r\nlines\"");
}

TEST(CsvWriter, ControlCharactersAndBrokenUtf8BecomeVisibleEscapes) {
  EXPECT_EQ(csv_cell("\x1b[31mred"), "\\x1B[31mred");
  EXPECT_EQ(csv_cell("\x1b[2J"), "\\x1B[2J");
  EXPECT_EQ(csv_cell("A\xc2\x9b" "31mB"), "A\\xC2\\x9B31mB") << "C1 CSI";
  EXPECT_EQ(csv_cell(std::string("Ann\0Lee", 7)), "Ann\\x00Lee");
  EXPECT_EQ(csv_cell("Ann\x7f"), "Ann\\x7F");
  EXPECT_EQ(csv_cell("Ann\xff"), "Ann\\xFF");
  EXPECT_EQ(csv_cell("Ann\xe2\x80\xae" "eviL"), "Ann\\xE2\\x80\\xAEeviL") << "bidi override";
  EXPECT_EQ(csv_cell("=\x1b[2J"), "\"'=\\x1B[2J\"");
}

TEST(CsvWriter, LineEndsWithCrLf) {
  EXPECT_EQ(csv_line({"NUMBER", "=1+1", "a,b"}), "NUMBER,\"'=1+1\",\"a,b\"\r\n");
}

}  // namespace
}  // namespace certd::app
