#pragma once
// What `certd run` tells systemd as a Type=notify service (sd_notify(3),
// libsystemd): READY=1 once the store is open and the poll, outbox and
// processing threads have started; WATCHDOG=1 from the processing loop,
// so a loop that hangs is restarted (WatchdogSec= in certd.service);
// STATUS= lines for `systemctl status`; STOPPING=1 on the way out.
// Outside systemd (no NOTIFY_SOCKET) every call does nothing.

#include <chrono>
#include <mutex>
#include <string>

namespace certd::app {

void notify_ready(const std::string& status);
void notify_status(const std::string& status);
void notify_stopping();
// A reload began (SIGHUP); notify_ready() again when it is done.
void notify_reloading();

// WATCHDOG=1 at most once a second however often kick() is called, and
// only when systemd asked for it (WATCHDOG_USEC). Thread-safe.
class Watchdog {
 public:
  Watchdog();
  void kick();

 private:
  bool m_enabled = false;
  std::mutex m_mutex;
  std::chrono::steady_clock::time_point m_last{};
};

}  // namespace certd::app
