#include "core/random_token.hpp"

#include <gtest/gtest.h>

#include <set>

namespace certd {
namespace {

TEST(RandomToken, HasTheRequestedSizeAndDiffersEachTime) {
  auto bytes = random_bytes(32);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), 32u);
  EXPECT_TRUE(random_bytes(0)->empty());

  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = random_token_base64url(18);
    ASSERT_TRUE(token);
    EXPECT_EQ(token->size(), 24u);
    EXPECT_EQ(token->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << *token;
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomToken, HexIsLowercaseTwoDigitsPerByte) {
  auto a = random_token_hex(12);
  auto b = random_token_hex(12);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 24u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos) << *a;
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace certd
