#include "lti/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "test_keys.hpp"

namespace certd::lti {
namespace {

using testing::other_key;
using testing::platform_key;

const std::string k_claims = R"({"iss":"https://moodle.example.edu","sub":"42","name":"Zoë"})";

KeySet platform_keys() {
  KeySet keys;
  keys.add(platform_key());
  return keys;
}

std::string token_of(const std::string& header_json, const std::string& claims, const std::string& signature) {
  return base64url_encode(header_json) + "." + base64url_encode(claims) + "." + base64url_encode(signature);
}

std::string header_with(const std::string& alg, const std::string& kid) {
  return nlohmann::json{{"alg", alg}, {"kid", kid}, {"typ", "JWT"}}.dump();
}

// A token signed over exactly these header and claims bytes.
std::string rs256_token(const std::string& header_json, const std::string& claims, const RsaKey& key) {
  std::string input = base64url_encode(header_json) + "." + base64url_encode(claims);
  return input + "." + base64url_encode(*key.sign_rs256(input));
}

void expect_refused(const Result<std::string>& result, ErrorCode code, const std::string& words = "") {
  ASSERT_FALSE(result) << "accepted: " << *result;
  EXPECT_EQ(result.error().code(), code) << result.error().message();
  if (!words.empty()) {
    EXPECT_NE(result.error().message().find(words), std::string::npos) << result.error().message();
  }
}

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int length = 0; length < 40; ++length) {
    std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.find_first_of("=+/"), std::string::npos) << text;
    auto back = base64url_decode(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, bytes);
    bytes += static_cast<char>(0xfb + length);  // bytes that encode to '-' and '_'
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, IsStrict) {
  for (const char* bad : {"QQ==", "QQ=", "a+b/", "QUJD RA", "Q", "QUJDR", "QR", "QUI\n", "QU\xc3\xa9"}) {
    auto result = base64url_decode(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code(), ErrorCode::parse_error);
  }
  EXPECT_EQ(*base64url_decode("QQ"), "A");
  EXPECT_EQ(*base64url_decode(""), "");
}

TEST(Jwt, ASignedTokenVerifiesAndGivesItsClaims) {
  auto token = sign_rs256(k_claims, platform_key());
  ASSERT_TRUE(token) << token.error().to_string();
  auto header = peek_header(*token);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->alg, "RS256");
  EXPECT_EQ(header->kid, platform_key().kid());
  auto claims = verify_rs256(*token, platform_keys());
  ASSERT_TRUE(claims) << claims.error().to_string();
  EXPECT_EQ(*claims, k_claims);
}

TEST(Jwt, SigningRefusesClaimsThatAreNotAnObject) {
  EXPECT_EQ(sign_rs256("[1,2]", platform_key()).error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(sign_rs256("{", platform_key()).error().code(), ErrorCode::invalid_argument);
}

TEST(Jwt, ATamperedPayloadDoesNotVerify) {
  std::string token = *sign_rs256(k_claims, platform_key());
  std::size_t first = token.find('.');
  std::size_t second = token.find('.', first + 1);
  std::string forged = token.substr(0, first + 1) + base64url_encode(R"({"iss":"https://moodle.example.edu","sub":"2"})") +
                       token.substr(second);
  expect_refused(verify_rs256(forged, platform_keys()), ErrorCode::permission_denied, "signature");
}

TEST(Jwt, ATamperedSignatureDoesNotVerify) {
  std::string token = *sign_rs256(k_claims, platform_key());
  std::size_t dot = token.rfind('.');
  std::string signature = *base64url_decode(token.substr(dot + 1));
  signature[100] = static_cast<char>(signature[100] ^ 1);
  expect_refused(verify_rs256(token.substr(0, dot + 1) + base64url_encode(signature), platform_keys()),
                 ErrorCode::permission_denied, "signature");
  expect_refused(verify_rs256(token.substr(0, dot + 1), platform_keys()), ErrorCode::permission_denied, "signature");
}

TEST(Jwt, AnotherKeysSignatureUnderOurKidDoesNotVerify) {
  std::string token = rs256_token(header_with("RS256", platform_key().kid()), k_claims, other_key());
  expect_refused(verify_rs256(token, platform_keys()), ErrorCode::permission_denied, "signature");
}

TEST(Jwt, AlgNoneIsRefused) {
  for (const char* alg : {"none", "None", "NONE"}) {
    std::string token = token_of(header_with(alg, platform_key().kid()), k_claims, "");
    expect_refused(verify_rs256(token, platform_keys()), ErrorCode::permission_denied, "not RS256");
  }
  std::string no_alg = token_of(R"({"kid":")" + platform_key().kid() + "\"}", k_claims, "x");
  expect_refused(verify_rs256(no_alg, platform_keys()), ErrorCode::permission_denied, "not RS256");
}

// The classic confusion attack: an HS256 token whose HMAC key is the
// platform's public key PEM, which anyone can download.
TEST(Jwt, Hs256MacedWithThePublicKeyPemIsRefused) {
  std::string pem = platform_key().public_pem();
  std::string input = base64url_encode(header_with("HS256", platform_key().kid())) + "." + base64url_encode(k_claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &length);
  std::string token = input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), length));
  expect_refused(verify_rs256(token, platform_keys()), ErrorCode::permission_denied, "'HS256' is not RS256");
}

