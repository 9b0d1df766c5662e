#include "render/certificate_number.hpp"

#include <cstring>

namespace certd::render {
namespace {

constexpr std::string_view k_check_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// Body characters a person cannot misread: no 0/O, 1/I/L, and no U.
constexpr std::string_view k_body_alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t k_body_length = 7;  // plus the check character: two groups of four
constexpr std::size_t k_max_prefix = 8;
constexpr int k_modulus = 36;

int value_of(char c) {
  auto at = k_check_alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// ISO/IEC 7064 hybrid system MOD 37,36: returns the running product after
// `text`; a string ending in its check character leaves sum == 1.
struct Mod3736 {
  int product = k_modulus;
  int sum = 0;
  void add(int value) {
    sum = (product + value) % k_modulus;
    if (sum == 0) sum = k_modulus;
    product = (2 * sum) % (k_modulus + 1);
  }
};

char check_character(std::string_view characters) {
  Mod3736 state;
  for (char c : characters) state.add(value_of(c));
  int check = (k_modulus + 1 - state.product) % k_modulus;
  return k_check_alphabet[static_cast<std::size_t>(check)];
}

}  // namespace

bool valid_number_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > k_max_prefix) return false;
  for (char c : prefix)
    if (value_of(c) < 0) return false;
  return true;
}

Result<std::string> make_certificate_number(std::string_view prefix,
                                            const std::array<std::uint8_t, k_number_random_bytes>& random) {
  if (!valid_number_prefix(prefix))
    return Error(ErrorCode::invalid_argument,
                 "certificate number prefix '" + std::string(prefix) + "' must be 1 to 8 characters A-Z or 0-9");
  std::uint64_t bits = 0;
  std::memcpy(&bits, random.data(), sizeof bits);
  std::string body;
  for (std::size_t i = 0; i < k_body_length; ++i) {
    body += k_body_alphabet[bits % k_body_alphabet.size()];
    bits /= k_body_alphabet.size();
  }
  body += check_character(std::string(prefix) + body);
  return std::string(prefix) + "-" + body.substr(0, 4) + "-" + body.substr(4);
}

bool valid_number(std::string_view number) {
  auto first_dash = number.find('-');
  if (first_dash == std::string_view::npos) return false;
  std::string_view prefix = number.substr(0, first_dash);
  std::string_view rest = number.substr(first_dash + 1);
  if (!valid_number_prefix(prefix) || rest.size() != 9 || rest[4] != '-') return false;
  std::string characters(prefix);
  characters += rest.substr(0, 4);
  characters += rest.substr(5);
  for (char c : characters)
    if (value_of(c) < 0) return false;
  Mod3736 state;
  for (char c : characters) state.add(value_of(c));
  return state.sum == 1;
}

}  // namespace certd::render
