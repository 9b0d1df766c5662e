#include "render/certificate_number.hpp"

#include <cstring>

namespace certd::render {
namespace {

constexpr std::string_view k_check_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// Body characters a person cannot misread: no 0/O, 1/I/L, and no U.
constexpr std::string_view k_body_alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t k_body_length = 7;  // plus the check character: two groups of four
constexpr std::size_t k_max_prefix = 8;
constexpr int k_modulus = 37;  // prime, larger than the 36 symbols

int value_of(char c) {
  auto at = k_check_alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// Weighted sum mod 37, weight = position (1-based). A valid string sums to
// 0. One changed symbol changes the sum by w*(a-b), two swapped neighbours
// by (a-b): never a multiple of 37, since 37 is prime and larger than any
// weight or symbol difference. So both errors are always detected.
int weighted_sum(std::string_view characters) {
  int sum = 0;
  for (std::size_t i = 0; i < characters.size(); ++i)
    sum = (sum + static_cast<int>(i + 1) * value_of(characters[i])) % k_modulus;
  return sum;
}

// The check value c with sum + weight*c = 0 (mod 37); may be 36, which
// has no symbol.
int check_value(std::string_view characters) {
  int weight = static_cast<int>(characters.size() + 1);
  int inverse = 1;
  while ((weight * inverse) % k_modulus != 1) ++inverse;
  int needed = (k_modulus - weighted_sum(characters)) % k_modulus;
  return (needed * inverse) % k_modulus;
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
  // One body in 37 needs the symbol-less check value 36: step its last
  // character (deterministically) until the check has a symbol.
  std::size_t step = k_body_alphabet.find(body.back());
  while (check_value(std::string(prefix) + body) == k_modulus - 1) {
    step = (step + 1) % k_body_alphabet.size();
    body.back() = k_body_alphabet[step];
  }
  body += k_check_alphabet[static_cast<std::size_t>(check_value(std::string(prefix) + body))];
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
  return weighted_sum(characters) == 0;
}

}  // namespace certd::render
