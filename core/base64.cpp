#include "core/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace certd {
namespace {

// EVP_*Block write into a caller's buffer and take an int length: data
// goes through a fixed buffer in pieces of whole groups (3 bytes <-> 4
// characters), which join without seams.
constexpr std::size_t k_groups_per_piece = 1024;

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

Error not_base64(const std::string& why) { return Error(ErrorCode::invalid_argument, "not base64: " + why); }

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string text;
  text.reserve(4 * ((bytes.size() + 2) / 3));
  unsigned char out[4 * k_groups_per_piece + 1];  // EVP_EncodeBlock adds a NUL
  constexpr std::size_t k_in = 3 * k_groups_per_piece;
  while (!bytes.empty()) {
    std::size_t take = std::min(bytes.size(), k_in);
    int n = EVP_EncodeBlock(out, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(take));
    text.append(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    bytes.remove_prefix(take);
  }
  return text;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return not_base64("the length is not a multiple of 4");
  // EVP_DecodeBlock skips leading and trailing whitespace and does not
  // check where '=' stands, so the text is checked here first.
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - padding; ++i)
    if (!in_alphabet(text[i])) return not_base64(text[i] == '=' ? "'=' before the end" : "a character outside the alphabet");

  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  unsigned char out[3 * k_groups_per_piece];
  constexpr std::size_t k_in = 4 * k_groups_per_piece;
  while (!text.empty()) {
    std::size_t take = std::min(text.size(), k_in);
    int n = EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(take));
    if (n < 0) return not_base64("rejected by the decoder");
    bytes.append(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    text.remove_prefix(take);
  }
  // EVP_DecodeBlock writes a zero byte for each '=' and counts it.
  bytes.resize(bytes.size() - padding);
  return bytes;
}

}  // namespace certd
