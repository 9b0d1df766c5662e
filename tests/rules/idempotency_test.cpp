#include "rules/idempotency.hpp"

#include <gtest/gtest.h>

namespace certd::rules {
namespace {

TEST(IdempotencyKey, HasTheDocumentedTextForm) {
  EXPECT_EQ(rule_key("swim-level-3", "42", "SWIM-L3").to_string(), "rule:swim-level-3|student:42|course:SWIM-L3|gen:1");
  IdempotencyKey adhoc{Origin::adhoc, "event-17", "42", "", 1};
  EXPECT_EQ(adhoc.to_string(), "adhoc:event-17|student:42|course:|gen:1");
  IdempotencyKey batch{Origin::batch, "3", "7", "FA-101", 2};
  EXPECT_EQ(batch.to_string(), "batch:3|student:7|course:FA-101|gen:2");
}

TEST(IdempotencyKey, EscapesSeparatorsInIdsAndCourseNames) {
  IdempotencyKey key = rule_key("r", "a|b", "100% Swim|Pool");
  EXPECT_EQ(key.to_string(), "rule:r|student:a%7Cb|course:100%25 Swim%7CPool|gen:1");
  auto back = parse_idempotency_key(key.to_string());
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, key);
}

TEST(IdempotencyKey, ReissueIsTheNextGenerationOfTheSameKey) {
  IdempotencyKey first = rule_key("first-aid", "42", "FA-101");
  IdempotencyKey second = reissue_key(first);
  EXPECT_EQ(second.generation, 2);
  EXPECT_EQ(second.to_string(), "rule:first-aid|student:42|course:FA-101|gen:2");
  EXPECT_NE(first.to_string(), second.to_string()) << "the store keeps keys unique";
  EXPECT_EQ(reissue_key(second).generation, 3);
}

TEST(IdempotencyKey, ParsesWhatItWritesForEveryOrigin) {
  for (const IdempotencyKey& key : {rule_key("x", "1", "C", 9), IdempotencyKey{Origin::adhoc, "e:1", "2", "", 1},
                                    IdempotencyKey{Origin::batch, "5", "3", "FA", 12}}) {
    auto back = parse_idempotency_key(key.to_string());
    ASSERT_TRUE(back) << key.to_string() << ": " << back.error().to_string();
    EXPECT_EQ(*back, key) << key.to_string();
  }
}

TEST(IdempotencyKey, RefusesMalformedText) {
  for (const char* text : {"", "rule:x", "rule:x|student:1|course:C", "rule:x|student:1|course:C|gen:0",
                           "rule:x|student:1|course:C|gen:01", "rule:x|student:1|course:C|gen:-1",
                           "rule:x|student:1|course:C|gen:1|extra:2", "award:x|student:1|course:C|gen:1",
                           "rule:|student:1|course:C|gen:1", "rule:x|student:|course:C|gen:1",
                           "rule:x|pupil:1|course:C|gen:1", "rule:x|student:1%zz|course:C|gen:1",
                           "rule:x|student:1|course:C|gen:99999999999"}) {
    auto key = parse_idempotency_key(text);
    ASSERT_FALSE(key) << text;
    EXPECT_EQ(key.error().code(), ErrorCode::parse_error) << text;
  }
}

TEST(KeyForLog, AStudentNamedByAddressIsNotWrittenOut) {
  EXPECT_EQ(key_for_log("batch:first-aid:0123abcd|student:ana.lopez@families.example|course:FA-101|gen:1"),
            "batch:first-aid:0123abcd|student:(address)|course:FA-101|gen:1");
  // Ids stay, and so does what is not a key at all.
  EXPECT_EQ(key_for_log("rule:first-aid|student:42|course:FA-101|gen:2"), "rule:first-aid|student:42|course:FA-101|gen:2");
  EXPECT_EQ(key_for_log("not a key"), "not a key");
}

}  // namespace
}  // namespace certd::rules
