#include "app/outbox_worker.hpp"

#include <nlohmann/json.hpp>

#include "core/log.hpp"

namespace certd::app {
namespace {

// The certificate an item is about, by number, for the journal's
// CERTIFICATE field: certificate items name it in their payload
// (outbox_handlers.cpp); others have none.
std::string certificate_number_of(const store::OutboxRow& row) {
  auto payload = nlohmann::json::parse(row.item.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return "";
  auto number = payload.find("number");
  return number != payload.end() && number->is_string() ? number->get<std::string>() : "";
}

}  // namespace

OutboxWorker::OutboxWorker(store::Store& store, const Clock& clock, RetryPolicy policy, std::string worker_id,
                           std::map<std::string, OutboxHandler> handlers)
    : m_store(store),
      m_clock(clock),
      m_policy(policy),
      m_worker_id(std::move(worker_id)),
      m_handlers(std::move(handlers)),
      m_random(std::random_device{}()) {}

Result<DrainStats> OutboxWorker::drain(int batch_size) {
  DrainStats stats;
  while (true) {
    std::int64_t now = to_unix(m_clock.now());
    CERTD_ASSIGN_OR_RETURN(auto rows, m_store.claim_due(now, now + k_outbox_lease.count(), batch_size, m_worker_id));
    if (rows.empty()) return stats;
    for (const store::OutboxRow& row : rows) {
      auto handler = m_handlers.find(row.item.kind);
      Status outcome = handler == m_handlers.end()
                           ? Status(Error(ErrorCode::internal, "no handler for outbox kind " + row.item.kind))
                           : handler->second(row);
      CERTD_TRY(record(row, outcome, stats));
    }
  }
}

Status OutboxWorker::record(const store::OutboxRow& row, const Status& outcome, DrainStats& stats) {
  std::int64_t now = to_unix(m_clock.now());
  if (outcome) {
    ++stats.delivered;
    return m_store.complete_outbox(row.id, now);
  }
  const Error& error = outcome.error();
  std::string text = std::string(to_string(error.code())) + ": " + error.message();
  if (error.code() == ErrorCode::unavailable) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    if (auto delay = m_policy.delay_after(row.attempts, unit(m_random))) {
      ++stats.retrying;
      CERTD_LOG_WARN_F(log::Fields{{"CERTIFICATE", certificate_number_of(row)}},
                       "outbox: {} #{} attempt {} failed, retrying in {}s: {}", row.item.kind, row.id, row.attempts,
                       delay->count(), error.message());
      return m_store.fail_outbox(row.id, text, now + delay->count(), now);
    }
    text = "gave up after " + std::to_string(row.attempts) + " attempts; " + text;
  }
  ++stats.failed;
  CERTD_LOG_ERROR_F(log::Fields{{"CERTIFICATE", certificate_number_of(row)}}, "outbox: {} #{} failed for good: {}",
                    row.item.kind, row.id, text);
  return m_store.fail_outbox(row.id, text, std::nullopt, now);
}

}  // namespace certd::app
