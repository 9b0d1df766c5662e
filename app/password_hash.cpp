#include "app/password_hash.hpp"

#include <argon2.h>

#include <algorithm>

#include "core/random_token.hpp"

namespace certd::app {
namespace {

constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_hash_bytes = 32;
constexpr std::size_t k_max_password_length = 1024;

// The cost: OWASP's argon2id baseline is m = 19 MiB, t = 2, p = 1; we take
// one pass more. Measured with libargon2 20190702 on the 2-core AMD EPYC
// build machine (shared, load 3 to 8), 7 hashes each, best and mean:
//   t=3 m=19 MiB   89 ms, 154 ms   <- chosen: a sign-in takes 100-300 ms
//   t=3 m=32 MiB  381 ms, 416 ms
//   t=2 m=46 MiB  432 ms, 561 ms
//   t=3 m=64 MiB  703 ms, 818 ms   (too slow here, and 64 MiB per
//                                    concurrent sign-in on a small VM)
// Raising it later is safe: the cost is in each encoded hash.

// A fixed hash that no password matches in practice, checked for unknown
// names so that they take as long as a wrong password.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    auto made = hash_password("certd: no such account, only here to spend the time");
    return made ? *made : std::string();
  }();
  return hash;
}

}  // namespace

Status check_new_password(const std::string& password) {
  if (password.size() < k_min_password_length)
    return Error(ErrorCode::invalid_argument,
                 "the password is too short: use at least " + std::to_string(k_min_password_length) + " characters");
  if (password.size() > k_max_password_length)
    return Error(ErrorCode::invalid_argument, "the password is too long: at most 1024 bytes");
  if (std::any_of(password.begin(), password.end(), [](char c) { return c == '\0' || c == '\n' || c == '\r'; }))
    return Error(ErrorCode::invalid_argument, "the password holds a line break or a NUL byte");
  return ok();
}

Result<std::string> hash_password(const std::string& password, const PasswordCost& cost) {
  CERTD_ASSIGN_OR_RETURN(std::string salt, random_bytes(k_salt_bytes));
  std::size_t length = argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes, k_salt_bytes, k_hash_bytes,
                                         Argon2_id);
  std::string encoded(length, '\0');
  int rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, password.data(), password.size(),
                                 salt.data(), salt.size(), k_hash_bytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Error(ErrorCode::internal, std::string("argon2id failed: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool password_matches(const std::string& encoded, const std::string& password) {
  if (encoded.empty()) {
    (void)argon2id_verify(dummy_hash().c_str(), password.data(), password.size());
    return false;
  }
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace certd::app
