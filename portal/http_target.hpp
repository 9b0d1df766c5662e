#pragma once
// Splits an HTTP request target ("/v/A%2DB?x=1") into its decoded path and
// raw query. Pure; the first thing a stranger's bytes meet, so it is small,
// strict and fuzzed (fuzz/portal).

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd::portal {

struct Target {
  std::string path;   // percent-decoded; always starts with '/', or is "*"
  std::string query;  // after the first '?', as sent
};

// Fails with invalid_argument for a target that is not origin-form
// ("/..."), nor "*", or that holds a broken %-escape.
Result<Target> parse_target(std::string_view target);

}  // namespace certd::portal
