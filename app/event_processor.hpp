#pragma once
// Turns recorded events into decisions (docs/architecture.md data flow): an LMS
// change or a webhook gives a student's facts in one course; every rule of
// that course is evaluated; "issue" decisions are issued, "pending" ones
// join the teacher's queue, "not yet" ones are logged with their reasons;
// an "issue now" mark forces its rule. An event is marked processed only
// after its effects are committed, and replaying one changes nothing (the
// idempotency keys see to that), so a crash anywhere is harmless.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/issue_job.hpp"
#include "app/retry_policy.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/records.hpp"

namespace certd::connector {
class Lms;
struct Change;
struct CourseProgress;
}  // namespace certd::connector

namespace certd::store {
class Store;
}

namespace certd::app {

class Issuer;
struct School;

// The event kinds certd records.
inline constexpr const char* k_event_lms_change = "lms.change";        // payload: change + snapshot
inline constexpr const char* k_event_webhook_progress = "progress";    // webhook: {data:{user_id, course}}
// How a certificate waiting for the monthly quota reads in the pending queue
// (for people: the entry's waits_for says what it waits for).
inline constexpr const char* k_quota_reason = "waits: the monthly quota is used up";

struct ProcessStats {
  int events = 0;
  int issued = 0;
  int queued = 0;     // added to the pending queue
  int not_yet = 0;
  int failed = 0;     // events that could not be processed (kept with the reason, retried later)
  int retried = 0;    // failed events taken up again (back-off due, a rules/config change, by hand)
  int deferred = 0;   // left new for the next round (the LMS was unavailable)
  // Where the round's time went, in milliseconds of wall time: reading
  // the LMS for webhook events, deciding, issuing (render, PDF files, one
  // commit), and recording each event's outcome.
  double fetch_ms = 0;
  double decide_ms = 0;
  double issue_ms = 0;
  double mark_ms = 0;
};

// When a failed event is tried again: a minute, doubling up to six hours,
// with jitter; after about a week of that it waits for a change of rules,
// templates or config, or for `certd events retry`. Most causes (a template
// a rule cannot fill for this student, an LMS answer certd cannot read)
// are fixed by a person, so the back-off keeps trying without hurrying.
inline RetryPolicy event_retry_policy() { return RetryPolicy{Duration(60), Duration(6 * 3600), 40}; }

struct EventRetry {
  RetryPolicy policy = event_retry_policy();
  std::function<double()> random_unit;  // [0, 1) for the jitter; empty: a random generator
};

// Not thread-safe: one processor on the daemon's processing thread.
class EventProcessor {
 public:
  // `lms` may be null (webhook events then fail with a clear reason).
  EventProcessor(const School& school, store::Store& store, Issuer& issuer, connector::Lms* lms, const Clock& clock,
                 EventRetry retry = {});

  // Processes up to `limit` events with status "new", oldest first, then
  // failed events whose next attempt is due. A failure is recorded with
  // its reason and the next attempt (event_retry_policy); an event whose
  // payload cannot be read waits for a person instead.
  Result<ProcessStats> process_new(int limit);

  // Builds the job that issues `rule_id`'s certificate from a snapshot
  // (used by approvals and "Issue now" as well).
  Result<IssueJob> job_for_rule(const std::string& rule_id, const connector::CourseProgress& progress,
                                const std::string& kind, const std::string& requested_by) const;

 private:
  // A certificate decided for the event at `event` (an index into the
  // round), issued with the rest of the round.
  struct QueuedJob {
    std::size_t event = 0;
    IssueJob job;
  };

  std::vector<std::optional<Result<connector::CourseProgress>>> prefetch(const std::vector<store::EventRow>& events);
  Status process(const store::EventRow& event, const std::optional<Result<connector::CourseProgress>>& fetched,
                 std::size_t index, std::vector<QueuedJob>& jobs, ProcessStats& stats);
  Status decide(const connector::CourseProgress& progress, const std::string& snapshot_json, std::size_t index,
                std::vector<QueuedJob>& jobs, ProcessStats& stats);
  Status force(const connector::CourseProgress& progress, const connector::Change& change, std::size_t index,
               std::vector<QueuedJob>& jobs);
  Result<bool> quota_allows(const std::vector<QueuedJob>& round) const;
  std::string quota_reason() const;
  // Whether the template prints the teacher in a field that is not optional.
  bool prints_teacher(const std::string& template_id) const;
  Result<int> release_quota_waiters();
  std::optional<std::int64_t> next_attempt(const store::EventRow& event, const Error& error, std::int64_t now) const;
  // Thread-safe (the Lms is).
  Result<connector::CourseProgress> fetch_progress(const std::string& webhook_body) const;
  // The stored snapshot of a retried LMS change whose names were refused
  // (it is read again from the LMS), else nothing.
  std::optional<connector::CourseProgress> snapshot_with_bad_names(const store::EventRow& event) const;

  const School& m_school;
  store::Store& m_store;
  Issuer& m_issuer;
  connector::Lms* m_lms;
  const Clock& m_clock;
  EventRetry m_retry;
  std::string m_worker;  // whose claims this processor takes (worker_name)
};

}  // namespace certd::app
