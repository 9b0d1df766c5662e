#include "portal/typed_number.hpp"

#include <gtest/gtest.h>

namespace certd::portal {
namespace {

TEST(TypedNumber, AcceptsANumberAsPeopleTypeIt) {
  for (const char* typed : {"SWL3-7K4M-9QXR", "swl3-7k4m-9qxr", "  swl3 7k4m 9qxr ", "SWL37K4M9QXR",
                            "swl3\xE2\x80\x93" "7k4m\xE2\x80\x94" "9qxr", "SWL3\xC2\xA0" "7K4M-9QXR", "s-w-l-3-7k4m9qxr"}) {
    TypedNumber number = read_typed_number(typed);
    EXPECT_EQ(number.verdict, NumberVerdict::well_formed) << typed;
    EXPECT_EQ(number.canonical, "SWL3-7K4M-9QXR") << typed;
  }
}

TEST(TypedNumber, TheCheckCharacterCatchesATypoOrASwap) {
  for (const char* typed : {"SWL3-7K4M-9QXA", "SWL3-7K4N-9QXR", "SWL3-7K4M-9XQR", "SWL3-K74M-9QXR"}) {
    TypedNumber number = read_typed_number(typed);
    EXPECT_EQ(number.verdict, NumberVerdict::typo) << typed;
    EXPECT_EQ(number.canonical, typed);
  }
}

TEST(TypedNumber, WhatIsNotShapedLikeANumberIsNeverShownBack) {
  EXPECT_EQ(read_typed_number("").verdict, NumberVerdict::empty);
  EXPECT_EQ(read_typed_number("  - ").verdict, NumberVerdict::empty);
  for (const char* typed : {"<script>", "SWL3/7K4M/9QXR", "ABC", "7K4M9QX", "ABCDEFGHI-7K4M-9QXR", "\x1b[2J",
                            "Ä-7K4M-9QXR"}) {
    TypedNumber number = read_typed_number(typed);
    EXPECT_EQ(number.verdict, NumberVerdict::not_a_number) << typed;
    EXPECT_TRUE(number.canonical.empty()) << typed;
  }
  EXPECT_EQ(read_typed_number(std::string(100000, 'A')).verdict, NumberVerdict::not_a_number);
}

TEST(TypedNumber, FormValuesAreDecoded) {
  EXPECT_EQ(form_value("number=swl3+7k4m%2D9qxr", "number"), "swl3 7k4m-9qxr");
  EXPECT_EQ(form_value("a=1&number=X&number=Y", "number"), "X");
  EXPECT_EQ(form_value("numbers=X", "number"), "");
  EXPECT_EQ(form_value("number", "number"), "");
  EXPECT_EQ(form_value("number=%ZZ", "number"), "") << "a broken escape gives nothing";
  EXPECT_EQ(form_value("", "number"), "");
}

}  // namespace
}  // namespace certd::portal
