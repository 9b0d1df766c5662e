// StoreConsoleBackend: /metrics (console/api.cpp), from the store as
// `certd status` reads it and from this process's own registry.
#include "app/console_backend.hpp"
#include "app/metrics_page.hpp"
#include "app/school.hpp"
#include "app/status_report.hpp"
#include "core/metrics.hpp"
#include "store/store.hpp"

namespace certd::app {

Result<std::string> StoreConsoleBackend::metrics_text(std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  CERTD_ASSIGN_OR_RETURN(StatusReport status, gather_status(*m_store, m_school, from_unix(now)));
  CERTD_ASSIGN_OR_RETURN(store::StoreFigures figures, m_store->figures());
  return metrics_page(status, figures, metrics::process().text());
}

}  // namespace certd::app
