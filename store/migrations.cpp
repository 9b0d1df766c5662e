#include "store/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <string>

namespace certd::store {

const std::vector<std::string_view>& migration_steps() {
  static const std::vector<std::string_view> k_steps = {
      // 1: the ledger: events in, decisions, certificates, work going out.
      R"sql(
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  source_event_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'processed', 'failed')),
  error TEXT NOT NULL DEFAULT '',
  UNIQUE (source, source_event_id)
);
CREATE INDEX events_by_status ON events (status, id);

CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  template_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled')),
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);

CREATE TABLE certificates (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  rule_id TEXT NOT NULL,
  template_id TEXT NOT NULL,
  student_id TEXT NOT NULL,
  student_name TEXT NOT NULL,
  course TEXT NOT NULL,
  kind TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  notes TEXT NOT NULL,
  payload TEXT NOT NULL,
  signature TEXT NOT NULL,
  pdf_path TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER,
  batch_id INTEGER REFERENCES batches (id),
  claim_token TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'revoked')),
  revoked_at INTEGER,
  revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certificates_by_student ON certificates (student_id);
CREATE INDEX certificates_by_issued_at ON certificates (issued_at);
CREATE INDEX certificates_by_batch ON certificates (batch_id);

CREATE TABLE pending (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  rule_id TEXT NOT NULL,
  student_id TEXT NOT NULL,
  student_name TEXT NOT NULL,
  course TEXT NOT NULL,
  reason TEXT NOT NULL,
  facts TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'held', 'approved')),
  notes TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  decided_at INTEGER
);
CREATE INDEX pending_by_status ON pending (status, id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  certificate_id INTEGER REFERENCES certificates (id),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
)sql",
      // 2: what the portal and reports read: deliveries, look-ups, audit,
      // and small persistent state (poll cursors).
      R"sql(
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  certificate_id INTEGER NOT NULL REFERENCES certificates (id),
  recipient TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('student', 'guardian', 'issuer')),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'claimed')),
  server_reply TEXT NOT NULL DEFAULT '',
  resend_count INTEGER NOT NULL DEFAULT 0,
  outbox_id INTEGER REFERENCES outbox (id),
  sent_at INTEGER,
  claimed_at INTEGER,
  UNIQUE (certificate_id, recipient)
);

CREATE TABLE verifications (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL,
  result TEXT NOT NULL,
  via TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX verifications_by_number ON verifications (number);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL
);

CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
      // 3: who holds an outbox item's lease, so a restarted daemon can take
      // back its own crashed leases at once instead of waiting them out.
      R"sql(
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
)sql",
      // 4: a batch's rows, stored at import so a batch survives restarts
      // and resumes where it stopped.
      R"sql(
CREATE TABLE batch_rows (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches (id),
  line INTEGER NOT NULL,
  student TEXT NOT NULL,
  name TEXT NOT NULL,
  course TEXT NOT NULL,
  expires_at INTEGER,
  notes TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'issued', 'failed', 'cancelled')),
  error TEXT NOT NULL DEFAULT '',
  certificate_id INTEGER REFERENCES certificates (id)
);
CREATE INDEX batch_rows_by_batch ON batch_rows (batch_id, status, id);
)sql",
      // 5: the family page looks certificates up by claim token.
      R"sql(
CREATE INDEX certificates_by_claim_token ON certificates (claim_token);
)sql",
      // 6: the teacher named on a certificate, so a reissue names them again.
      R"sql(
ALTER TABLE certificates ADD COLUMN teacher TEXT NOT NULL DEFAULT '';
)sql",
      // 7: what a pending entry waits for, stored instead of read from the
      // start of its reason sentence. Entries already waiting for the
      // monthly quota were recognised by that sentence; they keep waiting
      // for it.
      R"sql(
ALTER TABLE pending ADD COLUMN waits_for TEXT NOT NULL DEFAULT 'approval'
  CHECK (waits_for IN ('approval', 'quota'));
UPDATE pending SET waits_for = 'quota' WHERE instr(reason, 'waits: the monthly quota is used up') = 1;
)sql",
      // 8: a failed event is kept with its reason and tried again: how many
      // attempts it had, and when the next one is due (NULL: only after a
      // rule, template or config change, or by hand). Events that failed
      // before this version are due at once. Teacher actions ('cli') failed
      // in front of the person who typed them and are not retried.
      R"sql(
