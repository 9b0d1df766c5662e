#pragma once
// Durations and sizes as people write them in YAML: "60s", "5m", "2h",
// "30d", "2y"; "256KiB", "1MiB", "512". Shared by config and rules.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certd {

// A calendar-free duration in seconds; a year counts 365 days, a month 30
// (expiry dates that need calendar months are computed by the caller).
using Duration = std::chrono::seconds;

// Returns nullopt for anything but <positive integer><unit>, unit one of
// s, m, h, d, w, mo, y. Zero is allowed ("0s").
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);

// Bytes from "<integer>[B|KiB|MiB|GiB|KB|MB|GB]"; nullopt if malformed or
// overflowing.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace certd
