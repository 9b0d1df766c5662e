#include "core/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace certd {
namespace {

// Days from 1970-01-01 to y-m-d (proleptic Gregorian); Howard Hinnant's
// algorithm, so no timegm() and no time zone database are involved.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Years TimePoint holds whole (it ends in April 2262, libstdc++'s
// nanoseconds): "9999-12-31" as "never" would otherwise overflow into a
// date in the 1700s.
constexpr int k_last_year = 2261;

bool valid_date(int y, int m, int d) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > k_last_year || m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= k_days[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::tm to_tm(TimePoint t) {
  std::time_t seconds = static_cast<std::time_t>(to_unix(t));
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return parts;
}

}  // namespace

std::string format_iso8601(TimePoint t) {
  std::tm p = to_tm(t);
  char text[80];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", p.tm_year + 1900, p.tm_mon + 1,
                p.tm_mday, p.tm_hour, p.tm_min, p.tm_sec);
  return text;
}

std::string format_date(TimePoint t) { return format_iso8601(t).substr(0, 10); }

TimePoint add_calendar_duration(TimePoint t, std::chrono::seconds d) {
  constexpr std::int64_t k_year = 365 * 86400;
  constexpr std::int64_t k_month = 30 * 86400;
  std::int64_t s = d.count();
  int months = 0;
  if (s > 0 && s % k_year == 0) months = static_cast<int>(s / k_year) * 12;
  else if (s > 0 && s % k_month == 0) months = static_cast<int>(s / k_month);
  else return t + d;
  std::tm p = to_tm(t);
  int total = p.tm_year * 12 + p.tm_mon + months;
  int year = total / 12 + 1900;
  int month = total % 12 + 1;
  int day = p.tm_mday;
  while (!valid_date(year, month, day)) --day;
  std::int64_t seconds_of_day = p.tm_hour * 3600 + p.tm_min * 60 + p.tm_sec;
  return from_unix(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                   seconds_of_day);
}

std::pair<TimePoint, TimePoint> month_of(TimePoint t) {
  std::tm p = to_tm(t);
  int year = p.tm_year + 1900;
  unsigned month = static_cast<unsigned>(p.tm_mon + 1);
  std::int64_t first = days_from_civil(year, month, 1);
  std::int64_t next = month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1);
  return {from_unix(first * 86400), from_unix(next * 86400)};
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  std::string copy(text);
  if (text.size() == 10) {
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3) return std::nullopt;
  } else if (text.size() == 20) {
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 7 ||
        tail != 'Z')
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!valid_date(y, mo, d) || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return from_unix(days * 86400 + h * 3600 + mi * 60 + s);
}

}  // namespace certd
