#pragma once
// The ledger: the single source of truth (docs/architecture.md). Each call is one
// transaction; SQL dialect details stay behind this interface so another
// backend (PostgreSQL for several workers) can implement it later.
//
// Thread-safety: a Store object is used by one thread at a time; give
// each thread its own (open_sqlite_store is cheap). Several processes may
// share one database file.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"

namespace certd::store {

// How many pending entries wait, and for what (`certd status`).
struct PendingCounts {
  std::int64_t approval = 0;  // open, waiting for a teacher's approval
  std::int64_t quota = 0;     // open, waiting for room in the monthly quota
  std::int64_t held = 0;      // held by a teacher (whatever they wait for)
};

// The outbox's work not done (`certd status`).
struct OutboxCounts {
  std::int64_t queued = 0;    // queued, never tried yet
  std::int64_t retrying = 0;  // queued after at least one failed attempt
  std::int64_t failed = 0;    // given up for good
};

// Rows counted by the values of some of their columns (/metrics).
struct GroupCount {
  std::vector<std::string> values;
  std::int64_t count = 0;
};

// What /metrics reads from the store at each scrape.
struct StoreFigures {
  std::vector<GroupCount> certificates;  // by rule_id, kind
  std::vector<GroupCount> events;        // by status
  std::vector<GroupCount> outbox;        // by kind (the channel), status
};

class Store {
 public:
  virtual ~Store() = default;

  // Events. record_event is idempotent on (source, source_event_id).
  virtual Result<Inserted> record_event(const NewEvent& event) = 0;
  virtual Result<std::vector<EventRow>> events_with_status(EventStatus status, int limit) = 0;
  virtual Status set_event_status(Id id, EventStatus status, const std::string& error) = 0;
  // A processing attempt failed: the event becomes failed with `error`,
  // one more attempt is counted, and it is due again at `retry_at` (none:
  // only when make_failed_events_due says so).
  virtual Status fail_event(Id id, const std::string& error, std::optional<std::int64_t> retry_at) = 0;
  // Failed events with a counted attempt whose next try is due, oldest first.
  virtual Result<std::vector<EventRow>> due_failed_events(std::int64_t now, int limit) = 0;
  // Makes retryable failed events (attempts > 0) due at `now`: those of
  // `ids`, or every one when `ids` is empty. Returns how many; an id that
  // is not such an event is a not_found error and changes nothing.
  virtual Result<std::int64_t> make_failed_events_due(const std::vector<Id>& ids, std::int64_t now) = 0;
  // Work for several workers on one store (docs/postgresql.md "Several
  // workers"). Hands out up to `limit` events to process, leased to
  // `worker` until `lease_until`: new ones first, then failed ones whose
  // retry is due, oldest first each, none whose lease another worker still
  // holds. set_event_status and fail_event end the lease; a crashed
  // worker's lease runs out by itself.
  virtual Result<std::vector<EventRow>> claim_events(std::int64_t now, std::int64_t lease_until, int limit,
                                                     const std::string& worker) = 0;
  // Events newest first, all or those with `status`.
  virtual Result<std::vector<EventRow>> recent_events(std::optional<EventStatus> status, int limit) = 0;
  virtual Result<std::int64_t> count_events(EventStatus status) = 0;

  // Certificates. The certificate and its outbox items commit together;
  // an existing idempotency key returns the old row (created = false) and
  // queues nothing. A duplicate number is a conflict.
  virtual Result<Inserted> insert_certificate(const NewCertificate& certificate,
                                              const std::vector<NewOutboxItem>& outbox) = 0;
  // Several certificates in one transaction (batches and approvals): one
  // commit for the group instead of one per certificate. Results are in
  // input order.
  virtual Result<std::vector<Inserted>> insert_certificates(const std::vector<CertificateWithOutbox>& group) = 0;
  virtual Result<std::optional<CertificateRow>> certificate_by_number(const std::string& number) = 0;
  virtual Result<std::optional<CertificateRow>> certificate_by_key(const std::string& idempotency_key) = 0;
  // `category` is what the public is told, `reason` the issuer's own note.
  // not_found for an unknown number, conflict when already revoked.
  virtual Status revoke_certificate(const std::string& number, RevocationCategory category, const std::string& reason,
                                    std::int64_t at) = 0;
  // The same, as withdrawn: for callers that say no category.
  Status revoke_certificate(const std::string& number, const std::string& reason, std::int64_t at) {
    return revoke_certificate(number, RevocationCategory::withdrawn, reason, at);
  }
  // Every certificate of a student, oldest first (rules read the history;
  // the family's claim token is reused from it).
  virtual Result<std::vector<CertificateRow>> certificates_for_student(const std::string& student_id) = 0;
  // A family's certificates (one claim token per student), oldest first.
  virtual Result<std::vector<CertificateRow>> certificates_by_claim_token(const std::string& claim_token) = 0;
  // Certificates issued in [from, to), for the monthly quota.
  virtual Result<std::int64_t> count_certificates_issued(std::int64_t from, std::int64_t to) = 0;

