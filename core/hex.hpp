#pragma once
// Lower-case hex of bytes (digests in keys and fingerprints).

#include <cstddef>
#include <string>

namespace certd {

inline std::string to_hex(const unsigned char* bytes, std::size_t length) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (std::size_t i = 0; i < length; ++i) {
    hex += k_digits[bytes[i] >> 4];
    hex += k_digits[bytes[i] & 0x0f];
  }
  return hex;
}

}  // namespace certd
