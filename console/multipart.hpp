#pragma once
// multipart/form-data bodies (RFC 7578), as a browser sends a form with a
// file: the console's CSV upload (batches_page.cpp). Strict and bounded:
// what a browser or curl -F sends parses; anything else is refused with
// invalid_argument and a message, never guessed at. Pure; thread-safe.
//
// Refused: a Content-Type that is not multipart/form-data or has no valid
// boundary (RFC 2046: 1..70 characters of its set, no space at the end);
// a preamble; header lines not ended by CRLF, folded, or without ':';
// a part without Content-Disposition "form-data" and a name; a part that is
// itself multipart (RFC 7578 4.3 dropped "multipart/mixed"); a body that
// does not end with the close delimiter ("--boundary--", then at most a
// CRLF); and anything over the limits.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace certd::console {

struct MultipartLimits {
  std::size_t max_parts = 16;
  std::size_t max_part_bytes = 8u << 20;  // one part's content
  std::size_t max_header_bytes = 2048;    // one part's header block
};

struct MultipartPart {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // present for a file input (may be empty: no file chosen)
  std::string content_type;             // empty when the part has none (text/plain, RFC 7578 4.4)
  std::string body;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type.
Result<std::string> multipart_boundary(std::string_view content_type);

// The parts of `body`, in order. A name may come more than once.
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view content_type,
                                                   const MultipartLimits& limits = {});

// The first part named `name`, or null.
const MultipartPart* part_named(const std::vector<MultipartPart>& parts, std::string_view name);

}  // namespace certd::console
