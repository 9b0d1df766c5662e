#include "store/postgres_migrations.hpp"

namespace certd::store {

// How SQLite's types map here (docs/postgresql.md "Types"): INTEGER
// PRIMARY KEY -> BIGINT GENERATED ALWAYS AS IDENTITY; unix times, ids and
// totals -> BIGINT; small counters -> INTEGER; the 0/1 flag -> BOOLEAN;
// lists of names kept as JSON text by SQLite (skills, courses) -> JSONB,
// which checks itself; JSON payloads stay TEXT, byte for byte as written.
// Text is compared in the database's collation; lists the store sorts by
// text say COLLATE "C", SQLite's byte order.
const std::vector<PostgresMigration>& postgres_migration_steps() {
  static const std::vector<PostgresMigration> k_steps = {
      // 14: the whole schema as SQLite's steps 1 to 14 leave it. local_users
      // gets an id that SQLite takes from its rowid (add_local_user's
      // Inserted::id).
      {14, R"sql(
CREATE TABLE events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source TEXT NOT NULL,
  source_event_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'processed', 'failed')),
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  UNIQUE (source, source_event_id)
);
CREATE INDEX events_by_status ON events (status, id);
CREATE INDEX events_retry_due ON events (status, next_attempt_at);

CREATE TABLE batches (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_name TEXT NOT NULL,
  template_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  total BIGINT NOT NULL,
  done BIGINT NOT NULL DEFAULT 0,
  failed BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled')),
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);

CREATE TABLE certificates (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  rule_id TEXT NOT NULL,
  template_id TEXT NOT NULL,
  student_id TEXT NOT NULL,
  student_name TEXT NOT NULL,
  course TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  teacher TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL,
  payload TEXT NOT NULL,
  signature TEXT NOT NULL,
  pdf_path TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT,
  batch_id BIGINT REFERENCES batches (id),
  claim_token TEXT NOT NULL,
  grade TEXT NOT NULL DEFAULT '',
  skills JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skills) = 'array'),
  status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'revoked')),
  revoked_at BIGINT,
  revoke_reason TEXT NOT NULL DEFAULT '',
  revoke_category TEXT CHECK (revoke_category IN ('error', 'replaced', 'withdrawn'))
);
CREATE INDEX certificates_by_student ON certificates (student_id);
CREATE INDEX certificates_by_issued_at ON certificates (issued_at);
CREATE INDEX certificates_by_batch ON certificates (batch_id);
CREATE INDEX certificates_by_claim_token ON certificates (claim_token);

CREATE TABLE pending (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  rule_id TEXT NOT NULL,
  student_id TEXT NOT NULL,
  student_name TEXT NOT NULL,
  course TEXT NOT NULL,
  reason TEXT NOT NULL,
  facts TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'held', 'approved')),
  waits_for TEXT NOT NULL DEFAULT 'approval' CHECK (waits_for IN ('approval', 'quota')),
  notes TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  decided_at BIGINT
);
CREATE INDEX pending_by_status ON pending (status, id);

CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  certificate_id BIGINT REFERENCES certificates (id),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  claimed_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_certificate ON outbox (certificate_id);

CREATE TABLE notifications (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  certificate_id BIGINT NOT NULL REFERENCES certificates (id),
  recipient TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('student', 'guardian', 'issuer')),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'claimed')),
  server_reply TEXT NOT NULL DEFAULT '',
  resend_count INTEGER NOT NULL DEFAULT 0,
  outbox_id BIGINT REFERENCES outbox (id),
  sent_at BIGINT,
  claimed_at BIGINT,
  UNIQUE (certificate_id, recipient)
);

CREATE TABLE verifications (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number TEXT NOT NULL,
  result TEXT NOT NULL,
  via TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX verifications_by_number ON verifications (number);

CREATE TABLE audit_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL
);

CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE batch_rows (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch_id BIGINT NOT NULL REFERENCES batches (id),
  line INTEGER NOT NULL,
  student TEXT NOT NULL,
  name TEXT NOT NULL,
  course TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  expires_at BIGINT,
  notes TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'issued', 'failed', 'cancelled')),
  error TEXT NOT NULL DEFAULT '',
  certificate_id BIGINT REFERENCES certificates (id),
  row_key TEXT,
  content_digest TEXT
);
CREATE INDEX batch_rows_by_batch ON batch_rows (batch_id, status, id);
CREATE UNIQUE INDEX batch_rows_by_key ON batch_rows (row_key);
CREATE INDEX batch_rows_by_digest ON batch_rows (content_digest);

CREATE TABLE lti_states (
  state TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  target_link_uri TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('lti', 'local', 'api')),
  user_key TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'teacher', 'student')),
  courses JSONB NOT NULL CHECK (jsonb_typeof(courses) = 'array'),
  identity TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  idle_expires_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE local_users (
  name TEXT PRIMARY KEY,
  id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'teacher')),
  courses JSONB NOT NULL CHECK (jsonb_typeof(courses) = 'array'),
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT false,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES local_users (name),
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_name, id);
)sql"},
      // Several workers share events and batch rows: whose claim a row is
      // under, and until when.
      {15, R"sql(
ALTER TABLE events ADD COLUMN claimed_by TEXT, ADD COLUMN lease_until BIGINT;
ALTER TABLE batch_rows ADD COLUMN claimed_by TEXT, ADD COLUMN lease_until BIGINT;
)sql"},
  };
  return k_steps;
}

}  // namespace certd::store
