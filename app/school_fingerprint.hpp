#pragma once
// What the running rules were made of: a SHA-256 over the config file, the
// rule and template files, and the fonts and pictures the templates use.
// The daemon keeps it in the store (state key k_school_fingerprint_key);
// when it differs at start, a person has changed something that may make
// failed events work now, so they are all made due at once instead of
// waiting out their back-off.

#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace certd::store {
class Store;
}

namespace certd::app {

struct School;

inline constexpr const char* k_school_fingerprint_key = "school.fingerprint";

// Hex SHA-256. A file that cannot be read counts by its name and the
// reason, so deleting or restoring a picture changes the fingerprint too.
std::string school_fingerprint(const School& school);

// Stores `fingerprint`; when another one was stored before, makes every
// retryable failed event due at `now`. Returns how many were made due
// (0 on the first start, or when nothing changed).
Result<std::int64_t> note_school_fingerprint(store::Store& store, const std::string& fingerprint, std::int64_t now);

}  // namespace certd::app
