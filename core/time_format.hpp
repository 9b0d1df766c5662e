#pragma once
// Fixed, locale-free time formats (UTC): what the store, JSON and PDFs show.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.hpp"

namespace certd {

std::string format_iso8601(TimePoint t);   // 2026-11-23T12:00:00Z
std::string format_date(TimePoint t);      // 2026-11-23
// `t` plus `d`, where a whole number of years or months (as "2y" or "6mo"
// parse: 365 and 30 days) moves the calendar instead: 2026-11-23 + 2y is
// 2028-11-23, not 2028-11-22. The day is clamped to the target month's
// length (Jan 31 + 1mo = Feb 28/29). Other durations add seconds.
TimePoint add_calendar_duration(TimePoint t, std::chrono::seconds d);

// The calendar month (UTC) holding `t`: [first day 00:00, next month's
// first day 00:00).
std::pair<TimePoint, TimePoint> month_of(TimePoint t);

// Accepts YYYY-MM-DD (midnight UTC) and YYYY-MM-DDTHH:MM:SSZ, for the
// years 1900 to 2261 (TimePoint ends in 2262).
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace certd
