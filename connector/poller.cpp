#include "connector/poller.hpp"

#include "core/log.hpp"

namespace certd::connector {

Result<PollResult> Poller::poll() {
  Result<PollResult> result = m_lms.poll_changes(m_cursors);
  if (!result) {
    CERTD_LOG_WARN("lms poll failed: {}", result.error().to_string());
    return result;
  }
  const PollStats& stats = result->stats;
  CERTD_LOG_INFO("lms poll: {} requests, {} changes, {} of {} pairs swept, completions from {}, {} ms",
                 stats.requests, stats.changes, stats.pairs_swept, stats.pairs_total, stats.completions_from,
                 stats.elapsed.count());
  for (const std::string& warning : result->warnings) CERTD_LOG_WARN("lms poll: {}", warning);
  return result;
}

Status Poller::commit(const PollResult& result) {
  for (const auto& [key, value] : result.cursor_updates) CERTD_TRY(m_cursors.set(key, value));
  return ok();
}

}  // namespace certd::connector