  // Pending queue ("Certificates to be issued"); idempotent on the key.
  virtual Result<Inserted> add_pending(const NewPending& pending) = 0;
  virtual Result<std::vector<PendingRow>> pending_with_status(PendingStatus status) = 0;
  virtual Status decide_pending(Id id, PendingStatus status, const std::string& notes,
                                const std::string& decided_by, std::int64_t at) = 0;
  // Read-only counts. The defaults count the rows of the list calls, so a
  // Store that wraps another needs nothing; SqliteStore counts in SQL.
  virtual Result<PendingCounts> count_pending();

  // Outbox. claim_due hands out due items to `worker` and pushes their next
  // attempt to `lease_until`, so a crashed worker's items come back by
  // themselves; release_claims gives them back at once (at start-up, when
  // this process is the only worker).
  virtual Result<Inserted> enqueue(const NewOutboxItem& item, std::optional<Id> certificate_id,
                                   std::int64_t now) = 0;
  virtual Result<std::vector<OutboxRow>> claim_due(std::int64_t now, std::int64_t lease_until, int limit,
                                                   const std::string& worker = "") = 0;
  // Gives back every claim of `worker` (outbox items, events, batch rows)
  // at once: at start-up, the claims a worker of that name left when it
  // stopped are its own, and no other worker holds them. Returns how many.
  virtual Result<std::int64_t> release_claims(std::int64_t now, const std::string& worker) = 0;
  virtual Status complete_outbox(Id id, std::int64_t now) = 0;
  // Records a failure: retry at `retry_at`, or give up (`retry_at` empty).
  virtual Status fail_outbox(Id id, const std::string& error, std::optional<std::int64_t> retry_at,
                             std::int64_t now) = 0;
  virtual Result<std::vector<OutboxRow>> outbox_with_status(OutboxStatus status) = 0;
  virtual Result<OutboxCounts> count_outbox();
  // Every figure of StoreFigures, read in one transaction.
  virtual Result<StoreFigures> figures() = 0;

  // Batches. A batch and its rows are created together.
  virtual Result<Id> create_batch(const NewBatch& batch, const std::vector<NewBatchItem>& items) = 0;
  virtual Result<std::vector<BatchRow>> batches() = 0;
  virtual Result<std::vector<BatchItemRow>> batch_items(Id batch_id, const std::string& status, int limit) = 0;
  // Every stored row, of any batch, whose content digest is one of
  // `digests` (a re-import looks for its rows): digest by digest, each
  // one's rows oldest first. A key already taken by another row makes
  // create_batch a conflict that stores nothing.
  virtual Result<std::vector<BatchDigestMatch>> batch_items_by_digest(const std::vector<std::string>& digests) = 0;
  virtual Result<BatchProgress> batch_progress(Id batch_id) = 0;
  // The batch's queued rows, oldest first, as claim_events hands out
  // events; set_batch_item ends the lease.
  virtual Result<std::vector<BatchItemRow>> claim_batch_items(Id batch_id, std::int64_t now, std::int64_t lease_until,
                                                              int limit, const std::string& worker) = 0;
  virtual Status set_batch_item(Id item_id, const std::string& status, const std::string& error,
                                std::optional<Id> certificate_id) = 0;
  // The same for a group of rows, in one transaction: one commit (and,
  // on PostgreSQL, one flush to disk) for the group instead of one a row.
  virtual Status set_batch_items(const std::vector<BatchItemOutcome>& outcomes) = 0;
  // Cancels the batch: its queued rows stop, what it issued is revoked.
  // Returns how many certificates were revoked.
  virtual Result<std::int64_t> cancel_batch(Id id, const std::string& reason, std::int64_t at) = 0;
  virtual Result<std::optional<BatchRow>> batch(Id id) = 0;
  // Changes only a running batch (a cancelled one stays cancelled).
  virtual Status update_batch(Id id, std::int64_t done, std::int64_t failed, const std::string& status,
                              std::optional<std::int64_t> finished_at) = 0;

  // Notifications: one row per (certificate, recipient).
  virtual Result<Inserted> add_notification(const NewNotification& notification) = 0;
  virtual Status set_notification_status(Id id, const std::string& status, const std::string& server_reply,
                                         std::optional<std::int64_t> sent_at) = 0;
  // Every notification (with its certificate's number), oldest first;
  // `certificate_id` / `batch_id` narrow it down when given.
  virtual Result<std::vector<NotificationRow>> notifications(std::optional<Id> certificate_id,
                                                            std::optional<Id> batch_id) = 0;
  // Counts one more resend of a notification (at most `limit` in all);
  // conflict when the limit is reached.
  virtual Status count_resend(Id notification_id, int limit) = 0;
  // The family opened the page: their sent e-mails count as claimed.
  virtual Status mark_claimed(const std::string& claim_token, std::int64_t at) = 0;

  // Verifications and the audit log are append-only.
  virtual Status record_verification(const NewVerification& verification) = 0;
  virtual Status append_audit(const NewAuditEntry& entry) = 0;

