#include "app/stop_signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace certd::app {
namespace {

sigset_t stop_set(bool reload) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // only ever sent by us, to end the watcher
  if (reload) sigaddset(&set, SIGHUP);
  return set;
}

int next_signal(bool reload) {
  sigset_t set = stop_set(reload);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

}  // namespace

StopSignals::StopSignals(Reload reload) : m_reload(reload == Reload::watched) {
  sigset_t set = stop_set(m_reload);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

StopSignals::~StopSignals() {
  if (!m_watcher.joinable()) return;
  pthread_kill(m_watcher.native_handle(), SIGUSR1);
  m_watcher.join();
}

void StopSignals::watch(std::function<void()> on_stop, std::function<void()> on_reload) {
  m_watcher = std::thread([reload = m_reload, on_stop = std::move(on_stop), on_reload = std::move(on_reload)] {
    while (true) {
      int signal_number = next_signal(reload);
      if (signal_number == SIGUSR1) return;
      if (signal_number != SIGHUP) return on_stop();
      if (on_reload) on_reload();
    }
  });
}

int StopSignals::wait() {
  int signal_number = 0;
  do signal_number = next_signal(m_reload);
  while (signal_number == SIGUSR1 || signal_number == SIGHUP);
  return signal_number;
}

}  // namespace certd::app
