#include "core/random_token.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>

#include "core/base64.hpp"

namespace certd {

Result<std::string> random_bytes(std::size_t count) {
  if (count > INT_MAX) return Error(ErrorCode::invalid_argument, "too many random bytes asked for");
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    char reason[256] = "unknown reason";
    if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    return Error(ErrorCode::unavailable, std::string("the random generator failed: ") + reason);
  }
  return bytes;
}

Result<std::string> random_token_base64url(std::size_t count) {
  CERTD_ASSIGN_OR_RETURN(std::string bytes, random_bytes(count));
  std::string token = base64_encode(bytes);
  for (char& c : token) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return token;
}

Result<std::string> random_token_hex(std::size_t count) {
  CERTD_ASSIGN_OR_RETURN(std::string bytes, random_bytes(count));
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string token;
  token.reserve(2 * count);
  for (unsigned char b : bytes) {
    token += k_digits[b >> 4];
    token += k_digits[b & 15];
  }
  return token;
}

}  // namespace certd
