#pragma once
// Base64 (RFC 4648 §4: standard alphabet, '=' padding, no line breaks) on
// OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock. Line wrapping belongs to
// the formats that want it (MIME: notify/mime.cpp).

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd {

std::string base64_encode(std::string_view bytes);

// Strict: fails with invalid_argument on a length that is not a multiple
// of 4, a character outside the alphabet (whitespace included), or '='
// anywhere but as one or two final characters. "" decodes to "".
Result<std::string> base64_decode(std::string_view text);

}  // namespace certd
