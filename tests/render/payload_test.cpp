// The signed payload (render/payload.hpp) as certd verify reads it back:
// every fact, the award's title among them, and payloads signed before a
// key existed.

#include "render/payload.hpp"

#include <gtest/gtest.h>

#include "render_test_util.hpp"

namespace certd::render {
namespace {

const DrawnDigests k_drawn{{std::string(64, 'a')}, std::string(64, 'b')};

TEST(Payload, RoundTripsEveryFactWithTheTitle) {
  CertificateData data = testing::fixed_data("Ana Lima");
  data.course_name.clear();  // an ad-hoc award: the title is all that says what it is
  data.title = "Star of the Spring Gala";
  auto facts = parse_payload(canonical_payload(data, "encouragement", "0123456789abcdef", k_drawn));
  ASSERT_TRUE(facts) << facts.error().to_string();
  EXPECT_EQ(facts->title, "Star of the Spring Gala");
  EXPECT_EQ(facts->course, "");
  EXPECT_EQ(facts->student, "Ana Lima");
  EXPECT_EQ(facts->number, testing::fixed_number());
  EXPECT_EQ(facts->template_id, "encouragement");
  EXPECT_EQ(facts->issuer, "Riverside Swim School");
  EXPECT_EQ(facts->issued_at, "2026-11-23T12:00:00Z");
  EXPECT_EQ(facts->expires_at, "2028-11-23T12:00:00Z");
  EXPECT_EQ(facts->key_id, "0123456789abcdef");
  EXPECT_EQ(facts->version, 2);
  EXPECT_EQ(facts->drawn, k_drawn);
}

TEST(Payload, TheTitleIsOneOfTheSignedKeys) {
  CertificateData data = testing::fixed_data();
  std::string payload = canonical_payload(data, "swim-level", "k", k_drawn);
  EXPECT_NE(payload.find(",\"title\":\"Swimming Level 3\",\"v\":2}"), std::string::npos) << payload;
  data.title = "Swimming Level 4";
  EXPECT_NE(canonical_payload(data, "swim-level", "k", k_drawn), payload) << "another title, other signed bytes";
}

// Certificates signed before payloads named the title: both versions
// still parse, and say they have none (not an empty one).
TEST(Payload, APayloadSignedBeforeTitlesStillParses) {
  const std::string digests = "\"document_digest\":\"" + std::string(64, 'b') + "\",\"page_digests\":[\"" +
                              std::string(64, 'a') + "\"],";
  const std::string facts_v2 =
      "{\"course\":\"Swimming Level 3\"," + digests +
      "\"expires_at\":null,\"issued_at\":\"2026-11-23T12:00:00Z\",\"issuer\":\"Riverside Swim School\","
      "\"key\":\"0123456789abcdef\",\"level\":\"Level 3\",\"number\":\"SWIM-V9BK-2C7V\",\"rule\":\"swim-3\","
      "\"student\":\"Zoë Ångström-Łukasiewicz\",\"template\":\"swim-level\",\"v\":2}";
  auto old = parse_payload(facts_v2);
  ASSERT_TRUE(old) << old.error().to_string();
  EXPECT_FALSE(old->title.has_value());
  EXPECT_EQ(old->course, "Swimming Level 3");
  EXPECT_EQ(old->student, "Zoë Ångström-Łukasiewicz");
  EXPECT_FALSE(old->expires_at);

  auto first = parse_payload("{\"course\":\"Swimming Level 3\",\"issued_at\":\"2026-11-23T12:00:00Z\","
                             "\"key\":\"0123456789abcdef\",\"number\":\"SWIM-V9BK-2C7V\",\"student\":\"Zoë\",\"v\":1}");
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_EQ(first->version, 1);
  EXPECT_FALSE(first->title.has_value());
}

}  // namespace
}  // namespace certd::render
