#include "lti/rsa_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "core/file_util.hpp"
#include "lti/jwt.hpp"
#include "lti/openssl_detail.hpp"

namespace certd::lti {
namespace {

using detail::openssl_error;
using detail::own_key;

// A PEM private key is under 4 KB even at 4096 bits.
constexpr std::uint64_t k_max_pem_bytes = 64 * 1024;
constexpr int k_min_bits = 2048;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// An encrypted PEM must fail, not prompt on the terminal (OpenSSL's
// default when no callback is given).
int no_password(char*, int, int, void*) { return 0; }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

// Big-endian bytes of an RSA parameter (n or e), base64url: the JWK form.
std::string jwk_member(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    ERR_clear_error();
    return {};
  }
  BnPtr bn(raw);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return base64url_encode(bytes);
}

std::string thumbprint_of(const EVP_PKEY* key) {
  return rsa_jwk_thumbprint(jwk_member(key, OSSL_PKEY_PARAM_RSA_N), jwk_member(key, OSSL_PKEY_PARAM_RSA_E));
}

Status check_usable(const EVP_PKEY* key) {
  // EVP_PKEY_is_a(…, "RSA") is false for RSA-PSS keys, which RS256 cannot use.
  if (EVP_PKEY_is_a(key, "RSA") != 1) return Error(ErrorCode::invalid_argument, "the key is not an RSA key");
  if (EVP_PKEY_get_bits(key) < k_min_bits)
    return Error(ErrorCode::invalid_argument,
                 "the RSA key has " + std::to_string(EVP_PKEY_get_bits(key)) + " bits; at least 2048 are required");
  return ok();
}

// Same rule as the issuer key (app/issuer_key.cpp): no access at all for
// group or others.
Status check_private(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return Error(errno == ENOENT ? ErrorCode::not_found : ErrorCode::unavailable, "cannot read " + path);
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    return Error(ErrorCode::permission_denied, "the LTI key " + path + " has mode " + mode +
                                                   ": group or others may read it. Run: chmod 600 " + path);
  }
  return ok();
}

Result<RsaKey> load(const std::string& path) {
  CERTD_TRY(check_private(path));
  CERTD_ASSIGN_OR_RETURN(std::string pem, read_file(path, k_max_pem_bytes));
  auto key = RsaKey::from_private_pem(pem);
  if (!key) return Error(key.error().code(), path + ": " + key.error().message());
  return key;
}

Status create(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (!folder.empty()) CERTD_TRY(make_directories(folder));
  CERTD_ASSIGN_OR_RETURN(RsaKey key, RsaKey::generate());
  // write_file_atomically writes a temporary file with mode 0600 and
  // renames it; renaming straight onto `path` would let a second process
  // starting at the same moment replace the key the first one already
  // uses. So the rename goes to a name of our own, and link() (which
  // never replaces) lets exactly one candidate become the key.
  std::string candidate = path + ".new." + std::to_string(::getpid());
  CERTD_TRY(write_file_atomically(candidate, key.private_pem(), 0600));
  int linked = ::link(candidate.c_str(), path.c_str());
  int saved = errno;
  ::unlink(candidate.c_str());
  if (linked != 0 && saved != EEXIST) return Error(ErrorCode::unavailable, "cannot create " + path);
  return ok();
}

}  // namespace

RsaKey::RsaKey(std::shared_ptr<evp_pkey_st> key, std::string kid) : m_key(std::move(key)), m_kid(std::move(kid)) {}

Result<RsaKey> RsaKey::generate(int bits) {
  if (bits != 2048 && bits != 3072 && bits != 4096)
    return Error(ErrorCode::invalid_argument, "RSA keys are 2048, 3072 or 4096 bits, not " + std::to_string(bits));
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  if (!raw) return Error(ErrorCode::internal, "cannot generate an RSA key: " + openssl_error());
  auto key = own_key(raw);
  std::string kid = thumbprint_of(raw);
  return RsaKey(std::move(key), std::move(kid));
}

Result<RsaKey> RsaKey::from_private_pem(std::string_view pem) {
  if (pem.size() > k_max_pem_bytes) return Error(ErrorCode::parse_error, "not a PEM private key: too long");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Error(ErrorCode::internal, "cannot read the key: " + openssl_error());
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr);
  if (!raw) return Error(ErrorCode::parse_error, "not a PEM private key: " + openssl_error());
  auto key = own_key(raw);
  CERTD_TRY(check_usable(raw));
  std::string kid = thumbprint_of(raw);
  return RsaKey(std::move(key), std::move(kid));
}

Result<RsaKey> RsaKey::load_or_create(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) CERTD_TRY(create(path));
  // Read back what is on disk, also after creating it: another process
  // may have won the race, and its key is the one to use.
  return load(path);
}

std::string RsaKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return bio_text(bio.get());
}

std::string RsaKey::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return bio_text(bio.get());
}

std::string RsaKey::public_jwk_json() const {
  nlohmann::ordered_json jwk = {{"kty", "RSA"},
                                {"alg", "RS256"},
                                {"use", "sig"},
                                {"kid", m_kid},
                                {"n", jwk_member(m_key.get(), OSSL_PKEY_PARAM_RSA_N)},
                                {"e", jwk_member(m_key.get(), OSSL_PKEY_PARAM_RSA_E)}};
  return jwk.dump();
}

std::string RsaKey::public_jwks_json() const { return "{\"keys\":[" + public_jwk_json() + "]}"; }

Result<std::string> RsaKey::sign_rs256(std::string_view data) const {
  detail::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pkey_ctx, EVP_sha256(), nullptr, m_key.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) != 1)
    return Error(ErrorCode::internal, "cannot start an RS256 signature: " + openssl_error());
  std::size_t length = static_cast<std::size_t>(EVP_PKEY_get_size(m_key.get()));
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return Error(ErrorCode::internal, "RS256 signing failed: " + openssl_error());
  signature.resize(length);
  return signature;
}

std::string rsa_jwk_thumbprint(std::string_view n, std::string_view e) {
  // RFC 7638 §3.2: the required members in lexicographic order, no
  // whitespace. n and e are base64url, so they need no JSON escaping.
  std::string canonical = "{\"e\":\"" + std::string(e) + "\",\"kty\":\"RSA\",\"n\":\"" + std::string(n) + "\"}";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace certd::lti
