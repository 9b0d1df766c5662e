#pragma once
// OpenSSL helpers shared by rsa_key.cpp and jwt.cpp. Private to lti/:
// no public header includes it (docs/style.md §1).

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace certd::lti::detail {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

inline std::shared_ptr<evp_pkey_st> own_key(EVP_PKEY* key) { return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free); }

// The oldest error on OpenSSL's queue, and the queue emptied: a later call
// must not report an error that belongs to this one.
inline std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace certd::lti::detail
