#include "core/duration.hpp"

#include <gtest/gtest.h>

namespace certd {
namespace {

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(parse_duration("60s")->count(), 60);
  EXPECT_EQ(parse_duration("5m")->count(), 300);
  EXPECT_EQ(parse_duration("2h")->count(), 7200);
  EXPECT_EQ(parse_duration("7d")->count(), 7 * 86400);
  EXPECT_EQ(parse_duration("1w")->count(), 7 * 86400);
  EXPECT_EQ(parse_duration("6mo")->count(), 6 * 30 * 86400);
  EXPECT_EQ(parse_duration("2y")->count(), 2 * 365 * 86400);
  EXPECT_EQ(parse_duration("0s")->count(), 0);
}

TEST(Duration, RefusesMalformedText) {
  for (const char* bad : {"", "5", "m", "-5m", "5 m", "5min", "1.5h", "99999999999999999999s", "5mo2"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, FormatsInTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Duration(300)), "5m");
  EXPECT_EQ(format_duration(Duration(2 * 365 * 86400)), "2y");
  EXPECT_EQ(format_duration(Duration(61)), "61s");
}

TEST(Size, ParsesBinaryAndDecimalUnits) {
  EXPECT_EQ(*parse_size("512"), 512u);
  EXPECT_EQ(*parse_size("256KiB"), 256u * 1024);
  EXPECT_EQ(*parse_size("1MB"), 1000000u);
  EXPECT_FALSE(parse_size("1 MiB"));
  EXPECT_FALSE(parse_size("lots"));
  EXPECT_FALSE(parse_size("99999999999999GiB"));
}

}  // namespace
}  // namespace certd
