#pragma once
// One poll cycle as the daemon runs it: poll, commit the cursor, and let a
// minute pass, so the next cycle is a later one.

#include <gtest/gtest.h>

#include "connector/poller.hpp"
#include "fakes/manual_clock.hpp"

namespace certd::connector::testing {

inline PollResult poll_and_commit(Poller& poller, certd::testing::ManualClock& clock) {
  Result<PollResult> result = poller.poll();
  EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
  if (!result) return PollResult();
  EXPECT_TRUE(poller.commit(*result));
  clock.advance(60);
  return std::move(*result);
}

}  // namespace certd::connector::testing
