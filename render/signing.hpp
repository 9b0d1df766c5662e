#pragma once
// Ed25519 signatures over the certificate payload (OpenSSL EVP), with keys
// as PEM text in memory: reading and writing key files is the caller's
// business (app/issuer_key.hpp).
//
// Thread-safety: a Signer or PublicKey is immutable after creation; sign()
// and verify() may be called from many threads at once.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd::render {

inline constexpr std::size_t k_ed25519_seed_bytes = 32;

class PublicKey {
 public:
  // Accepts an SPKI "BEGIN PUBLIC KEY" PEM holding an Ed25519 key.
  static Result<PublicKey> from_pem(std::string_view pem);
  // The raw 32-byte key, base64-encoded (the form embedded in PDFs).
  static Result<PublicKey> from_base64(std::string_view raw_base64);

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  // True only when `signature` (raw 64 bytes) signs exactly `message`.
  bool verify(std::string_view message, std::string_view signature) const;
  std::string pem() const;
  std::string raw_base64() const;
  // First 16 hex digits of SHA-256 of the raw key: names the key in
  // payloads and messages.
  std::string key_id() const;

  struct Impl;

 private:
  explicit PublicKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

class Signer {
 public:
  // Accepts a PKCS#8 "BEGIN PRIVATE KEY" PEM holding an Ed25519 key.
  static Result<Signer> from_private_key_pem(std::string_view pem);
  // A key from a fixed 32-byte seed: deterministic keys for tests.
  static Result<Signer> from_seed(const std::array<std::uint8_t, k_ed25519_seed_bytes>& seed);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  // The raw 64-byte signature. Ed25519 is deterministic: same key and
  // message, same signature.
  Result<std::string> sign(std::string_view message) const;
  const PublicKey& public_key() const { return m_public; }
  std::string private_key_pem() const;

  struct Impl;

 private:
  Signer(std::unique_ptr<Impl> impl, PublicKey public_key);
  std::unique_ptr<Impl> m_impl;
  PublicKey m_public;
};

// A new random Ed25519 private key as PKCS#8 PEM.
Result<std::string> generate_private_key_pem();

}  // namespace certd::render