  // Reports: newest first, at most `limit` rows.
  virtual Result<std::vector<CertificateRow>> recent_certificates(int limit) = 0;
  virtual Result<std::vector<VerificationRow>> recent_verifications(int limit) = 0;

  // One poller among the workers of a store: true while this connection
  // holds the poller's lock, which the first caller takes and keeps until
  // its connection closes (a crash closes it too); the others get false
  // until then, and the next of them to ask takes it. A lock is not a
  // promise about the past: a poller that lost its connection may have
  // polled once more, which record_event's idempotence absorbs.
  virtual Result<bool> hold_poller_lock() = 0;
  // Gives the lock back at once, for a caller that polls once (run --once)
  // beside a poller that keeps polling. Not holding it is fine.
  virtual Status release_poller_lock() = 0;

  // True while this connection is the one running as `worker`: the first
  // caller takes the name and keeps it until its connection closes; false
  // for any other. Claims are released by name, so two processes under one
  // name would take back each other's work.
  virtual Result<bool> hold_worker_lock(const std::string& worker) = 0;

  // Small persistent state: poll cursors and the like.
  virtual Result<std::optional<std::string>> get_state(const std::string& key) = 0;
  virtual Status set_state(const std::string& key, const std::string& value) = 0;

  // The audit log, newest first, at most `limit` entries.
  virtual Result<std::vector<AuditRow>> recent_audit(int limit) = 0;

  // The teacher console (records.hpp). Something is expired once
  // now >= its expiry time.
  //
  // LTI login states. put_lti_state first deletes expired states, so
  // strangers calling the login URL cannot grow the table without end;
  // unavailable when `max_live` states are still live, conflict for a
  // state already stored. take_lti_state reads and deletes the state in
  // one statement: nullopt when absent or expired, and so for every take
  // after the first, which makes the nonce single-use across processes.
  virtual Status put_lti_state(const NewLtiState& state, std::int64_t now, std::int64_t max_live) = 0;
  virtual Result<std::optional<LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) = 0;

  // Sessions, by the hash of their token. conflict for a hash already
  // stored; session_by_hash gives nullopt when missing or expired (idle or
  // absolute). touch_session records use at `now` and moves the idle
  // expiry (never the absolute one); not_found when the session is missing
  // or expired, which it does not revive. Deleting a missing session is
  // fine (a second logout). purge_sessions deletes the expired ones and
  // says how many.
  virtual Status create_session(const NewSession& session) = 0;
  virtual Result<std::optional<SessionRow>> session_by_hash(const std::string& token_hash, std::int64_t now) = 0;
  virtual Status touch_session(const std::string& token_hash, std::int64_t now, std::int64_t idle_expires_at) = 0;
  virtual Status delete_session(const std::string& token_hash) = 0;
  virtual Result<std::int64_t> purge_sessions(std::int64_t now) = 0;

  // Local accounts, by name. add_local_user is idempotent on the name (an
  // existing account is left as it was: created = false); invalid_argument
  // for the student role. local_users lists them by name. The setters and
  // the login counters are not_found for an unknown name.
  // record_login_failure counts one failure; the `max_failures`th locks
  // the account until now + lock_seconds and starts the count again.
  // record_login_success clears the count.
  virtual Result<Inserted> add_local_user(const NewLocalUser& user) = 0;
  virtual Result<std::optional<LocalUserRow>> local_user(const std::string& name) = 0;
  virtual Result<std::vector<LocalUserRow>> local_users() = 0;
  virtual Status set_local_user_password(const std::string& name, const std::string& password_hash) = 0;
  virtual Status set_local_user_disabled(const std::string& name, bool disabled) = 0;
  virtual Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                                      std::int64_t lock_seconds) = 0;
  virtual Status record_login_success(const std::string& name) = 0;

  // API tokens of local users. add_api_token: not_found for an unknown
  // user, conflict for a hash already stored. api_token_by_hash returns
  // revoked tokens too (revoked_at set), so the caller can say so.
  // touch_api_token and revoke_api_token: not_found for an unknown id;
  // revoking twice is a conflict. api_tokens lists a user's tokens, or
  // everyone's for an empty name, oldest first.
  virtual Result<Id> add_api_token(const NewApiToken& token) = 0;
  virtual Result<std::optional<ApiTokenRow>> api_token_by_hash(const std::string& token_hash) = 0;
  virtual Status touch_api_token(Id id, std::int64_t now) = 0;
  virtual Status revoke_api_token(Id id, std::int64_t now) = 0;
  virtual Result<std::vector<ApiTokenRow>> api_tokens(const std::string& user_name) = 0;
};

struct SqliteOptions {
  int busy_timeout_ms = 10000;
};

// Opens (creating if needed) the SQLite database at `path` (":memory:"
// works), in WAL mode, and applies pending migrations. Refuses a database
// written by a newer certd.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, SqliteOptions options = {});

// The schema version this build writes.
int current_schema_version();

}  // namespace certd::store
