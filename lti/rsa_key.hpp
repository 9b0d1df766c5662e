#pragma once
// An RSA key pair for RS256 signatures (RFC 7518 §3.3), on OpenSSL 3's
// EVP API. LTI 1.3 requires RS256: the tool signs nothing yet but
// publishes its public key (at /lti/jwks, and as PEM for Moodle's "RSA
// key" option); the simulated platform signs its id_tokens with one.
// certd's issuer key (Ed25519, render/signing.hpp) is a different key for
// a different purpose and is never used here.

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct evp_pkey_st;

namespace certd::lti {

class RsaKey {
 public:
  // A new 2048-bit key (3072 or 4096 also accepted).
  static Result<RsaKey> generate(int bits = 2048);
  // A PKCS#8 or traditional PEM private key; parse_error otherwise, and
  // invalid_argument for a key that is not RSA or shorter than 2048 bits.
  static Result<RsaKey> from_private_pem(std::string_view pem);
  // Reads the PEM file at `path`, or creates it (mode 0600, written to a
  // temporary file and renamed) when it does not exist; of two processes
  // creating it at once, both end up with the one key that won. A file
  // group or others may access is refused with permission_denied, as
  // secret files are; its parent folders are created with mode 0700.
  static Result<RsaKey> load_or_create(const std::string& path);

  std::string private_pem() const;  // PKCS#8
  std::string public_pem() const;   // SubjectPublicKeyInfo ("BEGIN PUBLIC KEY")
  // RFC 7638 thumbprint (SHA-256 of {"e","kty","n"}), base64url: the kid.
  const std::string& kid() const { return m_kid; }
  // The public key as one JWK object (RFC 7517):
  // {"kty":"RSA","alg":"RS256","use":"sig","kid":...,"n":...,"e":...}
  std::string public_jwk_json() const;
  // {"keys":[public_jwk]}: what /lti/jwks serves.
  std::string public_jwks_json() const;

  // RSASSA-PKCS1-v1_5 with SHA-256 over `data`: the raw signature bytes.
  Result<std::string> sign_rs256(std::string_view data) const;

  evp_pkey_st* native() const { return m_key.get(); }

 private:
  RsaKey(std::shared_ptr<evp_pkey_st> key, std::string kid);
  std::shared_ptr<evp_pkey_st> m_key;
  std::string m_kid;
};

// RFC 7638 §3 thumbprint of an RSA public key from its JWK members `n` and
// `e` exactly as the JWK writes them (base64url): SHA-256 of
// {"e":...,"kty":"RSA","n":...}, base64url. kid() is this for our keys.
std::string rsa_jwk_thumbprint(std::string_view n, std::string_view e);

}  // namespace certd::lti
