#pragma once
// certd run: the daemon loop (docs/architecture.md data flow). One processing thread
// owns the pipeline and its Store; an outbox thread delivers with its own
// Store; the portal answers on the HTTP pool with its own connection
// (app/README.md lists the threads).
//
// Threads in run(): the poller (every poll_interval, changes become event
// rows, then the cursor moves), the processor (new events from polls and
// webhooks, groups of running batches), the outbox (deliveries with
// retries), and the portal's HTTP pool. run_once() does the same steps in
// order on the calling thread.
// Every step is a committed state change, so a kill at any point followed
// by a restart finishes the work without duplicates.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::connector {
class Lms;
}
namespace certd::notify {
class Notifier;
}

namespace certd::app {

struct School;

struct DaemonOptions {
  bool serve_portal = true;
  int portal_port = -1;  // -1: the configured port; 0: any free port
  int render_threads = 2;
  std::string worker_id = "certd";
};

struct CycleStats {
  int changes = 0;
  int events = 0;
  int issued = 0;
  int queued = 0;
  int batch_rows = 0;
  int delivered = 0;
  int retrying = 0;
  int failed = 0;              // outbox items failed for good
  int events_failed = 0;       // events that failed this cycle (kept, retried later)
  int events_retried = 0;      // failed events taken up again this cycle
  std::int64_t failed_events = 0;  // failed events in the store after the cycle (`certd events list --failed`)
  int rounds = 0;                  // event rounds that found events
  double fetch_ms = 0, decide_ms = 0, issue_ms = 0, mark_ms = 0;  // their time (ProcessStats)
  std::string poll_error;  // empty: the poll worked (or was not due)
};

class Daemon {
 public:
  // `lms` may be null (no LMS: batches, ad-hoc and the portal only).
  Daemon(const School& school, connector::Lms* lms, notify::Notifier& notifier, const Clock& clock,
         DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the store, takes back this machine's crashed outbox leases, and
  // starts the portal. Errors: unavailable (port taken, store locked).
  Status start();
  // Polls once, then processes events and batches and drains the outbox
  // until nothing is left to do now (`certd run --once`, the demo).
  Result<CycleStats> run_once();
  // Runs cycles until request_stop(); polls every poll_interval.
  Status run();
  // Ends run() between two steps. Safe from any thread.
  void request_stop();
  // Starts the next cycle now instead of after the nap (a webhook came).
  void wake();
  int portal_port() const;

 private:
  struct Impl;
  Result<CycleStats> cycle(bool poll, bool drain_outbox);
  void outbox_loop();
  void poll_loop();
  void wake_outbox();

  std::unique_ptr<Impl> m_impl;
  std::atomic<bool> m_stop{false};
  std::mutex m_wake_mutex;
  std::condition_variable m_wake_signal;
  bool m_woken = false;         // Guarded by m_wake_mutex.
  bool m_outbox_woken = false;  // Guarded by m_wake_mutex.
};

}  // namespace certd::app