TEST(Jwt, OtherRsaAlgorithmsAreRefusedEvenWithAGoodSignature) {
  for (const char* alg : {"RS384", "PS256", "rs256"}) {
    std::string token = rs256_token(header_with(alg, platform_key().kid()), k_claims, platform_key());
    expect_refused(verify_rs256(token, platform_keys()), ErrorCode::permission_denied, "not RS256");
  }
}

TEST(Jwt, AnUnknownOrMissingKidIsRefused) {
  std::string unknown = rs256_token(header_with("RS256", "rotated-away"), k_claims, platform_key());
  expect_refused(verify_rs256(unknown, platform_keys()), ErrorCode::permission_denied, "unknown key ID 'rotated-away'");
  std::string missing = rs256_token(R"({"alg":"RS256"})", k_claims, platform_key());
  expect_refused(verify_rs256(missing, platform_keys()), ErrorCode::permission_denied, "kid");
  std::string long_kid(200, 'k');
  std::string hidden = rs256_token(header_with("RS256", long_kid), k_claims, platform_key());
  auto result = verify_rs256(hidden, platform_keys());
  expect_refused(result, ErrorCode::permission_denied, "(not shown)");
  EXPECT_EQ(result.error().message().find(long_kid), std::string::npos);
}

TEST(Jwt, CriticalHeaderExtensionsAreRefused) {
  std::string header = R"({"alg":"RS256","kid":")" + platform_key().kid() + R"(","crit":["exp"],"exp":1})";
  expect_refused(verify_rs256(rs256_token(header, k_claims, platform_key()), platform_keys()),
                 ErrorCode::permission_denied, "critical");
}

TEST(Jwt, APayloadThatIsNotAnObjectIsAParseError) {
  for (const char* payload : {"[1]", "\"text\"", "{", ""}) {
    std::string token = rs256_token(header_with("RS256", platform_key().kid()), payload, platform_key());
    expect_refused(verify_rs256(token, platform_keys()), ErrorCode::parse_error, "not a JSON object");
  }
}

TEST(Jwt, MalformedTokensAreParseErrors) {
  std::string good = *sign_rs256(k_claims, platform_key());
  std::size_t dot = good.find('.');
  const std::string cases[] = {
      "",
      "abc",
      "a.b",
      good + ".x",
      good.substr(0, dot) + "=" + good.substr(dot),       // padding
      good.substr(0, dot) + "+" + good.substr(dot + 1),   // standard alphabet
      "e30." + good.substr(dot + 1),                      // header {} is fine, but...
      base64url_encode("[]") + good.substr(dot),          // a header that is not an object
      base64url_encode("{\"alg\":5}") + good.substr(dot)  // alg not a string
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    if (i == 6) continue;  // {} as header parses; verify refuses it for its missing alg
    auto result = verify_rs256(cases[i], platform_keys());
    ASSERT_FALSE(result) << i;
    EXPECT_EQ(result.error().code(), ErrorCode::parse_error) << i << ": " << result.error().message();
    EXPECT_FALSE(peek_header(cases[i])) << i;
  }
  EXPECT_EQ(verify_rs256(cases[6], platform_keys()).error().code(), ErrorCode::permission_denied);
}

