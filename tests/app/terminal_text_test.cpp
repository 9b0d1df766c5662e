// Text from outside printed on a terminal: nothing in it can move the
// cursor, clear the screen, set a title or reorder the line (issue 12).
#include "app/terminal_text.hpp"

#include <gtest/gtest.h>

#include "app/text_table.hpp"

namespace certd::app {
namespace {

TEST(TerminalText, EscapesEveryControlCharacter) {
  EXPECT_EQ(terminal_safe("\x1b[31mred"), "\\x1B[31mred");
  EXPECT_EQ(terminal_safe("\x1b[2J"), "\\x1B[2J");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "2J"), "\\xC2\\x9B2J") << "C1 CSI";
  EXPECT_EQ(terminal_safe(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(terminal_safe("a\tb\r\nc\x7f"), "a\\x09b\\x0D\\x0Ac\\x7F");
}

TEST(TerminalText, EscapesBidiControlsAndEveryMalformedSequence) {
  EXPECT_EQ(terminal_safe("abc\xe2\x80\xae" "fed"), "abc\\xE2\\x80\\xAEfed") << "U+202E";
  EXPECT_EQ(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9"), "\\xE2\\x81\\xA6x\\xE2\\x81\\xA9") << "U+2066, U+2069";
  EXPECT_EQ(terminal_safe("\xc0\xaf"), "\\xC0\\xAF") << "overlong '/'";
  EXPECT_EQ(terminal_safe("\xe0\x80\xaf"), "\\xE0\\x80\\xAF") << "overlong, three bytes";
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "\\xED\\xA0\\x80") << "a surrogate";
  EXPECT_EQ(terminal_safe("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80") << "above U+10FFFF";
  EXPECT_EQ(terminal_safe("\xe4\xb8"), "\\xE4\\xB8") << "cut short";
  EXPECT_EQ(terminal_safe("王小明 Zoë \xf0\x9f\x8f\x8a"), "王小明 Zoë \xf0\x9f\x8f\x8a");
}

TEST(TerminalText, KeepingBreaksKeepsOnlyTabCrAndLf) {
  EXPECT_EQ(terminal_safe_keeping_breaks("a\tb\r\nc\x1b[2J\x0b"), "a\tb\r\nc\\x1B[2J\\x0B");
}

TEST(TextTable, PrintsEveryCellTerminalSafe) {
  TextTable table({"NUMBER", "STUDENT"});
  table.add({"\x1b[2J\x1b[31mPWNED", "\x1b[31mred"});
  table.add({"X-1", "Ann\xc2\x9b" "2J\xe2\x80\xae"});
  std::string text = table.render();
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
  EXPECT_EQ(text.find("\xe2\x80\xae"), std::string::npos) << text;
  const std::string first = "\\x1B[2J\\x1B[31mPWNED";  // 20 columns wide
  EXPECT_EQ(text, "NUMBER" + std::string(16, ' ') + "STUDENT\n" + first + "  \\x1B[31mred\n" + "X-1" +
                      std::string(19, ' ') + "Ann\\xC2\\x9B2J\\xE2\\x80\\xAE\n");
}

TEST(TextTable, CsvNeutralisesFormulasAndControls) {
  TextTable table({"NUMBER", "STUDENT"});
  table.add({"=HYPERLINK(\"http://evil.example\",\"open\")", "\x1b[31mred"});
  EXPECT_EQ(table.csv(),
            "NUMBER,STUDENT\r\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\",\\x1B[31mred\r\n");
}

}  // namespace
}  // namespace certd::app
