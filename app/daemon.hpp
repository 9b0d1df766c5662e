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
//
// reload() (SIGHUP) reads the config, rules and templates again and, when
// they pass every check, swaps them in between two rounds of the
// processing thread: its pipeline and the portal's handlers are rebuilt on
// the new reading, and the poll and outbox threads move to it after their
// current step (none of them waits for another). The HTTP server keeps
// its socket; requests under way finish on the reading they started with.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
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
struct SchoolSetup;

// Reads the school again for a reload (run.cpp: load_school_setup).
using SchoolLoader = std::function<Result<std::unique_ptr<SchoolSetup>>()>;

struct DaemonOptions {
  bool serve_portal = true;
  int portal_port = -1;  // -1: the configured port; 0: any free port
  int render_threads = 2;
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

  // Enables reload(). Call before run().
  void set_loader(SchoolLoader loader);
  // Loads the school again (on the calling thread, while run() goes on)
  // and has run() swap it in between two rounds; blocks until it has.
  // A reading that fails any check, or changes data_dir, is refused and
  // the running one stays: the error lists every problem, one per line.
  // Safe from any thread but run()'s; refused when run() is not running.
  Status reload();

 private:
  struct Pipeline;
  struct Front;
  struct Impl;
  Result<CycleStats> cycle(bool poll, bool drain_outbox);
  void outbox_loop();
  void poll_loop();
  void wake_outbox();
  void swap_in_pending();
  Status swap_in(std::shared_ptr<SchoolSetup> setup);

  std::unique_ptr<Impl> m_impl;
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_reload_waiting{false};  // a loaded school waits in Impl for run()
  std::atomic<std::uint64_t> m_generation{0};  // of the reading in use; +1 per reload
  std::mutex m_wake_mutex;
  std::condition_variable m_wake_signal;
  bool m_woken = false;         // Guarded by m_wake_mutex.
  bool m_outbox_woken = false;  // Guarded by m_wake_mutex.
};

}  // namespace certd::app
