// libFuzzer target: LTI 1.3 id_tokens as a platform (or an attacker
// posting to the launch route) sends them. An input is either
//
//   a token            peek_header, verify_rs256 against a fixed KeySet,
//                      and read_launch with the input itself as claims;
//   SIGN\n<claims>     the target signs <claims> with the fixed key, then
//                      verifies it and a copy with one signature bit
//                      flipped, and reads the launch from the claims.
//
// Besides no crash, hang or leak: verify accepts a token only when its
// signature is exactly what the fixed key makes over its first two parts
// (RS256 with PKCS#1 v1.5 is deterministic), with alg RS256 and the key's
// kid, and returns a JSON object; a token we signed always verifies and
// gives back the claims, and a flipped bit never does; an accepted launch
// passed its checks; no error message holds more than a short, printable
// excerpt of the input.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lti/jwt.hpp"
#include "lti/launch.hpp"
#include "lti/rsa_key.hpp"

namespace {

using namespace certd;
using namespace certd::lti;

// A key made for this target and its seeds (fuzz/corpus/lti_token/); it
// protects nothing.
constexpr const char* k_private_pem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCdU/gmBO0S+8nA
lp0tort2qjw2k3xKS4eWkCbf6YgJ2cCyxLZsx/a3pII00zPnTwNeq9oOu6sMkbK1
2cj5NPhhK7SaUR1T5GQemYRyeEeiFE6o4FS/i1NJP/7fkDpFCN97h6POFUZ0n3Sv
zAoV94ci1mF/993DSSP3pJG3E7jCL77/VAVUB/cqw5PzBd8YzsrQWrYbcUVp5cSP
e4OshPARzaKBclI2pcZyKAo3ATr1gNjWIiryzli5sAxhLm5QTaj3ITtgf4TiIm77
icBh0I0YWRjT5dd6HHzu6bEuOBPT6BzjJnG8yvSxAxfHI4Mn8FO7KWtoNV7Hl5rn
R0MJEbfTAgMBAAECggEARWWAk+SgXjtKJvVIp5ScdB9rJ/euX2cpi7RSMXplU1MF
uNUkUp9xqFecR4jR4DnuFphfOxh0vrqVxbkm+SXwWYxZwaf9879OmmDFF2kOz+N9
PuiU+ViPiEP+PMb1rPXY/jg6fPDNfyvG4LRzznS82xUNNNE0tKtSfi3NSKAeYyjS
uvrb2lJ03fibeIuNX3yNCOvasR3iUkMNyNsgK9mZoYFOjbqpcKM7bjUB3aiGinM0
+C5FVYKKEOYqkX+aywyZWQamFFYhBcZutOxUNOyCmAoyLIDwKj5fbpOXXkzRuELa
YeXIbZzLbJqHsrJjNix9pILeZX4dfPP6AENpADjlgQKBgQDafBVW8UG8DiyNnGTW
8b6Bu0qX29Cn7jx3zUTwzNW3KQ1N3rSnVO45zieYKRfDRz1tX0OXexhwmz9k8GIP
Djr+r8jwuGZjjoyQIIamYBE8OMUBFjnw9uMAbBwTxZJEhePrGOH1Jldelm++STs2
T7UdShunxKIznvkne9x9Cr+jowKBgQC4V6AaoJEIfSOj43FoHwqBx/CYabRZwOaL
mW7+NrPQa4qYBKyHv6JmwtDNI1JRJl3HiI1WnQMGlmEbs3HUPGAPbnytvjM5hWUE
sVP/QGddldJGgqpD29RpF0S5aVGuPuvV7q49Al+ranjQtr4PNEMdEfBxodWqgvgm
g8aBztZeEQKBgA3GbQICTAazThPPnHwA2eYMDPPuJAWye5WCF6qm/4KA0BnsxK8Y
J7z1RoHNdXYWc8UFkJloZW4UG7cdgNE6MHYGV0D2H15/ilU798FdpTiKy8D5ycVr
i3xnVI3akxJG7svP0c9HD5MjIQB6VYVjGSQzm/LD7wYaK9NVd91aZCLJAoGBAJQY
uaSKuNn0By0Ebbizr3JCWfVofp7YzZ77fmM3OVDJBQhKQP2yJFugSbV0mg5d31uN
Rdd+vs6NA6kIiftzIc1j+0BuHKMqmtShThUz/Zb+5XcGRJnNwyFGs0yt4xQ0sq0l
Ws/i109Uc4liNuDqILz7C4uO86RQIeJ3XYQt0qSxAoGAcMRqVcgdPKHmhESmiJT3
b9H1Yf2SSGnE0h91pyRlNTCmxnHyqHP616eoj8F6GwCulZI3GIp6Ep3fmd3ubO/N
CZdKGYYs+rwMQ610kR1aZW/CFD1u9BYftxPqsvv6kNGsL0DdvCgpsW1T4iJ5XS6w
PbQWoTvTalPPVmNlJfyq7pQ=
-----END PRIVATE KEY-----
)";

