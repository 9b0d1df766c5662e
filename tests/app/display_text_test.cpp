// The one check for names and other text from outside (issue 12): what it
// refuses, and that its message says what and where without the raw bytes.
#include "app/display_text.hpp"

#include <gtest/gtest.h>

namespace certd::app {
namespace {

std::string refusal(const std::string& text, TextKind kind = TextKind::name) {
  Status checked = check_display_text(text, kind, "name");
  EXPECT_FALSE(checked) << "accepted: " << text;
  if (checked) return "";
  EXPECT_EQ(checked.error().code(), ErrorCode::invalid_argument);
  return checked.error().message();
}

TEST(DisplayText, AcceptsNamesInAnyScript) {
  for (const char* name : {"Ada Lovelace", "Zoë Ångström-Łukasiewicz", "王小明", "Алексей Смирнов", "O'Brien, Seán",
                           "محمد", "=HYPERLINK(\"http://evil.example\",\"open\")", "@Lifeguard", "-2+3"})
    EXPECT_TRUE(check_display_text(name, TextKind::name, "name")) << name;
}

TEST(DisplayText, RefusesControlCharactersShowingThemEscaped) {
  EXPECT_EQ(refusal("\x1b[31mred"), "name contains a control character (U+001B) at character 1: \"\\x1B[31mred\"");
  EXPECT_EQ(refusal("\x1b[2J"), "name contains a control character (U+001B) at character 1: \"\\x1B[2J\"");
  EXPECT_EQ(refusal("Ann\t=cmd"), "name contains a control character (U+0009) at character 4: \"Ann\\x09=cmd\"");
  EXPECT_EQ(refusal(std::string("Ann\0Lee", 7)), "name contains a NUL character (U+0000) at character 4: \"Ann\\x00Lee\"");
  EXPECT_EQ(refusal("Ann\x7f"), "name contains a control character (U+007F) at character 4: \"Ann\\x7F\"");
  EXPECT_EQ(refusal("Zoë\xc2\x9b" "2J"), "name contains a control character (U+009B) at character 4: \"Zoë\\xC2\\x9B2J\"");
  EXPECT_EQ(refusal("two\nlines"), "name contains a control character (U+000A) at character 4: \"two\\x0Alines\"");
  EXPECT_EQ(refusal("Ann\xe2\x80\xa8Lee"), "name contains a line break (U+2028) at character 4: \"Ann\\xE2\\x80\\xA8Lee\"");
}

TEST(DisplayText, RefusesBidiOverridesAndIsolates) {
  EXPECT_EQ(refusal("Ann\xe2\x80\xae" "eviL"),
            "name contains a bidirectional control character (U+202E) at character 4: \"Ann\\xE2\\x80\\xAEeviL\"");
  for (const char* bidi : {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x81\xa6",
                           "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9"})
    EXPECT_NE(refusal(std::string("Ann ") + bidi + "Lee").find("bidirectional control character"), std::string::npos);
}

TEST(DisplayText, RefusesMalformedUtf8) {
  for (const char* bad : {"Ann\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "Ann\xe4\xb8"}) {
    std::string message = refusal(bad);
    EXPECT_EQ(message.rfind("name is not valid UTF-8", 0), 0u) << message;
    EXPECT_EQ(message.find(bad), std::string::npos) << "the raw bytes are not echoed: " << message;
  }
}

TEST(DisplayText, RefusesEmptyAndBlankText) {
  EXPECT_EQ(refusal(""), "name is empty");
  EXPECT_EQ(refusal("   "), "name is empty");
  EXPECT_EQ(refusal("\xc2\xa0\xe3\x80\x80\xe2\x80\x8b"), "name is empty") << "NBSP, ideographic space, ZWSP";
}

TEST(DisplayText, CapsTheLengthInCharactersNotBytes) {
  EXPECT_TRUE(check_display_text(std::string(k_max_name_length, 'a'), TextKind::name, "name"));
  std::string cjk;
  for (std::size_t i = 0; i < k_max_name_length; ++i) cjk += "王";
  EXPECT_TRUE(check_display_text(cjk, TextKind::name, "name")) << "200 characters in 600 bytes";
  std::string message = refusal(std::string(10000, 'a'));
  EXPECT_EQ(message.rfind("name is 10000 characters long; at most 200: \"aaaa", 0), 0u) << message;
  EXPECT_LT(message.size(), 200u) << "the text is shown cut short";
}

TEST(DisplayText, NotesMayBreakLinesButNotHoldOtherControls) {
  EXPECT_TRUE(check_display_text("Great work,\nZoë\r\nwell done", TextKind::notes, "notes"));
  EXPECT_TRUE(check_display_text(std::string(k_max_notes_length, 'x'), TextKind::notes, "notes"));
  EXPECT_FALSE(check_display_text(std::string(k_max_notes_length + 1, 'x'), TextKind::notes, "notes"));
  EXPECT_EQ(refusal("see\tthis", TextKind::notes),
            "name contains a control character (U+0009) at character 4: \"see\\x09this\"");
  EXPECT_EQ(refusal("\x1b[2J", TextKind::notes),
            "name contains a control character (U+001B) at character 1: \"\\x1B[2J\"");
}

}  // namespace
}  // namespace certd::app
