#pragma once
// Fixed, locale-free time formats (UTC): what the store, JSON and PDFs show.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace certd {

std::string format_iso8601(TimePoint t);   // 2026-11-23T12:00:00Z
std::string format_date(TimePoint t);      // 2026-11-23
// Accepts YYYY-MM-DD (midnight UTC) and YYYY-MM-DDTHH:MM:SSZ.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace certd
