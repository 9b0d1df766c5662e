#include "app/service_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace certd::app {
namespace {

// A status is one line of a datagram: no newlines in it.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

void notify_ready(const std::string& status) {
  sd_notify(0, ("READY=1\nSTATUS=" + one_line(status)).c_str());
}

void notify_status(const std::string& status) { sd_notify(0, ("STATUS=" + one_line(status)).c_str()); }

void notify_stopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

void notify_reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading the config, rules and templates"); }

Watchdog::Watchdog() {
  std::uint64_t usec = 0;
  m_enabled = sd_watchdog_enabled(0, &usec) > 0;
}

void Watchdog::kick() {
  if (!m_enabled) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  auto now = std::chrono::steady_clock::now();
  if (now - m_last < std::chrono::seconds(1)) return;
  m_last = now;
  sd_notify(0, "WATCHDOG=1");
}

}  // namespace certd::app