ALTER TABLE events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN next_attempt_at INTEGER;
UPDATE events SET attempts = 1, next_attempt_at = 0 WHERE status = 'failed' AND source <> 'cli';
CREATE INDEX events_retry_due ON events (status, next_attempt_at);
)sql",
      // 9: the grade and skills a certificate printed, so a reissue prints
      // them again without the facts they came from. Skills are a JSON
      // array of names (a name may hold any character). Rows from before
      // keep the empty defaults: unknown. The level needs no column: it is
      // in the signed payload.
      R"sql(
ALTER TABLE certificates ADD COLUMN grade TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN skills TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skills));
)sql",
      // 10: a batch row's key comes from its template, student and content,
      // not from the batch id, so importing the same file again finds its
      // rows (by the content digest) instead of issuing them twice; the
      // key is unique across batches. Rows from before keep NULL in both
      // and their old key, made from the batch id, so a batch that was
      // running resumes without a duplicate.
      R"sql(
ALTER TABLE batch_rows ADD COLUMN row_key TEXT;
ALTER TABLE batch_rows ADD COLUMN content_digest TEXT;
CREATE UNIQUE INDEX batch_rows_by_key ON batch_rows (row_key);
CREATE INDEX batch_rows_by_digest ON batch_rows (content_digest);
)sql",
      // 11: what the public is told about a revoked certificate, apart
      // from the issuer's own note (store/revocation.hpp). Rows revoked
      // before: a reissue's ("reissued as ...") was replaced, any other is
      // withdrawn, which claims nothing about why.
      R"sql(
ALTER TABLE certificates ADD COLUMN revoke_category TEXT
  CHECK (revoke_category IN ('error', 'replaced', 'withdrawn'));
UPDATE certificates SET revoke_category = CASE WHEN instr(revoke_reason, 'reissued as ') = 1
  THEN 'replaced' ELSE 'withdrawn' END WHERE status = 'revoked';
)sql",
      // 12: what the certificate is called (mails, reports, the PDF's
      // {{title}}): an ad-hoc award has its own title; a course is only
      // context. Rows from before were called by their course.
      R"sql(
ALTER TABLE certificates ADD COLUMN title TEXT NOT NULL DEFAULT '';
UPDATE certificates SET title = course;
)sql",
      // 13: a CSV batch row's own title, kept until the row is issued so
      // its certificate is called by it. Rows from before have none: their
      // course names them, as it did.
      R"sql(
ALTER TABLE batch_rows ADD COLUMN title TEXT NOT NULL DEFAULT '';
)sql",
      // 14: the teacher console. LTI login states live here because Moodle
      // posts the id_token cross-site and a SameSite cookie does not come
      // back. Sessions, passwords and API tokens are stored only as
      // hashes, so a copy of this file signs nobody in. Course lists are
      // JSON arrays of shortnames, written by SQLite's JSON functions.
      R"sql(
CREATE TABLE lti_states (
  state TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  target_link_uri TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('lti', 'local', 'api')),
  user_key TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'student')),
  courses TEXT NOT NULL CHECK (json_valid(courses)),
  identity TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  idle_expires_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE local_users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'teacher')),
  courses TEXT NOT NULL CHECK (json_valid(courses)),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES local_users (name),
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_name, id);
)sql",
      // 15: several workers share events and batch rows: whose claim a row
      // is under, and until when (docs/postgresql.md "Several workers").
      R"sql(
ALTER TABLE events ADD COLUMN claimed_by TEXT;
ALTER TABLE events ADD COLUMN lease_until INTEGER;
ALTER TABLE batch_rows ADD COLUMN claimed_by TEXT;
ALTER TABLE batch_rows ADD COLUMN lease_until INTEGER;
)sql",
  };
  return k_steps;
}

Status migrate(SQLite::Database& db, int target_version) {
  const auto& steps = migration_steps();
  if (target_version < 0 || target_version > static_cast<int>(steps.size()))
    return Error(ErrorCode::internal, "no schema version " + std::to_string(target_version));
  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > static_cast<int>(steps.size()))
    return Error(ErrorCode::conflict,
                 "database " + db.getFilename() + " has schema version " + std::to_string(version) +
                     ", newer than this certd understands (" + std::to_string(steps.size()) +
                     "); run the newer certd or restore a backup");
  for (int step = version; step < target_version; ++step) db.exec(std::string(steps[step]));
  if (target_version > version) db.exec("PRAGMA user_version = " + std::to_string(target_version));
  transaction.commit();
  return ok();
}

}  // namespace certd::store
