// Local accounts' passwords: argon2id hashes that verify, refuse the wrong
// password, carry their cost and a fresh salt each time.
#include "app/password_hash.hpp"

#include <gtest/gtest.h>

namespace certd::app {
namespace {

// The real cost makes each hash take a good part of a second; the
// encoding and checks are the same at the smallest one.
const PasswordCost k_cheap{1, 64, 1};

TEST(PasswordHash, AHashVerifiesItsPasswordOnly) {
  auto hash = hash_password("correct horse battery", k_cheap);
  ASSERT_TRUE(hash) << hash.error().message();
  EXPECT_TRUE(password_matches(*hash, "correct horse battery"));
  EXPECT_FALSE(password_matches(*hash, "correct horse battery "));
  EXPECT_FALSE(password_matches(*hash, ""));
}

TEST(PasswordHash, TheEncodingIsArgon2idWithItsCost) {
  auto hash = hash_password("correct horse battery", k_cheap);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u) << *hash;
  auto real = hash_password("correct horse battery");
  ASSERT_TRUE(real);
  EXPECT_EQ(real->rfind("$argon2id$v=19$m=19456,t=3,p=1$", 0), 0u) << *real;
  EXPECT_TRUE(password_matches(*real, "correct horse battery"));
}

TEST(PasswordHash, TheSamePasswordHashesDifferentlyEachTime) {
  auto a = hash_password("correct horse battery", k_cheap);
  auto b = hash_password("correct horse battery", k_cheap);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b) << "a fresh salt each time";
}

TEST(PasswordHash, AnEmptyOrForeignHashNeverMatches) {
  EXPECT_FALSE(password_matches("", "anything at all"));
  EXPECT_FALSE(password_matches("$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "anything at all"));
  EXPECT_FALSE(password_matches("plain text", "plain text"));
}

TEST(PasswordHash, NewPasswordsNeedTwelveCharactersOnOneLine) {
  EXPECT_FALSE(check_new_password("short pass1"));
  EXPECT_TRUE(check_new_password("twelve chars"));
  EXPECT_FALSE(check_new_password("twelve chars\nand more"));
  EXPECT_FALSE(check_new_password(std::string(1025, 'x')));
  Status refused = check_new_password("short pass1");
  EXPECT_EQ(refused.error().message().find("short pass1"), std::string::npos) << "never echoes the password";
}

}  // namespace
}  // namespace certd::app
