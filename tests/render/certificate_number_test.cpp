#include "render/certificate_number.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace certd::render {
namespace {

constexpr std::string_view k_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

std::array<std::uint8_t, k_number_random_bytes> bytes_from(unsigned seed) {
  std::array<std::uint8_t, k_number_random_bytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed * 131 + i * 29 + seed / 3);
  return bytes;
}

TEST(CertificateNumber, HasThePrefixTwoGroupsOfFourAndACheckCharacter) {
  auto number = make_certificate_number("SWL3", bytes_from(1));
  ASSERT_TRUE(number) << number.error().to_string();
  EXPECT_TRUE(std::regex_match(*number, std::regex("SWL3-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{3}[0-9A-Z]")))
      << *number;
  EXPECT_TRUE(valid_number(*number));
  EXPECT_EQ(*make_certificate_number("SWL3", bytes_from(1)), *number) << "same bytes, same number";
  EXPECT_NE(*make_certificate_number("SWL3", bytes_from(2)), *number);
}

TEST(CertificateNumber, DetectsEverySingleMistypedCharacter) {
  for (unsigned seed = 0; seed < 40; ++seed) {
    std::string number = *make_certificate_number("FA", bytes_from(seed));
    for (std::size_t at = 0; at < number.size(); ++at) {
      if (number[at] == '-') continue;
      for (char typo : k_alphabet) {
        if (typo == number[at]) continue;
        std::string mistyped = number;
        mistyped[at] = typo;
        EXPECT_FALSE(valid_number(mistyped)) << number << " -> " << mistyped;
      }
    }
  }
}

TEST(CertificateNumber, DetectsSwappedNeighbours) {
  for (unsigned seed = 0; seed < 40; ++seed) {
    std::string number = *make_certificate_number("SWIM", bytes_from(seed));
    for (std::size_t at = 0; at + 1 < number.size(); ++at) {
      if (number[at] == '-' || number[at + 1] == '-' || number[at] == number[at + 1]) continue;
      std::string swapped = number;
      std::swap(swapped[at], swapped[at + 1]);
      EXPECT_FALSE(valid_number(swapped)) << number << " -> " << swapped;
    }
  }
}

TEST(CertificateNumber, RefusesBadPrefixesAndShapes) {
  EXPECT_FALSE(make_certificate_number("", bytes_from(1)));
  EXPECT_FALSE(make_certificate_number("swim", bytes_from(1)));
  EXPECT_FALSE(make_certificate_number("TOOLONGPREFIX", bytes_from(1)));
  for (const char* bad : {"", "SWIM", "SWIM-ABCD", "SWIM-ABCD-EFG", "SWIM_ABCD-EFGH", "swim-v9bk-2c7v", "-ABCD-EFGH"})
    EXPECT_FALSE(valid_number(bad)) << bad;
}

}  // namespace
}  // namespace certd::render
