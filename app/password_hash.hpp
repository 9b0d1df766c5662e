#pragma once
// Passwords of local console accounts (store::NewLocalUser): argon2id,
// encoded as "$argon2id$v=19$m=...,t=...,p=...$salt$hash" so that the
// cost travels with each hash and can be raised later without a
// migration. Thread-safe; each call allocates the cost's memory.

#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace certd::app {

// argon2id's cost. The default makes one sign-in take about 100-300 ms
// here (password_hash.cpp has the figures).
struct PasswordCost {
  std::uint32_t passes = 3;
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t lanes = 1;
};

// Fewer characters than this are refused (check_new_password).
inline constexpr std::size_t k_min_password_length = 12;

// invalid_argument for a password shorter than k_min_password_length or
// longer than 1024 bytes, or holding a NUL or a line break; the message
// never holds the password.
Status check_new_password(const std::string& password);

// A new encoded hash with a random 16-byte salt; unavailable when the
// random generator fails, internal when argon2 does.
Result<std::string> hash_password(const std::string& password, const PasswordCost& cost = {});

// Whether `password` matches the encoded hash; false for a hash that does
// not parse. With an empty `encoded` it spends the time of one check at
// the default cost and answers false, so that an unknown name costs a
// stranger as long as a wrong password.
bool password_matches(const std::string& encoded, const std::string& password);

}  // namespace certd::app
