#pragma once
// application/x-www-form-urlencoded bodies (HTML forms, LTI's form_post),
// strictly: a broken %-escape or more than `max_fields` fields is an error,
// not a guess. Pure.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace certd::console {

// In the order sent; a name may repeat (ticked checkboxes).
using FormFields = std::vector<std::pair<std::string, std::string>>;

// '+' is a space, %XX a byte. invalid_argument for a broken escape or too
// many fields. Names and values are bytes: callers check their text.
Result<FormFields> parse_form(std::string_view body, std::size_t max_fields = 2000);

// The first value of `name`; empty when absent.
std::string field(const FormFields& fields, std::string_view name);
// Every value of `name`, in order.
std::vector<std::string> fields_named(const FormFields& fields, std::string_view name);

// Percent-encodes for a query or form value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);

// "scheme://host[:port]" of an absolute URL, as browsers send it in
// Origin; the text itself when it has no "://". Compared byte for byte:
// certd's own URLs are written one way (portal.public_url).
std::string url_origin(const std::string& url);

}  // namespace certd::console
