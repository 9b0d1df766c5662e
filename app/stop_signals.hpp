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
  // With Reload::watched, SIGHUP is taken too (watch()'s on_reload);
  // otherwise it keeps its default (the process ends, as for a terminal
  // that closes).
  enum class Reload { ignored, watched };
  explicit StopSignals(Reload reload = Reload::ignored);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Calls `on_stop` (from a watcher thread) when SIGINT or SIGTERM comes,
  // then watches no more; `on_reload` (same thread) for each SIGHUP, when
  // constructed with Reload::watched.
  void watch(std::function<void()> on_stop, std::function<void()> on_reload = nullptr);
  // Blocks until SIGINT or SIGTERM; returns the signal number.
  int wait();

 private:
  bool m_reload;
  std::thread m_watcher;
};

}  // namespace certd::app
