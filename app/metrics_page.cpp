#include "app/metrics_page.hpp"

#include "core/metrics.hpp"

namespace certd::app {
namespace {

using metrics::Sample;

std::vector<Sample> samples(const std::vector<store::GroupCount>& groups, const std::vector<std::string>& names) {
  std::vector<Sample> out;
  for (const store::GroupCount& group : groups) {
    Sample sample;
    for (std::size_t i = 0; i < names.size() && i < group.values.size(); ++i)
      sample.labels.emplace_back(names[i], group.values[i]);
    sample.value = static_cast<double>(group.count);
    out.push_back(std::move(sample));
  }
  return out;
}

std::string family(const char* name, const char* help, const char* type, const std::vector<Sample>& list) {
  return metrics::samples_text(name, help, type, list);
}

}  // namespace

std::string metrics_page(const StatusReport& status, const store::StoreFigures& figures,
                         const std::string& process_figures) {
  std::string page;
  // Certificates are never deleted (a revoked one keeps its row): the
  // count only grows, so it is a counter for Prometheus' rate().
  page += family("certd_certificates_issued_total", "Certificates issued, by rule and kind", "counter",
                 samples(figures.certificates, {"rule", "kind"}));
  page += family("certd_events", "Events in the store, by state", "gauge", samples(figures.events, {"state"}));
  page += family("certd_outbox_items", "Outbox items (e-mails, LMS notes and messages), by channel and state",
                 "gauge", samples(figures.outbox, {"channel", "state"}));
  page += family("certd_pending", "Certificates waiting in the queue, by what they wait for", "gauge",
                 {{{{"waits_for", "approval"}}, static_cast<double>(status.pending.approval)},
                  {{{"waits_for", "quota"}}, static_cast<double>(status.pending.quota)},
                  {{{"waits_for", "held"}}, static_cast<double>(status.pending.held)}});
  page += family("certd_quota_used", "Certificates issued this calendar month (UTC)", "gauge",
                 {{{}, static_cast<double>(status.quota_used)}});
  if (status.quota_per_month > 0)
    page += family("certd_quota_per_month", "The monthly quota (quota.per_month)", "gauge",
                   {{{}, static_cast<double>(status.quota_per_month)}});
  if (status.poll) {
    page += family("certd_last_poll_timestamp_seconds", "When the last poll cycle ended (unix time)", "gauge",
                   {{{}, static_cast<double>(status.poll->last_cycle_at)}});
    page += family("certd_last_poll_ok", "1 when the last poll cycle worked, else 0", "gauge",
                   {{{}, status.poll->ok() ? 1.0 : 0.0}});
  }
  return page + process_figures;
}

}  // namespace certd::app
