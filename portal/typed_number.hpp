#pragma once
// A certificate number as a person types it into the home page's form
// (GET /v?number=...) or a URL: lower case, spaces, dashes left out or
// typed as an en dash. Made canonical (PREFIX-BBBB-BBBC) and judged before
// anything is looked up: only a well-formed number with the right check
// character reaches the store (render/certificate_number.hpp). Pure.

#include <string>
#include <string_view>

namespace certd::portal {

enum class NumberVerdict {
  empty,         // nothing typed
  not_a_number,  // not the shape of a certificate number (or too long to show back)
  typo,          // the shape of one, but the check character does not match
  well_formed,   // the check character matches: worth a look-up
};

struct TypedNumber {
  NumberVerdict verdict = NumberVerdict::empty;
  // Upper case, dashes where they belong; empty for not_a_number, so what
  // is shown back is only ever letters, digits and dashes.
  std::string canonical;
};

TypedNumber read_typed_number(std::string_view typed);

// The value of `name` in an application/x-www-form-urlencoded query ('+'
// is a space, %XX a byte); empty when absent or when its %-escapes are
// broken. The first occurrence wins.
std::string form_value(std::string_view query, std::string_view name);

}  // namespace certd::portal
