#include "lti/rsa_key.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file_util.hpp"
#include "lti/jwt.hpp"
#include "test_keys.hpp"

namespace certd::lti {
namespace {

using testing::platform_key;

class RsaKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("certd-lti-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  static unsigned mode_of(const std::string& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 0777;
  }
  std::filesystem::path m_dir;
};

// A PEM of some other key type or size, written by OpenSSL itself.
std::string pem_of(const char* type, std::size_t bits_or_zero, bool traditional = false) {
  EVP_PKEY* key = bits_or_zero ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits_or_zero)
                               : EVP_PKEY_Q_keygen(nullptr, nullptr, type, "P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  if (traditional) PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  else PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

TEST(RsaKey, GeneratesA2048BitKeyWithAThumbprintKid) {
  const RsaKey& key = platform_key();
  EXPECT_EQ(EVP_PKEY_get_bits(key.native()), 2048);
  auto jwk = nlohmann::json::parse(key.public_jwk_json());
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["alg"], "RS256");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["e"], "AQAB");
  EXPECT_EQ(jwk["kid"], key.kid());
  EXPECT_EQ(key.kid(), rsa_jwk_thumbprint(jwk["n"].get<std::string>(), jwk["e"].get<std::string>()));
  EXPECT_EQ(key.kid().size(), 43u) << "base64url of 32 bytes";
  auto jwks = nlohmann::json::parse(key.public_jwks_json());
  EXPECT_EQ(jwks["keys"][0], jwk);
}

TEST(RsaKey, RefusesSizesOtherThan2048_3072Or4096) {
  auto key = RsaKey::generate(1024);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code(), ErrorCode::invalid_argument);
}

// RFC 7638 §3.1: the example RSA key and its thumbprint.
TEST(RsaKey, ThumbprintMatchesRfc7638Example) {
  const std::string n =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
      "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
      "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
  EXPECT_EQ(rsa_jwk_thumbprint(n, "AQAB"), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(RsaKey, PemRoundTripKeepsTheKid) {
  const RsaKey& key = platform_key();
  EXPECT_EQ(key.private_pem().rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << "PKCS#8";
  EXPECT_EQ(key.public_pem().rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  auto again = RsaKey::from_private_pem(key.private_pem());
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->kid(), key.kid());
}

TEST(RsaKey, ReadsTraditionalPem) {
  std::string pem = pem_of("RSA", 2048, /*traditional=*/true);
  ASSERT_EQ(pem.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(RsaKey::from_private_pem(pem));
}

TEST(RsaKey, RefusesWhatIsNotA2048BitRsaPrivateKey) {
  auto garbage = RsaKey::from_private_pem("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::parse_error);
  auto public_only = RsaKey::from_private_pem(platform_key().public_pem());
  ASSERT_FALSE(public_only);
  EXPECT_EQ(public_only.error().code(), ErrorCode::parse_error);
  auto ec = RsaKey::from_private_pem(pem_of("EC", 0));
  ASSERT_FALSE(ec);
  EXPECT_EQ(ec.error().code(), ErrorCode::invalid_argument);
  auto small = RsaKey::from_private_pem(pem_of("RSA", 1024));
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().code(), ErrorCode::invalid_argument);
}

TEST_F(RsaKeyFile, CreatesTheKeyWithMode0600AndReadsTheSameKeyBack) {
  std::string path = (m_dir / "lti" / "tool.pem").string();
  auto created = RsaKey::load_or_create(path);
  ASSERT_TRUE(created) << created.error().to_string();
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of((m_dir / "lti").string()), 0700u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_dir / "lti"), {}), 1) << "no temporary file left";
  EXPECT_EQ(*read_file(path, 100000), created->private_pem());

  auto loaded = RsaKey::load_or_create(path);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->kid(), created->kid());
  EXPECT_EQ(loaded->private_pem(), created->private_pem());
}

TEST_F(RsaKeyFile, RefusesAKeyFileOthersCanRead) {
  std::string path = (m_dir / "tool.pem").string();
  ASSERT_TRUE(write_file_atomically(path, platform_key().private_pem(), 0644));
  auto key = RsaKey::load_or_create(path);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code(), ErrorCode::permission_denied);
  EXPECT_NE(key.error().message().find("chmod 600"), std::string::npos) << key.error().message();
  EXPECT_EQ(*read_file(path, 100000), platform_key().private_pem()) << "the file is left alone";

  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_EQ(RsaKey::load_or_create(path).error().code(), ErrorCode::permission_denied);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto loaded = RsaKey::load_or_create(path);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->kid(), platform_key().kid());
}

TEST_F(RsaKeyFile, ABrokenKeyFileIsAnErrorNamingIt) {
  std::string path = (m_dir / "tool.pem").string();
  ASSERT_TRUE(write_file_atomically(path, "not a key", 0600));
  auto key = RsaKey::load_or_create(path);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code(), ErrorCode::parse_error);
  EXPECT_NE(key.error().message().find(path), std::string::npos);
}

TEST(RsaKey, SignaturesAreDeterministicPkcs1V15) {
  auto first = platform_key().sign_rs256("data");
  auto second = platform_key().sign_rs256("data");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->size(), 256u);
  EXPECT_EQ(*first, *second);
  EXPECT_NE(*first, *platform_key().sign_rs256("date"));
}

}  // namespace
}  // namespace certd::lti