constexpr std::int64_t k_now = 1795437296;
constexpr std::size_t k_max_message_bytes = 300;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_lti_token: %s: %s\n", what, detail.c_str());
  std::abort();
}

const RsaKey& fixed_key() {
  static const RsaKey key = *RsaKey::from_private_pem(k_private_pem);
  return key;
}

const KeySet& fixed_keys() {
  static const KeySet keys = [] {
    KeySet set = *KeySet::parse(fixed_key().public_jwks_json());
    if (!set.contains(fixed_key().kid())) fail("our own JWKS", "does not hold our kid");
    return set;
  }();
  return keys;
}

const Platform& platform() {
  static const Platform p{"https://moodle.example.edu", "certd-client-1", "https://moodle.example.edu/mod/lti/auth.php",
                          "https://moodle.example.edu/mod/lti/certs.php", {"3", "7"}};
  return p;
}

LaunchExpectation expectation() {
  LaunchExpectation e;
  e.nonce = "n-0S6_WzA2Mj";
  e.now = k_now;
  return e;
}

// Errors may quote at most a short printable excerpt of the input.
template <typename T>
void check_message(const Result<T>& result, const char* where) {
  if (result) return;
  const std::string& message = result.error().message();
  if (message.empty() || message.size() > k_max_message_bytes) fail(where, "an error message of " + std::to_string(message.size()) + " bytes");
  for (char c : message)
    if (c < 0x20 || c > 0x7e) fail(where, "an error message with unprintable bytes");
}

void check_launch(const std::string& claims) {
  auto launch = read_launch(claims, platform(), expectation());
  check_message(launch, "read_launch");
  if (!launch) return;
  const auto& ids = platform().deployment_ids;
  if (launch->issuer != platform().issuer) fail("launch accepted", "from another issuer");
  if (launch->subject.empty()) fail("launch accepted", "without a subject");
  if (std::find(ids.begin(), ids.end(), launch->deployment_id) == ids.end()) fail("launch accepted", "for another deployment");
  if (launch->role != role_of(launch->roles)) fail("launch accepted", "with a role its roles do not give");
  if (launch->role == LaunchRole::teacher && launch->course_shortname.empty()) fail("launch accepted", "teacher without a course");
}

// The oracle for an accepted token: its signature must be the one the
// fixed key makes over "header.payload".
void check_accepted(std::string_view token, const std::string& payload) {
  std::size_t last = token.rfind('.');
  auto signature = base64url_decode(token.substr(last + 1));
  auto expected = fixed_key().sign_rs256(token.substr(0, last));
  if (!signature || !expected || *signature != *expected) fail("verify accepted", "a signature the key did not make");
  auto header = peek_header(token);
  if (!header || header->alg != "RS256" || header->kid != fixed_key().kid()) fail("verify accepted", "a header that is not RS256 with our kid");
  if (!nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false).is_object()) fail("verify accepted", "a payload that is not an object");
}

void fuzz_token(std::string_view token) {
  auto header = peek_header(token);
  check_message(header, "peek_header");
  auto claims = verify_rs256(token, fixed_keys());
  check_message(claims, "verify_rs256");
  if (claims) check_accepted(token, *claims);
  if (!header && claims) fail("verify accepted", "a token whose header does not parse");
  check_launch(std::string(token));
}

void fuzz_signed(const std::string& claims) {
  auto token = sign_rs256(claims, fixed_key());
  const bool object = nlohmann::json::parse(claims, nullptr, /*allow_exceptions=*/false).is_object();
  if (bool(token) != object) fail("sign_rs256", "signed a non-object or refused an object");
  if (token) {
    auto verified = verify_rs256(*token, fixed_keys());
    // Claims too long for a token are refused unread; all others verify.
    if (token->size() <= k_max_token_bytes && (!verified || *verified != claims)) fail("our own token", "did not verify to its claims");
    std::string flipped = *token;
    char& c = flipped[flipped.size() - 2];
    c = c == 'A' ? 'B' : 'A';
    if (verify_rs256(flipped, fixed_keys())) fail("verify accepted", "a token with a changed signature");
  }
  check_launch(claims);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view k_sign = "SIGN\n";
  if (input.substr(0, k_sign.size()) == k_sign) fuzz_signed(std::string(input.substr(k_sign.size())));
  else fuzz_token(input);
  return 0;
}
