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

WebhookVerifier verifier() { return *WebhookVerifier::create({k_secret}, Duration(300)); }
WebhookHeaders headers(const std::string& signature) { return {k_id, std::to_string(k_timestamp), signature}; }

TEST(WebhookVerifier, AcceptsTheReferenceVector) {
  EXPECT_TRUE(verifier().verify(headers(k_signature), k_body, from_unix(k_timestamp)));
  EXPECT_EQ(verifier().sign(k_id, k_timestamp, k_body), k_signature);
}

TEST(WebhookVerifier, AcceptsAnyOfSeveralSignatures) {
  std::string rotated = std::string("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ") + k_signature;
  EXPECT_TRUE(verifier().verify(headers(rotated), k_body, from_unix(k_timestamp)));
  EXPECT_TRUE(verifier().verify(headers(std::string("v1,xyz, ") + k_signature), k_body, from_unix(k_timestamp)));
}

TEST(WebhookVerifier, RefusesTamperingWithBodyIdOrSignature) {
  auto v = verifier();
  EXPECT_EQ(v.verify(headers(k_signature), "{\"test\": 2432232315}", from_unix(k_timestamp)).error().code(),
            ErrorCode::permission_denied);
  WebhookHeaders other = headers(k_signature);
  other.id = "msg_other";
  EXPECT_EQ(v.verify(other, k_body, from_unix(k_timestamp)).error().code(), ErrorCode::permission_denied);
  EXPECT_FALSE(v.verify(headers("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="), k_body, from_unix(k_timestamp)));
  EXPECT_FALSE(v.verify(headers("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), k_body, from_unix(k_timestamp)));
}

TEST(WebhookVerifier, RefusesReplaysOutsideTheWindowBeforeCheckingTheMac) {
  auto v = verifier();
  EXPECT_TRUE(v.verify(headers(k_signature), k_body, from_unix(k_timestamp + 300)));
  auto late = v.verify(headers(k_signature), k_body, from_unix(k_timestamp + 301));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::invalid_argument);
  EXPECT_FALSE(v.verify(headers(k_signature), k_body, from_unix(k_timestamp - 301)));
  EXPECT_EQ(v.verify({k_id, "yesterday", k_signature}, k_body, from_unix(k_timestamp)).error().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(v.verify({"", std::to_string(k_timestamp), k_signature}, k_body, from_unix(k_timestamp)).error().code(),
            ErrorCode::invalid_argument);
}

TEST(WebhookVerifier, RefusesWeakOrMalformedSecrets) {
  EXPECT_FALSE(WebhookVerifier::create({"whsec_c2hvcnQ="}, Duration(300)));
  EXPECT_FALSE(WebhookVerifier::create({"whsec_not base64!"}, Duration(300)));
  EXPECT_FALSE(WebhookVerifier::create({}, Duration(300)));
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("token", "token"));
  EXPECT_FALSE(constant_time_equal("token", "tokem"));
  EXPECT_FALSE(constant_time_equal("token", "token2"));
}

}  // namespace
}  // namespace certd::portal
