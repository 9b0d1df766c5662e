#pragma once
// SIGINT and SIGTERM, taken in an orderly way: blocked from construction
// on (in this thread and every thread started afterwards, so no library
// thread dies of them mid-write), then received by sigwait() in a watcher
// thread or by wait(). Construct it first thing in a command.

#include <functional>
#include <thread>

namespace certd::app {

// Not copyable; one per command.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Calls `on_stop` (from a watcher thread) when SIGINT or SIGTERM comes.
  void watch(std::function<void()> on_stop);
  // Blocks until SIGINT or SIGTERM; returns the signal number.
  int wait();

 private:
  std::thread m_watcher;
};

}  // namespace certd::app
