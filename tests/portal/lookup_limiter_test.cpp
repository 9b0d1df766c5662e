#include "portal/lookup_limiter.hpp"

#include <gtest/gtest.h>

namespace certd::portal {
namespace {

TEST(LookupLimiter, RecordsANumberOncePerClientPerWindow) {
  LookupLimiter limiter(60, 100);
  EXPECT_TRUE(limiter.should_record("10.0.0.1", "SWL3-7K4M-9QXR", 1000));
  EXPECT_FALSE(limiter.should_record("10.0.0.1", "SWL3-7K4M-9QXR", 1059));
  EXPECT_TRUE(limiter.should_record("10.0.0.2", "SWL3-7K4M-9QXR", 1059)) << "another client";
  EXPECT_TRUE(limiter.should_record("10.0.0.1", "FA-CCCC-DDDE", 1059)) << "another number";
  EXPECT_TRUE(limiter.should_record("10.0.0.1", "SWL3-7K4M-9QXR", 1060)) << "the window has passed";
}

TEST(LookupLimiter, TheTableIsBoundedAndAFloodLosesOnlyItsOwnLookups) {
  LookupLimiter limiter(60, 3);
  EXPECT_TRUE(limiter.should_record("a", "N1", 1000));
  EXPECT_TRUE(limiter.should_record("a", "N2", 1000));
  EXPECT_TRUE(limiter.should_record("a", "N3", 1000));
  EXPECT_FALSE(limiter.should_record("a", "N4", 1001)) << "full of entries inside their window";
  EXPECT_EQ(limiter.size(), 3u);
  EXPECT_TRUE(limiter.should_record("b", "N5", 1060)) << "expired entries make room";
  EXPECT_EQ(limiter.size(), 1u);
}

}  // namespace
}  // namespace certd::portal
