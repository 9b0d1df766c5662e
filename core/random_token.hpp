#pragma once
// Unguessable tokens (claim links, action ids) from OpenSSL's CSPRNG.
// RAND_bytes can fail (no entropy yet); that is an error, never a token of
// zero bytes.

#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace certd {

// `count` random bytes; fails with `unavailable` when the generator does.
Result<std::string> random_bytes(std::size_t count);

// `count` random bytes as URL-safe base64 ('-' and '_' for '+' and '/'),
// for tokens in links.
Result<std::string> random_token_base64url(std::size_t count);

// `count` random bytes as lowercase hexadecimal.
Result<std::string> random_token_hex(std::size_t count);

}  // namespace certd
