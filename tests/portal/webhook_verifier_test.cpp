#include "portal/webhook_verifier.hpp"

#include <gtest/gtest.h>

namespace certd::portal {
namespace {

// The Standard Webhooks reference test vector (docs/libraries.md §7).
constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* k_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t k_timestamp = 1614265330;
constexpr const char* k_body = "{\"test\": 2432232314}";
constexpr const char* k_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
// Another source's secret (base64 of 32 bytes).
constexpr const char* k_other_secret = "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=";

WebhookVerifier verifier() {
  WebhookVerifier v(Duration(300));
  EXPECT_TRUE(v.add_source("moodle", k_secret));
  EXPECT_TRUE(v.add_source("reports", k_other_secret));
  return v;
}
WebhookHeaders headers(const std::string& signature) { return {k_id, std::to_string(k_timestamp), signature}; }

TEST(WebhookVerifier, AcceptsTheReferenceVector) {
  EXPECT_TRUE(verifier().verify("moodle", headers(k_signature), k_body, from_unix(k_timestamp)));
  EXPECT_EQ(verifier().sign("moodle", k_id, k_timestamp, k_body), k_signature);
}

TEST(WebhookVerifier, AcceptsAnyOfSeveralSignatures) {
  std::string rotated = std::string("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ") + k_signature;
  EXPECT_TRUE(verifier().verify("moodle", headers(rotated), k_body, from_unix(k_timestamp)));
  EXPECT_TRUE(
      verifier().verify("moodle", headers(std::string("v1,xyz, ") + k_signature), k_body, from_unix(k_timestamp)));
}

TEST(WebhookVerifier, RefusesTamperingWithBodyIdOrSignature) {
  auto v = verifier();
  EXPECT_EQ(v.verify("moodle", headers(k_signature), "{\"test\": 2432232315}", from_unix(k_timestamp)).error().code(),
            ErrorCode::permission_denied);
  WebhookHeaders other = headers(k_signature);
  other.id = "msg_other";
  EXPECT_EQ(v.verify("moodle", other, k_body, from_unix(k_timestamp)).error().code(), ErrorCode::permission_denied);
  EXPECT_FALSE(
      v.verify("moodle", headers("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="), k_body, from_unix(k_timestamp)));
  EXPECT_FALSE(
      v.verify("moodle", headers("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), k_body, from_unix(k_timestamp)));
}

// The same request, byte for byte, at another /hooks/{source}: that
// source's secret does not verify it.
TEST(WebhookVerifier, ARequestSignedForOneSourceIsRefusedAtAnother) {
  auto v = verifier();
  Status replayed = v.verify("reports", headers(k_signature), k_body, from_unix(k_timestamp));
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.error().code(), ErrorCode::permission_denied);
  std::string for_reports = v.sign("reports", k_id, k_timestamp, k_body);
  EXPECT_NE(for_reports, k_signature);
  EXPECT_TRUE(v.verify("reports", headers(for_reports), k_body, from_unix(k_timestamp)));
  EXPECT_FALSE(v.verify("moodle", headers(for_reports), k_body, from_unix(k_timestamp)));
}

TEST(WebhookVerifier, ASourceThatWasNotAddedIsNotFound) {
  auto v = verifier();
  EXPECT_TRUE(v.has_source("moodle"));
  EXPECT_FALSE(v.has_source("canvas"));
  Status unknown = v.verify("canvas", headers(k_signature), k_body, from_unix(k_timestamp));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::not_found);
  EXPECT_EQ(v.sign("canvas", k_id, k_timestamp, k_body), "");
  EXPECT_FALSE(WebhookVerifier(Duration(300)).has_source("moodle")) << "no sources: none is known";
}

TEST(WebhookVerifier, RefusesReplaysOutsideTheWindowBeforeCheckingTheMac) {
  auto v = verifier();
  EXPECT_TRUE(v.verify("moodle", headers(k_signature), k_body, from_unix(k_timestamp + 300)));
  auto late = v.verify("moodle", headers(k_signature), k_body, from_unix(k_timestamp + 301));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::invalid_argument);
  EXPECT_FALSE(v.verify("moodle", headers(k_signature), k_body, from_unix(k_timestamp - 301)));
  EXPECT_EQ(v.verify("moodle", {k_id, "yesterday", k_signature}, k_body, from_unix(k_timestamp)).error().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(
      v.verify("moodle", {"", std::to_string(k_timestamp), k_signature}, k_body, from_unix(k_timestamp)).error().code(),
      ErrorCode::invalid_argument);
}

TEST(WebhookVerifier, RefusesWeakOrMalformedSecrets) {
  WebhookVerifier v(Duration(300));
  Status short_secret = v.add_source("moodle", "whsec_c2hvcnQ=");
  ASSERT_FALSE(short_secret);
  EXPECT_EQ(short_secret.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(short_secret.error().message(), "webhook secret must be whsec_ followed by base64 of 24 to 64 bytes");
  EXPECT_FALSE(v.add_source("moodle", "whsec_not base64!"));
  EXPECT_FALSE(v.add_source("", k_secret));
  EXPECT_FALSE(v.has_source("moodle"));
}

// Two sources with one secret would accept each other's requests again.
TEST(WebhookVerifier, RefusesASecretAnotherSourceHasAndANameGivenTwice) {
  WebhookVerifier v(Duration(300));
  ASSERT_TRUE(v.add_source("moodle", k_secret));
  Status shared = v.add_source("reports", std::string(k_secret).substr(6));  // the same key without whsec_
  ASSERT_FALSE(shared);
  EXPECT_EQ(shared.error().message(),
            "the same secret as webhook source 'moodle': a request signed for one would be accepted at the other; "
            "give each source its own");
  EXPECT_FALSE(v.has_source("reports"));
  EXPECT_FALSE(v.add_source("moodle", k_other_secret));
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("token", "token"));
  EXPECT_FALSE(constant_time_equal("token", "tokem"));
  EXPECT_FALSE(constant_time_equal("token", "token2"));
}

}  // namespace
}  // namespace certd::portal
