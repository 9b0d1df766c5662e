#pragma once
// Why a certificate was revoked, in the words the public may see. The
// revoke reason a teacher types is the issuer's own note (it may name a
// student or a mistake); the verification page and its JSON show only
// this category. Stored as the text to_string gives (migration 11).

#include <string_view>

#include "core/result.hpp"

namespace certd::store {

enum class RevocationCategory {
  issued_in_error,  // "error": it should never have been issued
  replaced,         // "replaced": a new certificate took its place (reissue)
  withdrawn,        // "withdrawn": the issuer took it back (a cancelled batch, or unsaid)
};

const char* to_string(RevocationCategory category);
// The reverse of to_string; fails with invalid_argument on any other text,
// naming the accepted words (a teacher may have typed it).
Result<RevocationCategory> parse_revocation_category(std::string_view text);

}  // namespace certd::store
