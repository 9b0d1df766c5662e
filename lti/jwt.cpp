#include "lti/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "core/base64.hpp"
#include "lti/openssl_detail.hpp"
#include "lti/shown_value.hpp"

namespace certd::lti {
namespace {

using detail::openssl_error;
using detail::shown_value;
using json = nlohmann::json;

// Keys a platform may publish: below 2048 bits is too weak to trust, and
// above 8192 each verification costs enough to matter if tokens arrive
// in a stream.
constexpr int k_min_key_bits = 2048;
constexpr int k_max_key_bits = 8192;

Error not_a_token(const std::string& why) { return Error(ErrorCode::parse_error, "not a compact JWS: " + why); }
Error refused(const std::string& why) { return Error(ErrorCode::permission_denied, why); }

bool in_url_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// The three parts of a compact JWS, decoded, and the signing input
// ("header.payload", the exact characters received).
struct Parts {
  std::string header;
  std::string payload;
  std::string signature;
  std::string_view signing_input;
};

Result<Parts> split(std::string_view token) {
  if (token.size() > k_max_token_bytes)
    return not_a_token("longer than " + std::to_string(k_max_token_bytes) + " bytes");
  std::size_t first = token.find('.');
  std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return not_a_token("not three parts separated by '.'");
  auto header = base64url_decode(token.substr(0, first));
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !payload || !signature) return not_a_token("a part is not base64url");
  return Parts{std::move(*header), std::move(*payload), std::move(*signature), token.substr(0, second)};
}

Result<JwtHeader> read_header(const std::string& text) {
  json header = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return not_a_token("the header is not a JSON object");
  JwtHeader result;
  for (auto [name, target] : {std::pair{"alg", &result.alg}, std::pair{"kid", &result.kid}}) {
    auto it = header.find(name);
    if (it == header.end()) continue;
    if (!it->is_string()) return not_a_token(std::string("the header's ") + name + " is not a string");
    *target = it->get<std::string>();
  }
  // RFC 7515 §4.1.11: extensions marked critical must be understood, and
  // we understand none.
  if (header.contains("crit")) return refused("the token has critical header extensions, which are not supported");
  return result;
}

Result<std::string> strip_padding(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return base64url_decode(text);
}

// An RSA public key from a JWK's n and e (big-endian, base64url).
std::shared_ptr<evp_pkey_st> public_key(const std::string& n_bytes, const std::string& e_bytes) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n_bytes.data()), static_cast<int>(n_bytes.size()), nullptr),
      BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e_bytes.data()), static_cast<int>(e_bytes.size()), nullptr),
      BN_free);
  // An even or tiny exponent is no RSA key: e = 1 would make every
  // message its own signature.
  if (!n || !e || !BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_num_bits(e.get()) > 64) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return nullptr;
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(builder.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                  EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  auto owned = detail::own_key(key);
  int bits = EVP_PKEY_get_bits(key);
  if (bits < k_min_key_bits || bits > k_max_key_bits) return nullptr;
  return owned;
}

// One JWK of a set: the kid and key when it is an RS256 signing key,
// nothing otherwise (docs: KeySet::parse).
std::pair<std::string, std::shared_ptr<evp_pkey_st>> usable_key(const json& jwk) {
  auto text = [&](const char* name) -> const std::string* {
    auto it = jwk.find(name);
    return it != jwk.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  auto absent_or = [&](const char* name, const char* wanted) {
    return !jwk.contains(name) || (text(name) && *text(name) == wanted);
  };
  if (!jwk.is_object() || !text("kty") || *text("kty") != "RSA" || !text("kid") || text("kid")->empty() ||
      !absent_or("use", "sig") || !absent_or("alg", "RS256") || !text("n") || !text("e"))
    return {};
  // RFC 7518 §6.3.1 says unpadded, but a key published with '=' padding
  // is still the same key.
  auto n = strip_padding(*text("n"));
  auto e = strip_padding(*text("e"));
  if (!n || !e) return {};
  return {*text("kid"), public_key(*n, *e)};
}

bool signature_matches(EVP_PKEY* key, std::string_view signing_input, const std::string& signature) {
  detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  bool matches = ctx && EVP_DigestVerifyInit(ctx.get(), &pkey_ctx, EVP_sha256(), nullptr, key) == 1 &&
                 EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) == 1 &&
                 EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                  signature.size(), reinterpret_cast<const unsigned char*>(signing_input.data()),
                                  signing_input.size()) == 1;
  // A mismatch leaves errors on the queue that belong to nobody.
  ERR_clear_error();
  return matches;
}

}  // namespace