TEST(Jwt, TokensOverTheLimitAreRefusedUnread) {
  std::string claims = R"({"pad":")" + std::string(k_max_token_bytes, 'x') + "\"}";
  std::string token = rs256_token(header_with("RS256", platform_key().kid()), claims, platform_key());
  expect_refused(verify_rs256(token, platform_keys()), ErrorCode::parse_error, "longer than");
  EXPECT_EQ(peek_header(token).error().code(), ErrorCode::parse_error);
}

TEST(KeySet, ReadsOurJwksAndVerifiesWithIt) {
  auto keys = KeySet::parse(platform_key().public_jwks_json());
  ASSERT_TRUE(keys) << keys.error().to_string();
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_TRUE(keys->contains(platform_key().kid()));
  auto claims = verify_rs256(*sign_rs256(k_claims, platform_key()), *keys);
  ASSERT_TRUE(claims) << claims.error().to_string();
  EXPECT_EQ(*claims, k_claims);
  // The public set cannot verify another key's token.
  expect_refused(verify_rs256(*sign_rs256(k_claims, other_key()), *keys), ErrorCode::permission_denied, "unknown key ID");
}

TEST(KeySet, SkipsKeysThatAreNotRs256SigningKeysWithAKid) {
  nlohmann::json ours = nlohmann::json::parse(platform_key().public_jwk_json());
  nlohmann::json other = nlohmann::json::parse(other_key().public_jwk_json());
  auto variant = [&](const char* kid, auto change) {
    nlohmann::json jwk = other;
    jwk["kid"] = kid;
    change(jwk);
    return jwk;
  };
  nlohmann::json jwks = {{"keys",
                          {
                              {{"kty", "EC"}, {"crv", "P-256"}, {"kid", "ec"}, {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uI_j1nmY"},
                               {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}},
                              variant("enc", [](nlohmann::json& k) { k["use"] = "enc"; }),
                              variant("ps256", [](nlohmann::json& k) { k["alg"] = "PS256"; }),
                              variant("", [](nlohmann::json& k) { k.erase("kid"); }),
                              variant("empty-kid", [](nlohmann::json& k) { k["kid"] = ""; }),
                              variant("bad-n", [](nlohmann::json& k) { k["n"] = "not*base64url"; }),
                              variant("even-e", [](nlohmann::json& k) { k["e"] = "AQAA"; }),
                              variant("e-one", [](nlohmann::json& k) { k["e"] = "AQ"; }),
                              variant("short", [](nlohmann::json& k) { k["n"] = k["n"].get<std::string>().substr(0, 172); }),
                              variant("n-number", [](nlohmann::json& k) { k["n"] = 5; }),
                              "not an object",
                              variant("plain", [](nlohmann::json& k) { k.erase("use"); k.erase("alg"); }),
                              ours,
                          }}};
  auto keys = KeySet::parse(jwks.dump());
  ASSERT_TRUE(keys) << keys.error().to_string();
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->contains(platform_key().kid()));
  EXPECT_TRUE(keys->contains("plain")) << "use and alg may be absent";
}

TEST(KeySet, ReadsTheRfc7638ExampleKey) {
  std::string jwks = R"({"keys":[{"kty":"RSA","kid":"2011-04-29","e":"AQAB","n":")"
                     "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRX"
                     "jBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSq"
                     "zs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHa"
                     "Q-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\"}]}";
  auto keys = KeySet::parse(jwks);
  ASSERT_TRUE(keys) << keys.error().to_string();
  EXPECT_TRUE(keys->contains("2011-04-29"));
}

TEST(KeySet, TextThatIsNotASetIsAParseErrorAndAnEmptySetIsNot) {
  for (const char* text : {"", "[]", "{}", R"({"keys":{}})", "{\"keys\":[", "null"})
    EXPECT_EQ(KeySet::parse(text).error().code(), ErrorCode::parse_error) << text;
  auto empty = KeySet::parse(R"({"keys":[]})");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->size(), 0u);
}

}  // namespace
}  // namespace certd::lti
