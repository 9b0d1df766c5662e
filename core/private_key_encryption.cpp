#include "core/private_key_encryption.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <climits>
#include <cstring>
#include <memory>

namespace certd {
namespace {

// scrypt's cost, as `openssl pkcs8 -scrypt` sets it: 16 MiB of memory per
// guess, within OpenSSL's default limit for reading it back (32 MiB).
constexpr std::uint64_t k_scrypt_n = 1 << 14;
constexpr std::uint64_t k_scrypt_r = 8;
constexpr std::uint64_t k_scrypt_p = 1;
constexpr int k_salt_bytes = 16;

constexpr std::string_view k_encrypted_header = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
  void operator()(X509_ALGOR* p) const { X509_ALGOR_free(p); }
  void operator()(X509_SIG* p) const { X509_SIG_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

// OpenSSL's reason for the last failure, and an empty error queue after.
std::string openssl_reason() {
  char reason[256] = "unknown reason";
  if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  return reason;
}

Owned<BIO> memory_in(std::string_view text) {
  if (text.size() > INT_MAX) return nullptr;
  return Owned<BIO>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string memory_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// The passphrase callback: never a prompt on a terminal. With no
// passphrase (`user` null) an encrypted key simply fails to read.
int passphrase_callback(char* buffer, int size, int /*rwflag*/, void* user) {
  if (!user) return -1;
  const auto* passphrase = static_cast<const std::string_view*>(user);
  if (passphrase->size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buffer, passphrase->data(), passphrase->size());
  return static_cast<int>(passphrase->size());
}

}  // namespace

Result<std::string> encrypt_private_key_pem(std::string_view pem, std::string_view passphrase) {
  if (passphrase.empty()) return Error(ErrorCode::invalid_argument, "the passphrase is empty");
  if (passphrase.size() > INT_MAX) return Error(ErrorCode::invalid_argument, "the passphrase is too long");
  Owned<BIO> in = memory_in(pem);
  if (!in) return Error(ErrorCode::invalid_argument, "the key is too large");
  Owned<EVP_PKEY> key(PEM_read_bio_PrivateKey(in.get(), nullptr, passphrase_callback, nullptr));
  if (!key) return Error(ErrorCode::invalid_argument, "not an unencrypted private key: " + openssl_reason());
  Owned<PKCS8_PRIV_KEY_INFO> info(EVP_PKEY2PKCS8(key.get()));
  if (!info) return Error(ErrorCode::internal, "cannot encode the key as PKCS#8: " + openssl_reason());
  // A null salt and IV: OpenSSL draws both from its random generator.
  Owned<X509_ALGOR> pbe(
      PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), nullptr, k_salt_bytes, nullptr, k_scrypt_n, k_scrypt_r, k_scrypt_p));
  if (!pbe) return Error(ErrorCode::internal, "cannot set up scrypt: " + openssl_reason());
  Owned<X509_SIG> encrypted(
      PKCS8_set0_pbe(passphrase.data(), static_cast<int>(passphrase.size()), info.get(), pbe.get()));
  if (!encrypted) return Error(ErrorCode::internal, "cannot encrypt the key: " + openssl_reason());
  (void)pbe.release();  // owned by `encrypted` from here on
  Owned<BIO> out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PKCS8(out.get(), encrypted.get()) != 1)
    return Error(ErrorCode::internal, "cannot write the encrypted key: " + openssl_reason());
  return memory_text(out.get());
}

Result<std::string> decrypt_private_key_pem(std::string_view encrypted_pem, std::string_view passphrase) {
  if (encrypted_pem.find(k_encrypted_header) == std::string_view::npos)
    return Error(ErrorCode::parse_error, "not an encrypted private key (no \"BEGIN ENCRYPTED PRIVATE KEY\")");
  Owned<BIO> in = memory_in(encrypted_pem);
  if (!in) return Error(ErrorCode::parse_error, "the encrypted key is too large");
  Owned<EVP_PKEY> key(PEM_read_bio_PrivateKey(in.get(), nullptr, passphrase_callback, &passphrase));
  if (!key) {
    ERR_clear_error();  // OpenSSL's reason ("bad decrypt") says no more than this
    return Error(ErrorCode::permission_denied, "cannot decrypt the key: wrong passphrase (or a damaged key)");
  }
  Owned<BIO> out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return Error(ErrorCode::internal, "cannot write the decrypted key: " + openssl_reason());
  return memory_text(out.get());
}

}  // namespace certd
