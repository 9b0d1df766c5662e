// Names made from their parts follow their script's order (issue:
// "Certificates people can trust": 王 + 小明 printed as "小明 王").
#include "connector/lms.hpp"

#include <gtest/gtest.h>

namespace certd::connector {
namespace {

TEST(PersonName, ChineseAndJapaneseNamesPutTheFamilyNameFirstWithoutASpace) {
  EXPECT_EQ(compose_full_name("小明", "王"), "王小明");
  EXPECT_EQ(compose_full_name("太郎", "山田"), "山田太郎");
  EXPECT_EQ(compose_full_name("さくら", "佐々木"), "佐々木さくら");
  EXPECT_EQ(compose_full_name("ナオミ", "ワタナベ"), "ワタナベナオミ");
}

TEST(PersonName, KoreanNamesPutTheFamilyNameFirstAndSpaceOnlyATwoSyllableOne) {
  EXPECT_EQ(compose_full_name("민준", "김"), "김민준");
  EXPECT_EQ(compose_full_name("억", "남궁"), "남궁 억") << "남궁억 could be read 남 + 궁억";
}

TEST(PersonName, OtherNamesAndMixedScriptsPutTheGivenNameFirst) {
  EXPECT_EQ(compose_full_name("Zoë", "Ångström-Łukasiewicz"), "Zoë Ångström-Łukasiewicz");
  EXPECT_EQ(compose_full_name("Алексей", "Смирнов"), "Алексей Смирнов");
  EXPECT_EQ(compose_full_name("Ming", "王"), "Ming 王");
  EXPECT_EQ(compose_full_name("小明", "Wang"), "小明 Wang");
}

TEST(PersonName, AMissingPartLeavesTheOtherAlone) {
  EXPECT_EQ(compose_full_name("", "王"), "王");
  EXPECT_EQ(compose_full_name(" Alice ", "  "), "Alice");
  EXPECT_EQ(compose_full_name("", ""), "");
}

}  // namespace
}  // namespace certd::connector
