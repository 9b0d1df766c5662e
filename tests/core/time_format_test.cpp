#include "core/time_format.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace certd {
namespace {

TEST(TimeFormat, RoundTripsIso8601) {
  auto t = parse_iso8601("2026-11-23T12:34:56Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(to_unix(*t), 1795437296);
  EXPECT_EQ(format_iso8601(*t), "2026-11-23T12:34:56Z");
  EXPECT_EQ(format_date(*t), "2026-11-23");
}

TEST(TimeFormat, AcceptsPlainDatesAsMidnightUtc) {
  EXPECT_EQ(to_unix(*parse_iso8601("1970-01-02")), 86400);
  EXPECT_EQ(to_unix(*parse_iso8601("2024-02-29")), 1709164800);
}

TEST(TimeFormat, RefusesImpossibleDates) {
  for (const char* bad : {"2023-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-1-1", "2026-01-01T25:00:00Z",
                          "2026-01-01T10:00:00", "2026-01-01x"})
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
}

// Found by fuzz_batch_csv and fuzz_rules under UBSan: "9999-12-31" (as
// "never") overflowed TimePoint's nanoseconds into a date in the 1700s.
TEST(TimeFormat, RefusesDatesPastTheClocksRange) {
  EXPECT_TRUE(parse_iso8601("2261-12-31T23:59:59Z"));
  for (const char* late : {"2262-01-01", "4052-06-30", "9999-12-31"}) EXPECT_FALSE(parse_iso8601(late)) << late;
}

// Unix seconds from outside (an LMS, a stored payload) saturate at the
// clock's ends instead of overflowing.
TEST(TimeFormat, FromUnixSaturatesAtTheClocksEnds) {
  EXPECT_EQ(from_unix(INT64_MAX), from_unix(to_unix(TimePoint::max())));
  EXPECT_EQ(from_unix(INT64_MIN), from_unix(to_unix(TimePoint::min())));
  EXPECT_GT(from_unix(253402214400), *parse_iso8601("2261-12-31"));  // 9999-12-31 is after it, still
  EXPECT_EQ(to_unix(from_unix(1795437296)), 1795437296);
}

TEST(TimeFormat, MonthOfCoversTheCalendarMonth) {
  auto [first, next] = month_of(*parse_iso8601("2026-12-31T23:59:59Z"));
  EXPECT_EQ(format_iso8601(first), "2026-12-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(next), "2027-01-01T00:00:00Z");
  EXPECT_EQ(format_date(month_of(*parse_iso8601("2024-02-10")).second), "2024-03-01");
}

TEST(TimeFormat, YearsAndMonthsMoveTheCalendar) {
  auto at = [](const char* text) { return *parse_iso8601(text); };
  EXPECT_EQ(format_iso8601(add_calendar_duration(at("2026-11-23T13:29:56Z"), std::chrono::seconds(2 * 365 * 86400))),
            "2028-11-23T13:29:56Z");
  EXPECT_EQ(format_date(add_calendar_duration(at("2024-02-29"), std::chrono::seconds(365 * 86400))), "2025-02-28");
  EXPECT_EQ(format_date(add_calendar_duration(at("2026-01-31"), std::chrono::seconds(30 * 86400))), "2026-02-28");
  EXPECT_EQ(format_date(add_calendar_duration(at("2026-11-30"), std::chrono::seconds(3 * 30 * 86400))), "2027-02-28");
  EXPECT_EQ(to_unix(add_calendar_duration(at("2026-01-01"), std::chrono::seconds(90))), to_unix(at("2026-01-01")) + 90);
}

}  // namespace
}  // namespace certd
