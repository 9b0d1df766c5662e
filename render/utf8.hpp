#pragma once
// UTF-8 decoding for text that goes onto a certificate. libharu 2.3.0's
// UTF-8 encoder covers the Basic Multilingual Plane only and skips
// malformed bytes silently, so text is checked here first.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace certd::render {

// The code points of `text`; invalid_argument for malformed UTF-8
// (overlong forms, surrogates, truncated sequences).
Result<std::vector<char32_t>> decode_utf8(std::string_view text);

void append_utf8(std::string& out, char32_t code_point);

// "U+00E9 'é'" for messages.
std::string describe_code_point(char32_t code_point);

}  // namespace certd::render
