#pragma once
// Certificate numbers (docs/architecture.md "Certificates"): short, human-friendly,
// with a check character, e.g. SWL3-7K4M-9QXA.
//
// Format: PREFIX-BBBB-BBBC. PREFIX is 1..8 characters of A-Z and 0-9 (from
// the template); B is a random body character from an alphabet without the
// look-alikes 0, 1, I, L, O and U; C is a check character (0-9, A-Z) that
// makes the position-weighted sum of all characters, dashes left out,
// 0 mod 37. That detects every single mistyped character and every swap
// of two neighbours. Pure and thread-safe.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd::render {

inline constexpr std::size_t k_number_random_bytes = 8;

// True when `prefix` may start a certificate number.
bool valid_number_prefix(std::string_view prefix);

// Builds a number from `prefix` and random bytes the caller drew (e.g.
// RAND_bytes); the same bytes give the same number. Fails with
// invalid_argument for a bad prefix.
Result<std::string> make_certificate_number(std::string_view prefix,
                                            const std::array<std::uint8_t, k_number_random_bytes>& random);

// True when `number` has the format above and its check character matches.
// Exact match only: callers upper-case user input first if they wish.
bool valid_number(std::string_view number);

}  // namespace certd::render
