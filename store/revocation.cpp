#include "store/revocation.hpp"

#include <array>
#include <utility>

namespace certd::store {
namespace {

// One table: to_string and parse both read it, so they cannot disagree.
constexpr std::array<std::pair<RevocationCategory, const char*>, 3> k_names{{
    {RevocationCategory::issued_in_error, "error"},
    {RevocationCategory::replaced, "replaced"},
    {RevocationCategory::withdrawn, "withdrawn"},
}};

}  // namespace

const char* to_string(RevocationCategory category) {
  for (const auto& [value, name] : k_names)
    if (value == category) return name;
  return "?";  // unreachable: every enumerator is in the table
}

Result<RevocationCategory> parse_revocation_category(std::string_view text) {
  for (const auto& [value, name] : k_names)
    if (text == name) return value;
  // The text is not repeated: it may hold anything a person typed.
  return Error(ErrorCode::invalid_argument, "the revocation category must be error, replaced or withdrawn");
}

}  // namespace certd::store
