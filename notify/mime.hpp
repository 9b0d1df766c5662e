#pragma once
// Composes a Message as RFC 5322 / MIME bytes. One composer serves both the
// SMTP path and the .eml outbox, so what a family receives and what the
// outbox folder shows are byte for byte the same message.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "notify/message.hpp"

namespace certd::notify {

// Fails with invalid_argument on a header that could inject another header
// (CR or LF in from/to/subject/message id) or on an address without '@'.
Result<std::string> compose_mime(const Message& message);

// The address inside "Name <addr@host>" (or the whole text if bare).
std::string address_of(std::string_view mailbox);

// RFC 2047 encoded-word for non-ASCII header text; ASCII passes unchanged.
std::string encode_header_text(std::string_view text);

}  // namespace certd::notify
