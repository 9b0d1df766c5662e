#pragma once
// `certd status`: the daemon's state as an operator reads it, from the
// store alone (works beside a running `certd run`, without the LMS): the
// last poll cycle and each course's last poll, the site conditions the poll
// skips, the event queue, the pending queue, the outbox, the monthly quota
// and the issuer key's fingerprint.
//
// gather_status reads; the two renderers are pure. Thread-safety: as the
// Store passed in.

#include <cstdint>
#include <optional>
#include <string>

#include "app/poll_status.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace certd::app {

struct School;

struct StatusReport {
  TimePoint generated_at;
  std::string issuer_name;
  std::string key_fingerprint;  // render::PublicKey::key_id() of the issuer key
  std::optional<PollStatus> poll;  // nullopt: never polled (or the record is unreadable)
  std::int64_t events_new = 0;
  std::int64_t events_failed = 0;  // kept and retried (`certd events list --failed`)
  store::PendingCounts pending;
  store::OutboxCounts outbox;
  std::int64_t quota_used = 0;       // certificates issued this calendar month (UTC)
  long long quota_per_month = 0;     // 0: no quota
  std::string month;                 // "2026-12"
};

// Every figure, read from `store` at `now`. Errors: the store's.
Result<StatusReport> gather_status(store::Store& store, const School& school, TimePoint now);

// The `--json` document (docs: README.md "Command line"); times are UTC
// ISO-8601, text is JSON-escaped.
std::string status_json(const StatusReport& report);
// The screen: aligned sections, times with "3 min ago", outside text made
// terminal-safe.
std::string status_text(const StatusReport& report);

}  // namespace certd::app
