#include "core/duration.hpp"

#include <charconv>
#include <limits>

namespace certd {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Longest suffixes first so "mo" is not read as "m" + "o".
constexpr Unit k_duration_units[] = {
    {"mo", 30ull * 86400}, {"s", 1}, {"m", 60}, {"h", 3600},
    {"d", 86400},          {"w", 7ull * 86400}, {"y", 365ull * 86400},
};

constexpr Unit k_size_units[] = {
    {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
    {"KB", 1000},        {"MB", 1000000},     {"GB", 1000000000}, {"B", 1}, {"", 1},
};

std::optional<std::uint64_t> parse_number_with_unit(std::string_view text, const Unit* units,
                                                    std::size_t count) {
  std::uint64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  for (std::size_t i = 0; i < count; ++i) {
    if (units[i].suffix != suffix) continue;
    if (number > std::numeric_limits<std::uint64_t>::max() / units[i].factor) return std::nullopt;
    return number * units[i].factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  auto seconds = parse_number_with_unit(text, k_duration_units, std::size(k_duration_units));
  if (!seconds || *seconds > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return std::nullopt;
  return Duration(static_cast<std::int64_t>(*seconds));
}

std::string format_duration(Duration d) {
  auto s = d.count();
  if (s != 0 && s % (365 * 86400) == 0) return std::to_string(s / (365 * 86400)) + "y";
  if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  return parse_number_with_unit(text, k_size_units, std::size(k_size_units));
}

}  // namespace certd