Result<KeySet> KeySet::parse(std::string_view jwks_json) {
  json document = json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("keys") || !document["keys"].is_array())
    return Error(ErrorCode::parse_error, "not a JWK set: no \"keys\" array in a JSON object");
  KeySet set;
  for (const json& jwk : document["keys"]) {
    auto [kid, key] = usable_key(jwk);
    // The first key with a kid wins: a set naming one kid twice is broken,
    // and a later entry must not replace a key already chosen.
    if (key) set.m_keys.emplace(std::move(kid), std::move(key));
  }
  return set;
}

void KeySet::add(const RsaKey& key) {
  EVP_PKEY_up_ref(key.native());
  m_keys[key.kid()] = detail::own_key(key.native());
}

Result<JwtHeader> peek_header(std::string_view token) {
  CERTD_ASSIGN_OR_RETURN(Parts parts, split(token));
  return read_header(parts.header);
}

Result<std::string> verify_rs256(std::string_view token, const KeySet& keys) {
  CERTD_ASSIGN_OR_RETURN(Parts parts, split(token));
  CERTD_ASSIGN_OR_RETURN(JwtHeader header, read_header(parts.header));
  // The algorithm is ours to choose, not the token's: anything but RS256
  // ends here, before a key is looked at (the "none" and HS256-with-the-
  // public-key attacks).
  if (header.alg != "RS256") return refused("token algorithm " + shown_value(header.alg) + " is not RS256");
  if (header.kid.empty()) return refused("the token names no key ID (kid)");
  auto key = keys.m_keys.find(header.kid);
  if (key == keys.m_keys.end()) return refused("unknown key ID " + shown_value(header.kid));
  if (!signature_matches(key->second.get(), parts.signing_input, parts.signature))
    return refused("the token's signature does not verify");
  // Only signed bytes are parsed past this point.
  json claims = json::parse(parts.payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return not_a_token("the payload is not a JSON object");
  return std::move(parts.payload);
}

Result<std::string> sign_rs256(std::string_view claims_json, const RsaKey& key) {
  if (!json::parse(claims_json, nullptr, /*allow_exceptions=*/false).is_object())
    return Error(ErrorCode::invalid_argument, "the claims to sign are not a JSON object");
  nlohmann::ordered_json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid()}};
  std::string signing_input = base64url_encode(header.dump()) + "." + base64url_encode(claims_json);
  CERTD_ASSIGN_OR_RETURN(std::string signature, key.sign_rs256(signing_input));
  return signing_input + "." + base64url_encode(signature);
}

std::string base64url_encode(std::string_view bytes) {
  std::string text = base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

Result<std::string> base64url_decode(std::string_view text) {
  auto bad = [](const char* why) { return Error(ErrorCode::parse_error, std::string("not base64url: ") + why); };
  if (!std::all_of(text.begin(), text.end(), in_url_alphabet))
    return bad("a character outside the alphabet (padding included)");
  if (text.size() % 4 == 1) return bad("a length no encoding has");
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  standard.append((4 - standard.size() % 4) % 4, '=');
  auto bytes = base64_decode(standard);
  if (!bytes) return bad("does not decode");
  // Strict: unused low bits of the last character must be zero, so each
  // byte string has one spelling (a signature cannot be re-spelled).
  if (base64url_encode(*bytes) != text) return bad("not in canonical form");
  return std::move(*bytes);
}

}  // namespace certd::lti
