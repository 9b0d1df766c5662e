#include "core/parallel_for.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace certd {
namespace {

TEST(ParallelFor, CallsEveryIndexExactlyOnce) {
  for (int threads : {-1, 0, 1, 2, 4, 64}) {
    std::vector<std::atomic<int>> calls(1000);
    parallel_for(calls.size(), threads, [&](std::size_t i) { ++calls[i]; });
    for (std::size_t i = 0; i < calls.size(); ++i) ASSERT_EQ(calls[i].load(), 1) << i << " with " << threads;
  }
}

TEST(ParallelFor, NothingToDoCallsNothing) {
  bool called = false;
  parallel_for(0, 4, [&](std::size_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(ParallelFor, UsesAtMostTheThreadsAllowedAndTheCallersOneFirst) {
  std::mutex lock;
  std::set<std::thread::id> seen;
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  parallel_for(200, 3, [&](std::size_t) {
    int now = ++running;
    for (int p = peak; now > p && !peak.compare_exchange_weak(p, now);) {
    }
    std::this_thread::yield();
    {
      std::lock_guard<std::mutex> guard(lock);
      seen.insert(std::this_thread::get_id());
    }
    --running;
  });
  EXPECT_LE(peak.load(), 3);
  EXPECT_LE(seen.size(), 3u);

  std::thread::id caller = std::this_thread::get_id();
  bool on_caller = true;
  parallel_for(5, 1, [&](std::size_t) { on_caller = on_caller && std::this_thread::get_id() == caller; });
  EXPECT_TRUE(on_caller) << "one thread means no helper thread at all";
}

TEST(ParallelFor, ResultsGoToTheirOwnSlots) {
  std::vector<int> squares(500);
  parallel_for(squares.size(), 4, [&](std::size_t i) { squares[i] = static_cast<int>(i * i); });
  for (std::size_t i = 0; i < squares.size(); ++i) EXPECT_EQ(squares[i], static_cast<int>(i * i));
}

}  // namespace
}  // namespace certd
