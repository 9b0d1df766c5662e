#include "render/signing.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstdio>

#include "core/base64.hpp"

namespace certd::render {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// OpenSSL keeps errors in a per-thread queue; take its newest message and
// leave the queue empty for the next caller.
Error openssl_error(ErrorCode code, const std::string& what) {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  char text[256] = "no detail";
  if (last != 0) ERR_error_string_n(last, text, sizeof text);
  return Error(code, what + " (" + text + ")");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool is_ed25519(EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519; }

}  // namespace

struct PublicKey::Impl {
  PkeyPtr key;
};

struct Signer::Impl {
  PkeyPtr key;
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return openssl_error(ErrorCode::invalid_argument, "not a PEM public key");
  if (!is_ed25519(key.get())) return Error(ErrorCode::invalid_argument, "the public key is not an Ed25519 key");
  return PublicKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

Result<PublicKey> PublicKey::from_base64(std::string_view raw_base64) {
  auto raw = base64_decode(raw_base64);
  if (!raw || raw->size() != 32) return Error(ErrorCode::invalid_argument, "not a base64 Ed25519 public key");
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                          reinterpret_cast<const unsigned char*>(raw->data()), raw->size()));
  if (!key) return openssl_error(ErrorCode::invalid_argument, "bad Ed25519 public key");
  return PublicKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  bool good = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_impl->key.get()) == 1 &&
              EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                               signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                               message.size()) == 1;
  ERR_clear_error();
  return good;
}

std::string PublicKey::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), m_impl->key.get());
  return bio_text(bio.get());
}

std::string PublicKey::raw_base64() const {
  unsigned char raw[32];
  size_t size = sizeof raw;
  EVP_PKEY_get_raw_public_key(m_impl->key.get(), raw, &size);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(raw), size));
}

std::string PublicKey::key_id() const {
  auto raw = base64_decode(raw_base64());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(raw->data()), raw->size(), digest);
  std::string hex;
  char pair[3];
  for (int i = 0; i < 8; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

Signer::Signer(std::unique_ptr<Impl> impl, PublicKey public_key)
    : m_impl(std::move(impl)), m_public(std::move(public_key)) {}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

Result<Signer> Signer::from_private_key_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return openssl_error(ErrorCode::invalid_argument, "not a PEM private key");
  if (!is_ed25519(key.get())) return Error(ErrorCode::invalid_argument, "the private key is not an Ed25519 key");
  unsigned char raw[32];
  size_t size = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key.get(), raw, &size) != 1)
    return openssl_error(ErrorCode::internal, "cannot derive the public key");
  auto public_key = PublicKey::from_base64(base64_encode(std::string_view(reinterpret_cast<char*>(raw), size)));
  if (!public_key) return public_key.error();
  return Signer(std::make_unique<Impl>(Impl{std::move(key)}), std::move(public_key).value());
}

Result<Signer> Signer::from_seed(const std::array<std::uint8_t, k_ed25519_seed_bytes>& seed) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) return openssl_error(ErrorCode::internal, "cannot make an Ed25519 key from a seed");
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return from_private_key_pem(bio_text(bio.get()));
}

Result<std::string> Signer::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  size_t size = signature.size();
  // Ed25519 is one-shot: no digest, no DigestSignUpdate.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_impl->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    return openssl_error(ErrorCode::internal, "Ed25519 signing failed");
  signature.resize(size);
  return signature;
}

std::string Signer::private_key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), m_impl->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

Result<std::string> generate_private_key_pem() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return openssl_error(ErrorCode::internal, "cannot generate an Ed25519 key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return openssl_error(ErrorCode::internal, "cannot write the key as PEM");
  return bio_text(bio.get());
}

}  // namespace certd::render
