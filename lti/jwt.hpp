#pragma once
// Compact JWS (RFC 7515) with RS256 only: what LTI 1.3 platforms sign
// their id_tokens with. JSON by nlohmann, signatures by OpenSSL; nothing
// here trusts the token's own header beyond choosing a key by `kid`:
// "none", HS256 and every other algorithm are refused before any key is
// touched, so a public key can never be used as an HMAC secret.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "lti/rsa_key.hpp"

namespace certd::lti {

// A longer token is refused unread (Moodle's are about 2 KB).
constexpr std::size_t k_max_token_bytes = 16 * 1024;

// A platform's public keys (RFC 7517 JWK Set), by kid.
class KeySet {
 public:
  // Keeps the RSA keys with a kid whose "use" is "sig" or absent and whose
  // "alg" is "RS256" or absent; skips other keys (EC, "enc", no kid)
  // without failing. parse_error when the text is not a JSON object with a
  // "keys" array; a set with no usable key is empty, not an error.
  static Result<KeySet> parse(std::string_view jwks_json);

  bool contains(const std::string& kid) const { return m_keys.count(kid) != 0; }
  std::size_t size() const { return m_keys.size(); }
  // Adds a key of our own (the simulated platform's, tests).
  void add(const RsaKey& key);

 private:
  friend Result<std::string> verify_rs256(std::string_view token, const KeySet& keys);
  std::map<std::string, std::shared_ptr<evp_pkey_st>> m_keys;
};

struct JwtHeader {
  std::string alg;
  std::string kid;
};

// The header of a compact JWS, read without verifying anything: which key
// a verifier should look for. parse_error for anything that is not three
// base64url parts with a JSON object header, or longer than
// k_max_token_bytes.
Result<JwtHeader> peek_header(std::string_view token);

// Verifies an RS256 compact JWS against `keys` and returns its payload
// (the claims, JSON text, checked to be an object). Errors:
// parse_error: not a compact JWS / bad base64url / payload not an object;
// permission_denied: alg is not RS256, kid missing or not in `keys`
// ("unknown key ID ..."), or the signature does not verify.
// Claims (exp, aud, nonce...) are checked by the caller (launch.hpp).
Result<std::string> verify_rs256(std::string_view token, const KeySet& keys);

// Signs `claims_json` (a JSON object) with header
// {"alg":"RS256","typ":"JWT","kid":key.kid()}.
Result<std::string> sign_rs256(std::string_view claims_json, const RsaKey& key);

// RFC 4648 §5 base64url without padding.
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

}  // namespace certd::lti
