#include "core/result.hpp"

#include <gtest/gtest.h>

namespace certd {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return Error(ErrorCode::invalid_argument, "not positive");
  return n;
}

Result<int> doubled(int n) {
  CERTD_ASSIGN_OR_RETURN(int value, parse_positive(n));
  return value * 2;
}

Status check(int n) {
  CERTD_TRY(parse_positive(n));
  return ok();
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*doubled(4), 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, TryPropagatesErrorsFromStatusFunctions) {
  EXPECT_TRUE(check(1));
  EXPECT_EQ(check(0).error().message(), "not positive");
}

TEST(Error, PrintsLocationBeforeMessage) {
  Error located(ErrorCode::parse_error, "bad key", SourceLocation{"a.yaml", 3, 7});
  EXPECT_EQ(located.to_string(), "a.yaml:3:7: bad key");
  EXPECT_EQ(Error(ErrorCode::internal, "plain").to_string(), "plain");
}

}  // namespace
}  // namespace certd
