#pragma once
// The text of /metrics (Prometheus format 0.0.4): the figures the store
// holds (certificates by rule and kind, events by state, the outbox by
// channel and state, the pending queue, the month's quota, the last poll)
// followed by what this process counted since it started (render times,
// poll times and requests, webhook answers: core/metrics.hpp).
//
// metrics_page() is pure; the caller reads the store.

#include <string>

#include "app/status_report.hpp"
#include "store/store.hpp"

namespace certd::app {

std::string metrics_page(const StatusReport& status, const store::StoreFigures& figures,
                         const std::string& process_figures);

}  // namespace certd::app
