#pragma once
// How long a worker's claim on an event or a batch row lasts
// (store.hpp: claim_events, claim_batch_items). A round of events or a
// group of batch rows takes seconds; five minutes leaves room for a slow
// LMS, and a crashed worker's rows wait no longer than that for another
// worker (a restarted one takes its own back at once).

#include "core/duration.hpp"

namespace certd::app {

constexpr Duration k_event_lease{300};
constexpr Duration k_batch_row_lease{300};

}  // namespace certd::app
