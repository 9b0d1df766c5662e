#pragma once
// Rows of the certd ledger as plain values. Times are unix seconds (UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/revocation.hpp"
#include "store/states.hpp"

namespace certd::store {

using Id = std::int64_t;

// Every input (poll finding, webhook, teacher action) becomes an event row
// first; (source, source_event_id) is unique so replays change nothing.
struct NewEvent {
  std::string source;           // "moodle-poll", "webhook:moodle", "cli", ...
  std::string source_event_id;  // the sender's id, or a derived one
  std::string kind;             // "course_completed", "issue_now", ...
  std::string payload;          // JSON
  std::int64_t received_at = 0;
};

struct EventRow {
  Id id = 0;
  NewEvent event;
  EventStatus status = EventStatus::new_;
  std::string error;  // the last failure's reason
  int attempts = 0;   // failed processing attempts; 0: never retried by itself
  std::optional<std::int64_t> next_attempt_at;  // a failed event's next try
};

struct NewCertificate {
  std::string number;
  std::string idempotency_key;  // one certificate per key (rules defines it)
  std::string rule_id;          // empty for ad-hoc
  std::string template_id;
  std::string student_id;
  std::string student_name;
  std::string course;  // the course's name; empty for an ad-hoc award without one
  // What the certificate is called: the course's name for a rule's
  // certificate, the teacher's title (or the template's name) for an
  // ad-hoc award. Rows from before schema version 12: the course.
  std::string title;
  std::string kind;  // automatic | approved | adhoc | forced | batch | reissue
  std::string requested_by;
  std::string teacher;  // named on the certificate; may be empty
  std::string notes;
  std::string payload;    // the canonical JSON that was signed
  std::string signature;  // base64
  std::string pdf_path;   // relative to data_dir
  std::int64_t issued_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<Id> batch_id;
  std::string claim_token;
  // What the certificate printed besides the above, so a reissue prints it
  // again. Empty on rows written before schema version 9: unknown. The
  // level is not here: it is in the signed payload.
  std::string grade;
  std::vector<std::string> skills;  // names, in printed order
};

struct CertificateRow {
  Id id = 0;
  NewCertificate certificate;
  CertificateStatus status = CertificateStatus::issued;
  std::optional<std::int64_t> revoked_at;
  std::string revoke_reason;  // the issuer's own note; never shown publicly
  // What the public is told; set when revoked (rows revoked before schema
  // version 11: replaced for a reissue, else withdrawn).
  std::optional<RevocationCategory> revoke_category;
};

// Anything that leaves the process: LMS write-back, e-mail, ...
struct NewOutboxItem {
  std::string kind;        // "lms.note", "lms.message", "email", ...
  std::string dedupe_key;  // unique; the same effect is never queued twice
  std::string payload;     // JSON
};

struct OutboxRow {
  Id id = 0;
  std::optional<Id> certificate_id;
  NewOutboxItem item;
  OutboxStatus status = OutboxStatus::queued;
  int attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::string last_error;
};

struct NewPending {
  std::string idempotency_key;
  std::string rule_id;
  std::string student_id;
  std::string student_name;
  std::string course;
  std::string reason;  // why it waits, in a teacher's words
  std::string facts;   // JSON snapshot used for the decision
  std::int64_t created_at = 0;
  PendingWait waits_for = PendingWait::approval;
};

struct PendingRow {
  Id id = 0;
  NewPending pending;
  PendingStatus status = PendingStatus::pending;
  std::string notes;
  std::string decided_by;
  std::optional<std::int64_t> decided_at;
};

struct NewBatch {
  std::string file_name;
  std::string template_id;
  std::string created_by;
  std::int64_t total = 0;
  std::int64_t created_at = 0;
};

struct NewBatchItem {
  int line = 0;
  std::string student;
  std::string name;
  std::string course;
  std::optional<std::int64_t> expires_at;
  std::string notes;
  // The certificate's idempotency key, from the template, the student and
  // the row's content (app/batch_row_key.hpp), and that content's digest,
  // by which a re-import finds the row. Both empty for rows imported
  // before schema version 10: their key is made from the batch id.
  std::string key;
  std::string digest;
  // The row's own title (app/batch_csv.hpp), what its certificate is
  // called; empty: its course names it, as for every row stored before
  // schema version 13.
  std::string title;
};

struct BatchItemRow {
  Id id = 0;
  Id batch_id = 0;
  NewBatchItem item;
  std::string status;  // queued | issued | failed | cancelled
  std::string error;
};

// A stored batch row found by its content digest, with where it stands.
struct BatchDigestMatch {
  std::string digest;
  Id batch_id = 0;
  std::string batch_status;  // running | done | cancelled
  Id item_id = 0;
  std::string status;        // queued | issued | failed | cancelled
};

// What became of one batch row (set_batch_items).
struct BatchItemOutcome {
  Id item_id = 0;
  std::string status;  // issued | failed | queued
  std::string error;
  std::optional<Id> certificate_id;
};

struct BatchProgress {
  std::int64_t queued = 0;
  std::int64_t issued = 0;
  std::int64_t failed = 0;
  std::int64_t cancelled = 0;
};

// A certificate and the work it sends out, committed together.
struct CertificateWithOutbox {
  NewCertificate certificate;
  std::vector<NewOutboxItem> outbox;
};

struct BatchRow {
  Id id = 0;
  NewBatch batch;
  // The counts when the batch finished; while it runs, batch_progress
  // counts its rows.
  std::int64_t done = 0;
  std::int64_t failed = 0;
  std::string status;  // running | done | cancelled
  std::optional<std::int64_t> finished_at;
};

struct NewNotification {
  Id certificate_id = 0;
  std::string recipient;  // e-mail address
  std::string role;       // student | guardian | issuer
  std::optional<Id> outbox_id;
};

struct NotificationRow {
  Id id = 0;
  Id certificate_id = 0;
  std::string number;  // the certificate's
  std::optional<Id> batch_id;
  std::string recipient;
  std::string role;
  std::string status;  // queued | sent | failed | claimed
  std::string server_reply;
  int resend_count = 0;
  std::optional<std::int64_t> sent_at;
  std::optional<std::int64_t> claimed_at;
};

struct VerificationRow {
  Id id = 0;
  std::string number;
  std::string result;
  std::string via;
  std::int64_t at = 0;
};

struct NewVerification {
  std::string number;
  std::string result;  // valid | revoked | expired | unknown
  std::string via;     // web | json | cli
  std::int64_t at = 0;
};

struct NewAuditEntry {
  std::string actor;
  std::string action;
  std::string subject;
  std::string details;
  std::int64_t at = 0;
};

struct AuditRow {
  Id id = 0;
  NewAuditEntry entry;
};

// The teacher console (schema version 14). The store sees only hashes of
// secrets: the caller generates tokens and hashes them (hex SHA-256 of a
// high-entropy token; argon2id for passwords) and never hands over the
// token itself.

// An LTI 1.3 login in flight: the OIDC `state` and the `nonce` the
// id_token must carry. Kept here, not in a cookie, because Moodle posts
// the id_token cross-site and a SameSite cookie does not come back with
// it. Live while now < expires_at.
struct NewLtiState {
  std::string state;
  std::string nonce;
  std::string issuer;
  std::string client_id;
  std::string target_link_uri;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

// A stored login state is exactly what was put.
using LtiStateRow = NewLtiState;

// A console session. The browser's cookie holds an opaque token; only its
// hash is stored. Live while now < idle_expires_at and now < expires_at.
struct NewSession {
  std::string token_hash;  // hex SHA-256 of the cookie's token
  SessionKind kind = SessionKind::lti;
  std::string user_key;  // who, as the caller names them (LMS issuer and sub, local name, ...)
  std::string display_name;
  Role role = Role::teacher;
  // Course shortnames the user may act on; empty: none. Admins are not
  // limited by it.
  std::vector<std::string> courses;
  std::string identity;  // JSON with the LMS identity (issuer, sub, ...); opaque to the store
  std::string csrf_token;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t idle_expires_at = 0;
  std::int64_t expires_at = 0;  // absolute: touching never moves it
};

// A stored session is what was created, with last_seen_at and
// idle_expires_at as the last touch left them.
using SessionRow = NewSession;

// A local account: the school office signs in without an LMS.
struct NewLocalUser {
  std::string name;
  Role role = Role::teacher;  // admin or teacher; never student
  std::vector<std::string> courses;  // shortnames; empty: none (admins are not limited by it)
  std::string password_hash;  // an argon2id string
  std::int64_t created_at = 0;
};

struct LocalUserRow {
  NewLocalUser user;
  bool disabled = false;
  int failed_logins = 0;  // failures since the last success or lock
  std::int64_t locked_until = 0;  // no sign-in while now < locked_until
};

// A bearer token for a school's scripts, acting as a local user.
struct NewApiToken {
  std::string user_name;   // a local user's name
  std::string token_hash;  // hex SHA-256 of the token; unique
  std::string label;       // what the school calls it ("nightly export")
  std::int64_t created_at = 0;
};

struct ApiTokenRow {
  Id id = 0;
  NewApiToken token;
  std::optional<std::int64_t> last_used_at;
  std::optional<std::int64_t> revoked_at;  // set: refuse it, and say it was revoked
};

// Outcome of an insert that is idempotent on a unique key.
struct Inserted {
  Id id = 0;
  bool created = false;  // false: the row existed already; id is the old row
};

}  // namespace certd::store
