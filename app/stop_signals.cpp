#include "app/stop_signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace certd::app {
namespace {

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // only ever sent by us, to end the watcher
  return set;
}

int next_signal() {
  sigset_t set = stop_set();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

}  // namespace

StopSignals::StopSignals() {
  sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

StopSignals::~StopSignals() {
  if (!m_watcher.joinable()) return;
  pthread_kill(m_watcher.native_handle(), SIGUSR1);
  m_watcher.join();
}

void StopSignals::watch(std::function<void()> on_stop) {
  m_watcher = std::thread([on_stop = std::move(on_stop)] {
    if (next_signal() != SIGUSR1) on_stop();
  });
}

int StopSignals::wait() {
  int signal_number = 0;
  do signal_number = next_signal();
  while (signal_number == SIGUSR1);
  return signal_number;
}

}  // namespace certd::app
