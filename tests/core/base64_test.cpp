#include "core/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace certd {
namespace {

// RFC 4648 §10.
const std::pair<const char*, const char*> k_vectors[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesTheRfc4648Vectors) {
  for (const auto& [bytes, text] : k_vectors) EXPECT_EQ(base64_encode(bytes), text) << bytes;
}

TEST(Base64, DecodesTheRfc4648Vectors) {
  for (const auto& [bytes, text] : k_vectors) {
    auto decoded = base64_decode(text);
    ASSERT_TRUE(decoded) << text << ": " << decoded.error().message();
    EXPECT_EQ(*decoded, bytes) << text;
  }
}

TEST(Base64, RoundTripsEveryByteAndLongInput) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(*base64_decode(base64_encode(all)), all);
  EXPECT_EQ(base64_encode("Zo\xc3\xab"), "Wm/Dqw==");
  // Longer than the pieces the OpenSSL calls are fed in, and not a multiple of 3.
  std::string big;
  for (int i = 0; i < 100001; ++i) big += static_cast<char>(i * 7 + i / 256);
  std::string text = base64_encode(big);
  EXPECT_EQ(text.size(), 4 * ((big.size() + 2) / 3));
  auto back = base64_decode(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, big);
}

TEST(Base64, RejectsInvalidText) {
  for (const char* bad : {"abc", "Zg=", "Zg", "ab$=", "a===", "====", "=abc", "ab=c", "Zg==Zg==", "Zm9v\n",
                          " Zm9v", "Zm9v ", "Zm 9", "Zm9-", "Zm9_"}) {
    auto decoded = base64_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code(), ErrorCode::invalid_argument) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string("Zg\0=", 4))) << "a NUL byte";
}

}  // namespace
}  // namespace certd
