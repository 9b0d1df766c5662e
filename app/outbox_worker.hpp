#pragma once
// Delivers outbox items (LMS write-backs, e-mails): claims what is due,
// runs the handler registered for the item's kind, then records the
// outcome. `unavailable` errors are retried with back-off; any other error
// is final and kept with its message for `certd report`.

#include <functional>
#include <map>
#include <random>
#include <string>

#include "app/retry_policy.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace certd::app {

using OutboxHandler = std::function<Status(const store::OutboxRow& row)>;

struct DrainStats {
  int delivered = 0;
  int retrying = 0;
  int failed = 0;
};

// Not thread-safe: one worker per thread, each with its own Store.
class OutboxWorker {
 public:
  OutboxWorker(store::Store& store, const Clock& clock, RetryPolicy policy, std::string worker_id,
               std::map<std::string, OutboxHandler> handlers);

  // Runs every item due now, in batches, until none is left due.
  Result<DrainStats> drain(int batch_size = 50);

 private:
  Status record(const store::OutboxRow& row, const Status& outcome, DrainStats& stats);

  store::Store& m_store;
  const Clock& m_clock;
  RetryPolicy m_policy;
  std::string m_worker_id;
  std::map<std::string, OutboxHandler> m_handlers;
  std::mt19937_64 m_random;
};

// How long a claimed item stays leased before another worker may take it.
constexpr Duration k_outbox_lease{300};

}  // namespace certd::app
