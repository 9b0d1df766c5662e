// libFuzzer target: certificate numbers. Any text given to valid_number
// or valid_number_prefix must be judged without crashing. The first 8
// bytes of an input are also the random bytes and the rest a prefix for
// make_certificate_number: a number it makes must be valid, and what the
// check character promises must hold: every single mistyped character and
// every swap of two different neighbours makes it invalid
// (render/certificate_number.hpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "render/certificate_number.hpp"

namespace {

using namespace certd::render;

constexpr std::string_view k_characters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-";

[[noreturn]] void fail(const char* what, const std::string& number) {
  std::fprintf(stderr, "fuzz_certificate_number: %s: %s\n", what, number.c_str());
  std::abort();
}

void check_mistakes_are_caught(const std::string& number) {
  for (std::size_t i = 0; i < number.size(); ++i) {
    for (char c : k_characters) {
      if (c == number[i]) continue;
      std::string typo = number;
      typo[i] = c;
      if (valid_number(typo)) fail("a mistyped character passes", typo);
    }
    if (i + 1 < number.size() && number[i] != number[i + 1]) {
      std::string swapped = number;
      std::swap(swapped[i], swapped[i + 1]);
      if (valid_number(swapped)) fail("a swap of neighbours passes", swapped);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)valid_number(text);
  (void)valid_number_prefix(text);
  if (size < k_number_random_bytes) return 0;
  std::array<std::uint8_t, k_number_random_bytes> random{};
  std::memcpy(random.data(), data, random.size());
  std::string_view prefix = text.substr(random.size());
  auto number = make_certificate_number(prefix, random);
  if (number.has_value() != valid_number_prefix(prefix)) fail("prefix judged twice differently", std::string(prefix));
  if (!number) return 0;
  if (!valid_number(*number)) fail("a made number is not valid", *number);
  check_mistakes_are_caught(*number);
  return 0;
}
