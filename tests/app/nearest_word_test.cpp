// "Did you mean …?": the nearest command or option, only when it is near.
#include "app/nearest_word.hpp"

#include <gtest/gtest.h>

namespace certd::app {
namespace {

const std::vector<std::string> k_commands = {"demo",   "preview", "run",    "check-config", "pending", "issue",
                                             "issue-now", "reissue", "revoke", "batch",   "verify",  "report",
                                             "events", "status",  "notify", "simulate-lms"};

TEST(EditDistance, CountsASwapOfNeighboursAsOneEdit) {
  EXPECT_EQ(edit_distance("pendign", "pending"), 1u);
  EXPECT_EQ(edit_distance("lst", "list"), 1u);
  EXPECT_EQ(edit_distance("revok", "revoke"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "run"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(NearestWord, SuggestsTheCommandOneSlipAway) {
  EXPECT_EQ(nearest_word("pendign", k_commands), "pending");
  EXPECT_EQ(nearest_word("isue", k_commands), "issue");
  EXPECT_EQ(nearest_word("stauts", k_commands), "status");
  EXPECT_EQ(nearest_word("--studnet", {"--help", "--config", "--student", "--template"}), "--student");
}

TEST(NearestWord, SuggestsTheOnlyCommandAWordBegins) {
  EXPECT_EQ(nearest_word("check", k_commands), "check-config");
  EXPECT_EQ(nearest_word("simul", k_commands), "simulate-lms");
  EXPECT_EQ(nearest_word("iss", k_commands), std::nullopt) << "issue or issue-now";
}

TEST(NearestWord, SuggestsNothingWhenNothingIsNear) {
  EXPECT_EQ(nearest_word("xyz", k_commands), std::nullopt);
  EXPECT_EQ(nearest_word("frobnicate", k_commands), std::nullopt);
  EXPECT_EQ(nearest_word("ab", {"run"}), std::nullopt);
}

}  // namespace
}  // namespace certd::app
