// Store over libpqxx (Debian's 6.4), for PostgreSQL 15. The contract of
// every call is SqliteStore's (store/sqlite_store.cpp); this file says how
// each one keeps it without SQLite's database-wide write lock. Every call
// is one transaction at READ COMMITTED (a call of one statement runs it
// alone, which is a transaction too), every statement is parameterized,
// and libpqxx's exceptions stop here (docs/postgresql.md).
//
// Read-modify-write without the write lock:
// - "insert unless the key exists" (record_event, insert_certificate(s),
//   add_pending, enqueue, add_notification, add_local_user) is one
//   INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id, then a look-up
//   of the existing row: a racing insert of the same key waits for the
//   other transaction and then finds its row, instead of failing.
// - A counter or state change guarded by its own condition (count_resend,
//   decide_pending, update_batch, touch_session, record_login_failure,
//   revoke_certificate, revoke_api_token) is one UPDATE: PostgreSQL locks
//   the row and checks the condition again on the newest version.
// - claim_due picks its rows FOR UPDATE SKIP LOCKED and leases them in the
//   same statement, so two callers never get the same row.
// - cancel_batch and a certificate issued into that batch serialize on the
//   batch row (the insert takes it FOR SHARE, the cancel updates it), so
//   the cancel revokes every certificate committed before it.
// - put_lti_state's purge, count and insert run under a transaction-level
//   advisory lock, so two logins cannot both take the last free place.
// - figures and batch_items_by_digest read one REPEATABLE READ snapshot.

#include "store/postgres_store.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/postgres_errors.hpp"
#include "store/postgres_migrations.hpp"
#include "store/revocation.hpp"

namespace certd::store {
namespace {

// Keys of pg_advisory_xact_lock, certd's own ("certd" in ASCII, then a
// number). Held only until the transaction ends.
constexpr std::int64_t k_migration_lock = 0x6365727464000001;
constexpr std::int64_t k_lti_state_lock = 0x6365727464000002;
// A session-level advisory lock: held by the one poller's connection.
constexpr std::int64_t k_poller_lock = 0x6365727464000003;
// The two-key form for workers' names: this, and hashtext(name). Two
// names with one hash would refuse each other, one chance in 2^32.
constexpr std::int32_t k_worker_lock_class = 0x63657274;

// Rows per statement when many rows go in or are looked up at once: one
// round trip per thousand rows, well under the protocol's 65535 parameters.
constexpr std::size_t k_rows_per_statement = 1000;

// libpqxx's exceptions become errors as store/postgres_errors.hpp says.
using postgres::guarded;

std::string text(const pqxx::field& field) { return std::string(field.c_str(), field.size()); }

std::int64_t integer(const pqxx::field& field) { return field.as<std::int64_t>(); }

std::optional<std::int64_t> optional_int(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::int64_t>();
}

// Empty text is stored as NULL where NULL means "not known" (older rows).
std::optional<std::string> text_or_null(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

// Lists of names (skills, console course lists) are JSONB arrays. They are
// written by jsonb_build_array over one parameter per name and read as a
// text[] (names_of), whose output array_parser undoes, so a name may
// hold any character.
std::string json_array_sql(int first_parameter, std::size_t count) {
  std::string sql = "jsonb_build_array(";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) sql += ", ";
    sql += "$" + std::to_string(first_parameter + static_cast<int>(i)) + "::text";
  }
  return sql + ")";
}

// "ARRAY(...)" of a JSONB array column's elements, in order. `column` is
// a literal of this file, never input.
std::string names_of(const char* column) {
  return std::string("ARRAY(SELECT e FROM jsonb_array_elements_text(") + column +
         ") WITH ORDINALITY AS t(e, n) ORDER BY n)";
}

std::vector<std::string> read_names(const pqxx::field& field) {
  std::vector<std::string> names;
  pqxx::array_parser parser = field.as_array();
  for (auto [juncture, value] = parser.get_next(); juncture != pqxx::array_parser::done;
       std::tie(juncture, value) = parser.get_next())
    if (juncture == pqxx::array_parser::string_value) names.push_back(std::move(value));
  return names;
}

const std::string k_certificate_columns =
    "id, number, idempotency_key, rule_id, template_id, student_id, student_name, course, kind, "
    "requested_by, notes, payload, signature, pdf_path, issued_at, expires_at, batch_id, claim_token, "
    "status, revoked_at, revoke_reason, teacher, grade, " +
    names_of("skills") + ", revoke_category, title";

Result<CertificateRow> read_certificate(const pqxx::row& r) {
  CertificateRow row;
  NewCertificate& c = row.certificate;
  row.id = integer(r[0]);
  c.number = text(r[1]);
  c.idempotency_key = text(r[2]);
  c.rule_id = text(r[3]);
  c.template_id = text(r[4]);
  c.student_id = text(r[5]);
  c.student_name = text(r[6]);
  c.course = text(r[7]);
  c.kind = text(r[8]);
  c.requested_by = text(r[9]);
  c.notes = text(r[10]);
  c.payload = text(r[11]);
  c.signature = text(r[12]);
  c.pdf_path = text(r[13]);
  c.issued_at = integer(r[14]);
  c.expires_at = optional_int(r[15]);
  c.batch_id = optional_int(r[16]);
  c.claim_token = text(r[17]);
  CERTD_ASSIGN_OR_RETURN(row.status, parse_certificate_status(text(r[18])));
  row.revoked_at = optional_int(r[19]);
  row.revoke_reason = text(r[20]);
  c.teacher = text(r[21]);
  c.grade = text(r[22]);
  c.skills = read_names(r[23]);
  if (!r[24].is_null()) {
    CERTD_ASSIGN_OR_RETURN(row.revoke_category, parse_revocation_category(text(r[24])));
  }
  c.title = text(r[25]);
  return row;
}

Result<std::vector<CertificateRow>> read_certificates(const pqxx::result& result) {
  std::vector<CertificateRow> rows;
  for (const pqxx::row& r : result) {
    CERTD_ASSIGN_OR_RETURN(CertificateRow row, read_certificate(r));
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr const char* k_event_columns =
    "id, source, source_event_id, kind, payload, received_at, status, error, attempts, next_attempt_at";

constexpr const char* k_batch_row_columns =
    "id, batch_id, line, student, name, course, expires_at, notes, status, error, coalesce(row_key, ''), "
    "coalesce(content_digest, ''), title";

std::vector<BatchItemRow> read_batch_rows(const pqxx::result& result) {
  std::vector<BatchItemRow> rows;
  for (const pqxx::row& r : result) {
    BatchItemRow row;
    row.id = integer(r[0]);
    row.batch_id = integer(r[1]);
    row.item = NewBatchItem{r[2].as<int>(), text(r[3]),  text(r[4]),  text(r[5]), optional_int(r[6]),
                            text(r[7]),     text(r[10]), text(r[11]), text(r[12])};
    row.status = text(r[8]);
    row.error = text(r[9]);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<EventRow>> read_events(const pqxx::result& result) {
  std::vector<EventRow> rows;
  for (const pqxx::row& r : result) {
    EventRow row;
    row.id = integer(r[0]);
    row.event = NewEvent{text(r[1]), text(r[2]), text(r[3]), text(r[4]), integer(r[5])};
    CERTD_ASSIGN_OR_RETURN(row.status, parse_event_status(text(r[6])));
    row.error = text(r[7]);
    row.attempts = r[8].as<int>();
    row.next_attempt_at = optional_int(r[9]);
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr const char* k_outbox_columns =
    "id, certificate_id, kind, dedupe_key, payload, status, attempts, next_attempt_at, last_error";

Result<std::vector<OutboxRow>> read_outbox(const pqxx::result& result) {
  std::vector<OutboxRow> rows;
  for (const pqxx::row& r : result) {
    OutboxRow row;
    row.id = integer(r[0]);
    row.certificate_id = optional_int(r[1]);
    row.item.kind = text(r[2]);
    row.item.dedupe_key = text(r[3]);
    row.item.payload = text(r[4]);
    CERTD_ASSIGN_OR_RETURN(row.status, parse_outbox_status(text(r[5])));
    row.attempts = r[6].as<int>();
    row.next_attempt_at = integer(r[7]);
    row.last_error = text(r[8]);
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr const char* k_batch_columns =
    "id, file_name, template_id, created_by, total, created_at, done, failed, status, finished_at";

BatchRow read_batch(const pqxx::row& r) {
  BatchRow row;
  row.id = integer(r[0]);
  row.batch = NewBatch{text(r[1]), text(r[2]), text(r[3]), integer(r[4]), integer(r[5])};
  row.done = integer(r[6]);
  row.failed = integer(r[7]);
  row.status = text(r[8]);
  row.finished_at = optional_int(r[9]);
  return row;
}

const std::string k_session_columns = "token_hash, kind, user_key, display_name, role, " + names_of("courses") +
                                      ", identity, csrf_token, created_at, last_seen_at, idle_expires_at, expires_at";

Result<SessionRow> read_session(const pqxx::row& r) {
  SessionRow row;
  row.token_hash = text(r[0]);
  CERTD_ASSIGN_OR_RETURN(row.kind, parse_session_kind(text(r[1])));
  row.user_key = text(r[2]);
  row.display_name = text(r[3]);
  CERTD_ASSIGN_OR_RETURN(row.role, parse_role(text(r[4])));
  row.courses = read_names(r[5]);
  row.identity = text(r[6]);
  row.csrf_token = text(r[7]);
  row.created_at = integer(r[8]);
  row.last_seen_at = integer(r[9]);
  row.idle_expires_at = integer(r[10]);
  row.expires_at = integer(r[11]);
  return row;
}

const std::string k_local_user_columns = "name, role, " + names_of("courses") +
                                         ", password_hash, created_at, disabled, failed_logins, locked_until";

Result<LocalUserRow> read_local_user(const pqxx::row& r) {
  LocalUserRow row;
  row.user.name = text(r[0]);
  CERTD_ASSIGN_OR_RETURN(row.user.role, parse_role(text(r[1])));
  row.user.courses = read_names(r[2]);
  row.user.password_hash = text(r[3]);
  row.user.created_at = integer(r[4]);
  row.disabled = r[5].as<bool>();
  row.failed_logins = r[6].as<int>();
  row.locked_until = integer(r[7]);
  return row;
}

constexpr const char* k_api_token_columns = "id, user_name, token_hash, label, created_at, last_used_at, revoked_at";

ApiTokenRow read_api_token(const pqxx::row& r) {
  ApiTokenRow row;
  row.id = integer(r[0]);
  row.token = NewApiToken{text(r[1]), text(r[2]), text(r[3]), integer(r[4])};
  row.last_used_at = optional_int(r[5]);
  row.revoked_at = optional_int(r[6]);
  return row;
}

// "($1::bigint, $2::text), ($3::bigint, $4::text)" for `rows` rows of the
// given column types: placeholders only, the values go as parameters.
// Typed, because a multi-row VALUES list would otherwise make them text.
std::string values_sql(std::size_t rows, const std::vector<const char*>& types, int first_parameter = 1) {
  std::string sql;
  int parameter = first_parameter;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < types.size(); ++column) {
      if (column > 0) sql += ", ";
      sql += "$" + std::to_string(parameter++) + "::" + types[column];
    }
    sql += ")";
  }
  return sql;
}

// A connection that can store any name: the database must be UTF8 and
// the session speaks UTF-8. Throws libpqxx's exceptions.
Result<std::unique_ptr<pqxx::connection>> connect(const std::string& url) {
  auto db = std::make_unique<pqxx::connection>(url);
  std::string encoding = pqxx::nontransaction(*db).exec1("SHOW server_encoding")[0].c_str();
  if (encoding != "UTF8")
    return Error(ErrorCode::invalid_argument, "the PostgreSQL database's encoding is " + encoding +
                                                  "; certd needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8')");
  db->set_client_encoding("UTF8");
  // A row lock held longer than this (another worker stuck mid-transaction)
  // fails the call as unavailable, to be tried again, as SQLite's
  // busy_timeout does, instead of waiting without end. Claims never wait:
  // they skip locked rows.
  pqxx::nontransaction(*db).exec("SET lock_timeout = '10s'");
  return db;
}

using ReadOnlySnapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string url, std::unique_ptr<pqxx::connection> db) : m_url(std::move(url)), m_db(std::move(db)) {}

  Result<Inserted> record_event(const NewEvent& e) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Inserted> {
      return inserted_or_existing(
          tx.exec_params("INSERT INTO events (source, source_event_id, kind, payload, received_at) "
                         "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, source_event_id) DO NOTHING RETURNING id",
                         e.source, e.source_event_id, e.kind, e.payload, e.received_at),
          [&] {
            return tx.exec_params1("SELECT id FROM events WHERE source = $1 AND source_event_id = $2", e.source,
                                   e.source_event_id);
          });
    });
  }

  Result<std::vector<EventRow>> events_with_status(EventStatus status, int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) {
      return read_events(tx.exec_params(std::string("SELECT ") + k_event_columns +
                                            " FROM events WHERE status = $1 ORDER BY id LIMIT $2",
                                        to_string(status), limit));
    });
  }

  // A processed event needs no next attempt; a failed one set here (a
  // teacher's action) is not retried by itself either.
  Status set_event_status(Id id, EventStatus status, const std::string& error) override {
    return update("UPDATE events SET status = $1, error = $2, next_attempt_at = NULL, claimed_by = NULL, "
                  "lease_until = NULL WHERE id = $3",
                  to_string(status), error, id);
  }

  // The rows are picked FOR UPDATE SKIP LOCKED and leased in the same
  // statement: a row another worker is claiming right now is skipped, not
  // waited for, and never handed out twice.
  Result<std::vector<EventRow>> claim_events(std::int64_t now, std::int64_t lease_until, int limit,
                                             const std::string& worker) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<EventRow>> {
      CERTD_ASSIGN_OR_RETURN(
          std::vector<EventRow> rows,
          read_events(tx.exec_params(
              std::string("UPDATE events SET claimed_by = $3, lease_until = $4 WHERE id IN (SELECT id FROM events "
                          "WHERE (status = 'new' OR (status = 'failed' AND attempts > 0 AND next_attempt_at <= $1)) "
                          "AND (lease_until IS NULL OR lease_until <= $1) "
                          "ORDER BY status <> 'new', id LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING ") +
                  k_event_columns,
              now, limit, worker, lease_until)));
      // RETURNING has no order: new events first, then retries, each by id.
      std::sort(rows.begin(), rows.end(), [](const EventRow& a, const EventRow& b) {
        return std::make_pair(a.status != EventStatus::new_, a.id) < std::make_pair(b.status != EventStatus::new_, b.id);
      });
      return rows;
    });
  }

  Status fail_event(Id id, const std::string& error, std::optional<std::int64_t> retry_at) override {
    return update_one("no event " + std::to_string(id),
                      "UPDATE events SET status = 'failed', error = $1, attempts = attempts + 1, "
                      "next_attempt_at = $2, claimed_by = NULL, lease_until = NULL WHERE id = $3",
                      error, retry_at, id);
  }

  Result<std::vector<EventRow>> due_failed_events(std::int64_t now, int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) {
      return read_events(tx.exec_params(std::string("SELECT ") + k_event_columns +
                                            " FROM events WHERE status = 'failed' AND attempts > 0 AND "
                                            "next_attempt_at <= $1 ORDER BY id LIMIT $2",
                                        now, limit));
    });
  }

  Result<std::int64_t> make_failed_events_due(const std::vector<Id>& ids, std::int64_t now) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<std::int64_t> {
      std::int64_t changed = 0;
      if (ids.empty())
        changed = static_cast<std::int64_t>(
            tx.exec_params("UPDATE events SET next_attempt_at = $1 WHERE status = 'failed' AND attempts > 0", now)
                .affected_rows());
      for (Id id : ids) {
        auto one = tx.exec_params("UPDATE events SET next_attempt_at = $1 "
                                  "WHERE id = $2 AND status = 'failed' AND attempts > 0",
                                  now, id);
        if (one.affected_rows() == 0)
          return Error(ErrorCode::not_found,
                       "event " + std::to_string(id) + " is not a failed event that can be retried");
        ++changed;
      }
      return changed;
    });
  }

  Result<std::vector<EventRow>> recent_events(std::optional<EventStatus> status, int limit) override {
    std::optional<std::string> wanted;
    if (status) wanted = to_string(*status);
    return one_statement([&](pqxx::transaction_base& tx) {
      return read_events(tx.exec_params(std::string("SELECT ") + k_event_columns +
                                            " FROM events WHERE ($1::text IS NULL OR status = $1::text) "
                                            "ORDER BY id DESC LIMIT $2",
                                        wanted, limit));
    });
  }

  Result<std::int64_t> count_events(EventStatus status) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::int64_t> {
      return integer(tx.exec_params1("SELECT count(*) FROM events WHERE status = $1", to_string(status))[0]);
    });
  }

  Result<Inserted> insert_certificate(const NewCertificate& c, const std::vector<NewOutboxItem>& outbox) override {
    return in_transaction(
        [&](pqxx::transaction_base& tx) -> Result<Inserted> {
          hold_batches(tx, {c.batch_id});
          return insert_one_certificate(tx, c, outbox);
        });
  }

  Result<std::vector<Inserted>> insert_certificates(const std::vector<CertificateWithOutbox>& group) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<std::vector<Inserted>> {
      std::vector<std::optional<Id>> batches;
      for (const CertificateWithOutbox& entry : group) batches.push_back(entry.certificate.batch_id);
      hold_batches(tx, batches);
      std::vector<Inserted> results;
      results.reserve(group.size());
      for (const CertificateWithOutbox& entry : group)
        results.push_back(insert_one_certificate(tx, entry.certificate, entry.outbox));
      return results;
    });
  }

  Result<std::optional<CertificateRow>> certificate_by_number(const std::string& number) override {
    return certificate_where("number", number);
  }

  Result<std::optional<CertificateRow>> certificate_by_key(const std::string& key) override {
    return certificate_where("idempotency_key", key);
  }

  using Store::revoke_certificate;
  Status revoke_certificate(const std::string& number, RevocationCategory category, const std::string& reason,
                            std::int64_t at) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Status {
      auto revoked = tx.exec_params("UPDATE certificates SET status = 'revoked', revoked_at = $1, revoke_reason = $2, "
                                    "revoke_category = $3 WHERE number = $4 AND status = 'issued'",
                                    at, reason, to_string(category), number);
      if (revoked.affected_rows() == 1) return ok();
      if (tx.exec_params("SELECT 1 FROM certificates WHERE number = $1", number).empty())
        return Error(ErrorCode::not_found, "no certificate " + number);
      return Error(ErrorCode::conflict, "certificate " + number + " is already revoked");
    });
  }

  Result<std::vector<CertificateRow>> certificates_for_student(const std::string& student_id) override {
    return certificates_where_all("student_id", student_id);
  }

  Result<std::vector<CertificateRow>> certificates_by_claim_token(const std::string& claim_token) override {
    return certificates_where_all("claim_token", claim_token);
  }

  Result<std::int64_t> count_certificates_issued(std::int64_t from, std::int64_t to) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::int64_t> {
      return integer(
          tx.exec_params1("SELECT count(*) FROM certificates WHERE issued_at >= $1 AND issued_at < $2", from, to)[0]);
    });
  }

  Result<Inserted> add_pending(const NewPending& p) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Inserted> {
      return inserted_or_existing(
          tx.exec_params("INSERT INTO pending (idempotency_key, rule_id, student_id, student_name, course, reason, "
                         "facts, created_at, waits_for) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                         "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                         p.idempotency_key, p.rule_id, p.student_id, p.student_name, p.course, p.reason, p.facts,
                         p.created_at, to_string(p.waits_for)),
          [&] { return tx.exec_params1("SELECT id FROM pending WHERE idempotency_key = $1", p.idempotency_key); });
    });
  }

  Result<std::vector<PendingRow>> pending_with_status(PendingStatus status) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<PendingRow>> {
      auto result = tx.exec_params(
          "SELECT id, idempotency_key, rule_id, student_id, student_name, course, reason, facts, created_at, status, "
          "notes, decided_by, decided_at, waits_for FROM pending WHERE status = $1 ORDER BY id",
          to_string(status));
      std::vector<PendingRow> rows;
      for (const pqxx::row& r : result) {
        PendingRow row;
        row.id = integer(r[0]);
        row.pending = NewPending{text(r[1]), text(r[2]), text(r[3]), text(r[4]),
                                 text(r[5]), text(r[6]), text(r[7]), integer(r[8])};
        CERTD_ASSIGN_OR_RETURN(row.pending.waits_for, parse_pending_wait(text(r[13])));
        CERTD_ASSIGN_OR_RETURN(row.status, parse_pending_status(text(r[9])));
        row.notes = text(r[10]);
        row.decided_by = text(r[11]);
        row.decided_at = optional_int(r[12]);
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Status decide_pending(Id id, PendingStatus status, const std::string& notes, const std::string& decided_by,
                        std::int64_t at) override {
    return update_one("no open pending entry " + std::to_string(id),
                      "UPDATE pending SET status = $1, notes = $2, decided_by = $3, decided_at = $4 "
                      "WHERE id = $5 AND status <> 'approved'",
                      to_string(status), notes, decided_by, at, id);
  }

  Result<PendingCounts> count_pending() override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<PendingCounts> {
      auto result = tx.exec("SELECT status, waits_for, count(*) FROM pending "
                            "WHERE status IN ('pending', 'held') GROUP BY status, waits_for");
      PendingCounts counts;
      for (const pqxx::row& r : result) {
        CERTD_ASSIGN_OR_RETURN(PendingStatus status, parse_pending_status(text(r[0])));
        CERTD_ASSIGN_OR_RETURN(PendingWait wait, parse_pending_wait(text(r[1])));
        std::int64_t count = integer(r[2]);
        if (status == PendingStatus::held) counts.held += count;
        else if (wait == PendingWait::quota) counts.quota += count;
        else counts.approval += count;
      }
      return counts;
    });
  }

  Result<Inserted> enqueue(const NewOutboxItem& item, std::optional<Id> certificate_id, std::int64_t now) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Inserted> {
      return inserted_or_existing(
          tx.exec_params("INSERT INTO outbox (dedupe_key, kind, payload, certificate_id, next_attempt_at, created_at, "
                         "updated_at) VALUES ($1, $2, $3, $4, $5, $5, $5) "
                         "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                         item.dedupe_key, item.kind, item.payload, certificate_id, now),
          [&] { return tx.exec_params1("SELECT id FROM outbox WHERE dedupe_key = $1", item.dedupe_key); });
    });
  }

  Result<std::vector<OutboxRow>> claim_due(std::int64_t now, std::int64_t lease_until, int limit,
                                           const std::string& worker) override {
    return one_statement([&](pqxx::transaction_base& tx) {
      // Rows another caller has locked are skipped, not waited for; the
      // lease is taken in the same statement. Rows come back as SQLite's
      // store gives them: as read before the lease, with the attempt it
      // starts counted.
      return read_outbox(tx.exec_params(
          "WITH due AS (SELECT id, next_attempt_at FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1 "
          "ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED), "
          "leased AS (UPDATE outbox o SET next_attempt_at = $3, attempts = o.attempts + 1, updated_at = $1, "
          "claimed_by = $4 FROM due WHERE o.id = due.id RETURNING o.id, o.certificate_id, o.kind, o.dedupe_key, "
          "o.payload, o.status, o.attempts, due.next_attempt_at AS due_at, o.last_error) "
          "SELECT id, certificate_id, kind, dedupe_key, payload, status, attempts, due_at, last_error FROM leased "
          "ORDER BY due_at, id",
          now, limit, lease_until, worker));
    });
  }

  Result<std::int64_t> release_claims(std::int64_t now, const std::string& worker) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<std::int64_t> {
      auto released = static_cast<std::int64_t>(
          tx.exec_params("UPDATE outbox SET next_attempt_at = $1, claimed_by = NULL "
                         "WHERE status = 'queued' AND claimed_by = $2",
                         now, worker)
              .affected_rows());
      // Table names are literals of this line, never input.
      for (const char* table : {"events", "batch_rows"})
        released += static_cast<std::int64_t>(
            tx.exec_params(std::string("UPDATE ") + table +
                               " SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1",
                           worker)
                .affected_rows());
      return released;
    });
  }

  // A session-level advisory lock on this store's connection: PostgreSQL
  // lets go of it when the connection ends, a crashed worker's included,
  // and the next worker to ask takes it. Held, it is checked with one
  // round trip, so a connection the server dropped is found out here.
  Result<bool> hold_poller_lock() override {
    return guarded([&]() -> Result<bool> {
      pqxx::connection& c = db();
      pqxx::nontransaction tx(c);
      if (m_poller_lock_on == m_connections) {
        tx.exec("SELECT 1");
        return true;
      }
      if (!tx.exec_params1("SELECT pg_try_advisory_lock($1)", k_poller_lock)[0].as<bool>()) return false;
      m_poller_lock_on = m_connections;
      return true;
    });
  }

  Result<bool> hold_worker_lock(const std::string& worker) override {
    return guarded([&]() -> Result<bool> {
      pqxx::connection& c = db();
      pqxx::nontransaction tx(c);
      if (m_worker_lock_on == m_connections && m_worker == worker) {
        tx.exec("SELECT 1");
        return true;
      }
      if (!tx.exec_params1("SELECT pg_try_advisory_lock($1, hashtext($2))", k_worker_lock_class, worker)[0].as<bool>())
        return false;
      m_worker_lock_on = m_connections;
      m_worker = worker;
      return true;
    });
  }

  Status release_poller_lock() override {
    if (m_poller_lock_on != m_connections) return ok();  // never taken, or gone with its connection
    return guarded([&]() -> Status {
      m_poller_lock_on = 0;
      pqxx::nontransaction(db()).exec_params("SELECT pg_advisory_unlock($1)", k_poller_lock);
      return ok();
    });
  }

  Status complete_outbox(Id id, std::int64_t now) override {
    return update(
        "UPDATE outbox SET status = 'done', last_error = '', claimed_by = NULL, updated_at = $1 WHERE id = $2", now,
        id);
  }

  Status fail_outbox(Id id, const std::string& error, std::optional<std::int64_t> retry_at,
                     std::int64_t now) override {
    if (retry_at)
      return update("UPDATE outbox SET last_error = $1, next_attempt_at = $2, claimed_by = NULL, updated_at = $3 "
                    "WHERE id = $4",
                    error, *retry_at, now, id);
    return update(
        "UPDATE outbox SET status = 'failed', last_error = $1, claimed_by = NULL, updated_at = $2 WHERE id = $3",
        error, now, id);
  }

  Result<std::vector<OutboxRow>> outbox_with_status(OutboxStatus status) override {
    return one_statement([&](pqxx::transaction_base& tx) {
      return read_outbox(tx.exec_params(
          std::string("SELECT ") + k_outbox_columns + " FROM outbox WHERE status = $1 ORDER BY id",
          to_string(status)));
    });
  }

  Result<OutboxCounts> count_outbox() override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<OutboxCounts> {
      pqxx::row r = tx.exec1("SELECT count(*) FILTER (WHERE status = 'queued' AND attempts = 0), "
                             "count(*) FILTER (WHERE status = 'queued' AND attempts > 0), "
                             "count(*) FILTER (WHERE status = 'failed') FROM outbox");
      return OutboxCounts{integer(r[0]), integer(r[1]), integer(r[2])};
    });
  }

  Result<StoreFigures> figures() override {
    return guarded([&]() -> Result<StoreFigures> {
      // One snapshot: the three groups are of one moment.
      ReadOnlySnapshot tx(db());
      auto grouped = [&](const char* sql, int columns) {
        std::vector<GroupCount> groups;
        for (const pqxx::row& r : tx.exec(sql)) {
          GroupCount group;
          for (int i = 0; i < columns; ++i) group.values.push_back(text(r[i]));
          group.count = integer(r[columns]);
          groups.push_back(std::move(group));
        }
        return groups;
      };
      StoreFigures figures;
      // By name, not position: "ORDER BY 1 COLLATE ..." collates the
      // number 1, which PostgreSQL refuses.
      figures.certificates = grouped("SELECT rule_id, kind, count(*) FROM certificates GROUP BY rule_id, kind "
                                     "ORDER BY rule_id COLLATE \"C\", kind COLLATE \"C\"",
                                     2);
      figures.events =
          grouped("SELECT status, count(*) FROM events GROUP BY status ORDER BY status COLLATE \"C\"", 1);
      figures.outbox = grouped("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status "
                               "ORDER BY kind COLLATE \"C\", status COLLATE \"C\"",
                               2);
      tx.commit();
      return figures;
    });
  }

  Result<Id> create_batch(const NewBatch& b, const std::vector<NewBatchItem>& items) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Id> {
      Id id = integer(tx.exec_params1("INSERT INTO batches (file_name, template_id, created_by, total, created_at) "
                                      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                      b.file_name, b.template_id, b.created_by, b.total, b.created_at)[0]);
      static const std::vector<const char*> k_types = {"bigint", "integer", "text", "text", "text",
                                                       "bigint", "text",    "text", "text", "text"};
      for (std::size_t start = 0; start < items.size(); start += k_rows_per_statement) {
        std::size_t count = std::min(k_rows_per_statement, items.size() - start);
        std::vector<std::optional<std::string>> values;
        values.reserve(count * k_types.size());
        for (std::size_t i = start; i < start + count; ++i) {
          const NewBatchItem& item = items[i];
          std::optional<std::string> expires;
          if (item.expires_at) expires = std::to_string(*item.expires_at);
          values.insert(values.end(), {std::to_string(id), std::to_string(item.line), item.student, item.name,
                                       item.course, expires, item.notes, text_or_null(item.key),
                                       text_or_null(item.digest), item.title});
        }
        tx.exec_params("INSERT INTO batch_rows (batch_id, line, student, name, course, expires_at, notes, row_key, "
                       "content_digest, title) VALUES " +
                           values_sql(count, k_types),
                       pqxx::prepare::make_dynamic_params(values));
      }
      return id;
    });
  }

  Result<std::vector<BatchRow>> batches() override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<BatchRow>> {
      std::vector<BatchRow> rows;
      for (const pqxx::row& r : tx.exec(std::string("SELECT ") + k_batch_columns + " FROM batches ORDER BY id"))
        rows.push_back(read_batch(r));
      return rows;
    });
  }

  Result<std::vector<BatchItemRow>> batch_items(Id batch_id, const std::string& status, int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<BatchItemRow>> {
      return read_batch_rows(tx.exec_params(std::string("SELECT ") + k_batch_row_columns +
                                                " FROM batch_rows WHERE batch_id = $1 AND status = $2 ORDER BY id LIMIT $3",
                                            batch_id, status, limit));
    });
  }

  // As claim_events: picked FOR UPDATE SKIP LOCKED and leased in one statement.
  Result<std::vector<BatchItemRow>> claim_batch_items(Id batch_id, std::int64_t now, std::int64_t lease_until,
                                                      int limit, const std::string& worker) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<BatchItemRow>> {
      std::vector<BatchItemRow> rows = read_batch_rows(tx.exec_params(
          std::string("UPDATE batch_rows SET claimed_by = $4, lease_until = $5 WHERE id IN (SELECT id FROM batch_rows "
                      "WHERE batch_id = $1 AND status = 'queued' AND (lease_until IS NULL OR lease_until <= $2) "
                      "ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ") +
              k_batch_row_columns,
          batch_id, now, limit, worker, lease_until));
      std::sort(rows.begin(), rows.end(), [](const BatchItemRow& a, const BatchItemRow& b) { return a.id < b.id; });
      return rows;
    });
  }

  Result<std::vector<BatchDigestMatch>> batch_items_by_digest(const std::vector<std::string>& digests) override {
    return guarded([&]() -> Result<std::vector<BatchDigestMatch>> {
      // One snapshot, a thousand digests per statement; each digest's
      // position in the input orders the answer.
      ReadOnlySnapshot tx(db());
      std::vector<BatchDigestMatch> matches;
      for (std::size_t start = 0; start < digests.size(); start += k_rows_per_statement) {
        std::size_t count = std::min(k_rows_per_statement, digests.size() - start);
        std::vector<std::string> values;
        for (std::size_t i = start; i < start + count; ++i) {
          values.push_back(digests[i]);
          values.push_back(std::to_string(i));
        }
        auto result = tx.exec_params(
            "SELECT r.content_digest, r.batch_id, b.status, r.id, r.status FROM (VALUES " +
                values_sql(count, {"text", "bigint"}) +
                ") AS wanted (digest, position) JOIN batch_rows r ON r.content_digest = wanted.digest "
                "JOIN batches b ON b.id = r.batch_id ORDER BY wanted.position, r.id",
            pqxx::prepare::make_dynamic_params(values));
        for (const pqxx::row& r : result)
          matches.push_back({text(r[0]), integer(r[1]), text(r[2]), integer(r[3]), text(r[4])});
      }
      tx.commit();
      return matches;
    });
  }

  Result<BatchProgress> batch_progress(Id batch_id) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<BatchProgress> {
      BatchProgress progress;
      for (const pqxx::row& r :
           tx.exec_params("SELECT status, count(*) FROM batch_rows WHERE batch_id = $1 GROUP BY status", batch_id)) {
        std::string status = text(r[0]);
        std::int64_t count = integer(r[1]);
        if (status == "queued") progress.queued = count;
        if (status == "issued") progress.issued = count;
        if (status == "failed") progress.failed = count;
        if (status == "cancelled") progress.cancelled = count;
      }
      return progress;
    });
  }

  Status set_batch_item(Id item_id, const std::string& status, const std::string& error,
                        std::optional<Id> certificate_id) override {
    return update("UPDATE batch_rows SET status = $1, error = $2, certificate_id = $3, claimed_by = NULL, "
                  "lease_until = NULL WHERE id = $4",
                  status, error, certificate_id, item_id);
  }

  // One statement per thousand rows: UPDATE ... FROM (VALUES ...).
  Status set_batch_items(const std::vector<BatchItemOutcome>& outcomes) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Status {
      for (std::size_t first = 0; first < outcomes.size(); first += k_rows_per_statement) {
        const std::size_t count = std::min(k_rows_per_statement, outcomes.size() - first);
        std::vector<std::optional<std::string>> values;
        for (std::size_t i = first; i < first + count; ++i) {
          const BatchItemOutcome& o = outcomes[i];
          values.push_back(std::to_string(o.item_id));
          values.push_back(o.status);
          values.push_back(o.error);
          values.push_back(o.certificate_id ? std::optional<std::string>(std::to_string(*o.certificate_id))
                                            : std::nullopt);
        }
        tx.exec_params("UPDATE batch_rows b SET status = v.status, error = v.error, certificate_id = v.certificate_id, "
                       "claimed_by = NULL, lease_until = NULL FROM (VALUES " +
                           values_sql(count, {"bigint", "text", "text", "bigint"}) +
                           ") AS v (id, status, error, certificate_id) WHERE b.id = v.id",
                       pqxx::prepare::make_dynamic_params(values));
      }
      return ok();
    });
  }

  Result<std::int64_t> cancel_batch(Id id, const std::string& reason, std::int64_t at) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<std::int64_t> {
      // Updating the batch row first waits for every transaction still
      // issuing into this batch (they hold it FOR SHARE); each statement
      // after it sees what they committed.
      if (tx.exec_params("UPDATE batches SET status = 'cancelled', finished_at = $1 WHERE id = $2", at, id)
              .affected_rows() != 1)
        return Error(ErrorCode::not_found, "no batch " + std::to_string(id));
      tx.exec_params("UPDATE batch_rows SET status = 'cancelled' WHERE batch_id = $1 AND status = 'queued'", id);
      auto revoked = static_cast<std::int64_t>(
          tx.exec_params("UPDATE certificates SET status = 'revoked', revoked_at = $1, revoke_reason = $2, "
                         "revoke_category = 'withdrawn' WHERE batch_id = $3 AND status = 'issued'",
                         at, reason, id)
              .affected_rows());
      // Mail not yet sent for a revoked certificate is not sent at all.
      tx.exec_params("UPDATE outbox SET status = 'cancelled' WHERE status = 'queued' AND certificate_id IN "
                     "(SELECT id FROM certificates WHERE batch_id = $1)",
                     id);
      return revoked;
    });
  }

  Result<std::optional<BatchRow>> batch(Id id) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<BatchRow>> {
      auto result = tx.exec_params(std::string("SELECT ") + k_batch_columns + " FROM batches WHERE id = $1", id);
      if (result.empty()) return std::optional<BatchRow>();
      return std::optional<BatchRow>(read_batch(result[0]));
    });
  }

  Status update_batch(Id id, std::int64_t done, std::int64_t failed, const std::string& status,
                      std::optional<std::int64_t> finished_at) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Status {
      // Only a running batch moves on: a cancel made meanwhile stays.
      auto changed = tx.exec_params("UPDATE batches SET done = $1, failed = $2, status = $3, finished_at = $4 "
                                    "WHERE id = $5 AND status = 'running'",
                                    done, failed, status, finished_at, id);
      if (changed.affected_rows() == 1) return ok();
      if (tx.exec_params("SELECT 1 FROM batches WHERE id = $1", id).empty())
        return Error(ErrorCode::not_found, "no batch " + std::to_string(id));
      return ok();
    });
  }

  Result<Inserted> add_notification(const NewNotification& n) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Inserted> {
      return inserted_or_existing(
          tx.exec_params("INSERT INTO notifications (certificate_id, recipient, role, outbox_id) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (certificate_id, recipient) DO NOTHING RETURNING id",
                         n.certificate_id, n.recipient, n.role, n.outbox_id),
          [&] {
            return tx.exec_params1("SELECT id FROM notifications WHERE certificate_id = $1 AND recipient = $2",
                                   n.certificate_id, n.recipient);
          });
    });
  }

  Status set_notification_status(Id id, const std::string& status, const std::string& server_reply,
                                 std::optional<std::int64_t> sent_at) override {
    return update("UPDATE notifications SET status = $1, server_reply = $2, sent_at = $3 WHERE id = $4", status,
                  server_reply, sent_at, id);
  }

  Result<std::vector<NotificationRow>> notifications(std::optional<Id> certificate_id,
                                                    std::optional<Id> batch_id) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<NotificationRow>> {
      auto result = tx.exec_params(
          "SELECT n.id, n.certificate_id, c.number, c.batch_id, n.recipient, n.role, n.status, n.server_reply, "
          "n.resend_count, n.sent_at, n.claimed_at FROM notifications n JOIN certificates c ON c.id = n.certificate_id "
          "WHERE ($1::bigint IS NULL OR n.certificate_id = $1::bigint) AND ($2::bigint IS NULL OR c.batch_id = "
          "$2::bigint) ORDER BY n.id",
          certificate_id, batch_id);
      std::vector<NotificationRow> rows;
      for (const pqxx::row& r : result) {
        NotificationRow row;
        row.id = integer(r[0]);
        row.certificate_id = integer(r[1]);
        row.number = text(r[2]);
        row.batch_id = optional_int(r[3]);
        row.recipient = text(r[4]);
        row.role = text(r[5]);
        row.status = text(r[6]);
        row.server_reply = text(r[7]);
        row.resend_count = r[8].as<int>();
        row.sent_at = optional_int(r[9]);
        row.claimed_at = optional_int(r[10]);
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Status count_resend(Id notification_id, int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Status {
      auto counted = tx.exec_params("UPDATE notifications SET resend_count = resend_count + 1 "
                                    "WHERE id = $1 AND resend_count < $2",
                                    notification_id, limit);
      if (counted.affected_rows() == 1) return ok();
      return Error(ErrorCode::conflict, "already resent " + std::to_string(limit) + " times");
    });
  }

  Status mark_claimed(const std::string& claim_token, std::int64_t at) override {
    return update("UPDATE notifications SET status = 'claimed', claimed_at = $1 WHERE status = 'sent' AND "
                  "certificate_id IN (SELECT id FROM certificates WHERE claim_token = $2)",
                  at, claim_token);
  }

  Status record_verification(const NewVerification& v) override {
    return update("INSERT INTO verifications (number, result, via, at) VALUES ($1, $2, $3, $4)", v.number, v.result,
                  v.via, v.at);
  }

  Status append_audit(const NewAuditEntry& a) override {
    return update("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)", a.at,
                  a.actor, a.action, a.subject, a.details);
  }

  Result<std::vector<CertificateRow>> recent_certificates(int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) {
      return read_certificates(tx.exec_params(
          "SELECT " + k_certificate_columns + " FROM certificates ORDER BY issued_at DESC, id DESC LIMIT $1", limit));
    });
  }

  Result<std::vector<VerificationRow>> recent_verifications(int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<VerificationRow>> {
      std::vector<VerificationRow> rows;
      for (const pqxx::row& r :
           tx.exec_params("SELECT id, number, result, via, at FROM verifications ORDER BY id DESC LIMIT $1", limit))
        rows.push_back(VerificationRow{integer(r[0]), text(r[1]), text(r[2]), text(r[3]), integer(r[4])});
      return rows;
    });
  }

  Result<std::optional<std::string>> get_state(const std::string& key) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<std::string>> {
      auto result = tx.exec_params("SELECT value FROM state WHERE key = $1", key);
      if (result.empty()) return std::optional<std::string>();
      return std::optional<std::string>(text(result[0][0]));
    });
  }

  Status set_state(const std::string& key, const std::string& value) override {
    return update(
        "INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key,
        value);
  }

  Result<std::vector<AuditRow>> recent_audit(int limit) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<AuditRow>> {
      std::vector<AuditRow> rows;
      for (const pqxx::row& r : tx.exec_params(
               "SELECT id, actor, action, subject, details, at FROM audit_log ORDER BY id DESC LIMIT $1", limit))
        rows.push_back(AuditRow{integer(r[0]), NewAuditEntry{text(r[1]), text(r[2]), text(r[3]), text(r[4]),
                                                             integer(r[5])}});
      return rows;
    });
  }

  Status put_lti_state(const NewLtiState& l, std::int64_t now, std::int64_t max_live) override {
    return guarded([&]() -> Status {
      pqxx::work tx(db());
      // Purge, count and insert as one step among all processes, as
      // SQLite's write lock makes them: two logins at once cannot both
      // take the last free place.
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", k_lti_state_lock);
      tx.exec_params("DELETE FROM lti_states WHERE expires_at <= $1", now);
      if (integer(tx.exec1("SELECT count(*) FROM lti_states")[0]) >= max_live) {
        // The purge is kept: it is right whatever happens to this login.
        tx.commit();
        return Error(ErrorCode::unavailable,
                     "too many LTI logins in flight (" + std::to_string(max_live) + "); try again later");
      }
      tx.exec_params("INSERT INTO lti_states (state, nonce, issuer, client_id, target_link_uri, created_at, "
                     "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                     l.state, l.nonce, l.issuer, l.client_id, l.target_link_uri, l.created_at, l.expires_at);
      tx.commit();
      return ok();
    });
  }

  Result<std::optional<LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<LtiStateRow>> {
      // One statement reads and deletes: of two connections taking the
      // same state, the second waits for the first and then finds no row.
      // An expired state is deleted as well: it is used up either way.
      auto result = tx.exec_params("DELETE FROM lti_states WHERE state = $1 "
                                   "RETURNING nonce, issuer, client_id, target_link_uri, created_at, expires_at",
                                   state);
      if (result.empty()) return std::optional<LtiStateRow>();
      const pqxx::row& r = result[0];
      LtiStateRow row{state, text(r[0]), text(r[1]), text(r[2]), text(r[3]), integer(r[4]), integer(r[5])};
      if (row.expires_at <= now) return std::optional<LtiStateRow>();
      return std::optional<LtiStateRow>(std::move(row));
    });
  }

  Status create_session(const NewSession& n) override {
    return update_with_names(
        "INSERT INTO sessions (token_hash, kind, user_key, display_name, role, identity, csrf_token, created_at, "
        "last_seen_at, idle_expires_at, expires_at, courses) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " +
            json_array_sql(12, n.courses.size()) + ")",
        n.courses, n.token_hash, to_string(n.kind), n.user_key, n.display_name, to_string(n.role), n.identity,
        n.csrf_token, n.created_at, n.last_seen_at, n.idle_expires_at, n.expires_at);
  }

  Result<std::optional<SessionRow>> session_by_hash(const std::string& token_hash, std::int64_t now) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<SessionRow>> {
      auto result = tx.exec_params(
          "SELECT " + k_session_columns +
              " FROM sessions WHERE token_hash = $1 AND idle_expires_at > $2 AND expires_at > $2",
          token_hash, now);
      if (result.empty()) return std::optional<SessionRow>();
      CERTD_ASSIGN_OR_RETURN(SessionRow row, read_session(result[0]));
      return std::optional<SessionRow>(std::move(row));
    });
  }

  Status touch_session(const std::string& token_hash, std::int64_t now, std::int64_t idle_expires_at) override {
    // An expired session stays expired: touching it must not revive it.
    return update_one("no live session",
                      "UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 "
                      "WHERE token_hash = $3 AND idle_expires_at > $1 AND expires_at > $1",
                      now, idle_expires_at, token_hash);
  }

  Status delete_session(const std::string& token_hash) override {
    return update("DELETE FROM sessions WHERE token_hash = $1", token_hash);
  }

  Result<std::int64_t> purge_sessions(std::int64_t now) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::int64_t> {
      return static_cast<std::int64_t>(
          tx.exec_params("DELETE FROM sessions WHERE idle_expires_at <= $1 OR expires_at <= $1", now).affected_rows());
    });
  }

  Result<Inserted> add_local_user(const NewLocalUser& u) override {
    // The CHECK constraint would refuse it too, but as a conflict.
    if (u.role == Role::student)
      return Error(ErrorCode::invalid_argument, "a local account is an admin or a teacher, not a student");
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Inserted> {
      return inserted_or_existing(
          tx.exec_params("INSERT INTO local_users (name, role, password_hash, created_at, courses) "
                         "VALUES ($1, $2, $3, $4, " +
                             json_array_sql(5, u.courses.size()) + ") ON CONFLICT (name) DO NOTHING RETURNING id",
                         u.name, to_string(u.role), u.password_hash, u.created_at,
                         pqxx::prepare::make_dynamic_params(u.courses)),
          [&] { return tx.exec_params1("SELECT id FROM local_users WHERE name = $1", u.name); });
    });
  }

  Result<std::optional<LocalUserRow>> local_user(const std::string& name) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<LocalUserRow>> {
      auto result = tx.exec_params("SELECT " + k_local_user_columns + " FROM local_users WHERE name = $1", name);
      if (result.empty()) return std::optional<LocalUserRow>();
      CERTD_ASSIGN_OR_RETURN(LocalUserRow row, read_local_user(result[0]));
      return std::optional<LocalUserRow>(std::move(row));
    });
  }

  Result<std::vector<LocalUserRow>> local_users() override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<LocalUserRow>> {
      std::vector<LocalUserRow> rows;
      for (const pqxx::row& r :
           tx.exec("SELECT " + k_local_user_columns + " FROM local_users ORDER BY name COLLATE \"C\"")) {
        CERTD_ASSIGN_OR_RETURN(LocalUserRow row, read_local_user(r));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Status set_local_user_password(const std::string& name, const std::string& password_hash) override {
    return update_one("no local user " + name, "UPDATE local_users SET password_hash = $1 WHERE name = $2",
                      password_hash, name);
  }

  Status set_local_user_disabled(const std::string& name, bool disabled) override {
    return update_one("no local user " + name, "UPDATE local_users SET disabled = $1 WHERE name = $2", disabled,
                      name);
  }

  Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                              std::int64_t lock_seconds) override {
    // One statement counts and locks, so two failed logins at once from
    // two processes cannot both miss the limit: the second waits for the
    // first's row lock and then reads its count. The right-hand sides
    // read the row as it was before this update.
    return update_one("no local user " + name,
                      "UPDATE local_users SET "
                      "failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END, "
                      "locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END "
                      "WHERE name = $3",
                      max_failures, now + lock_seconds, name);
  }

  Status record_login_success(const std::string& name) override {
    return update_one("no local user " + name, "UPDATE local_users SET failed_logins = 0 WHERE name = $1", name);
  }

  Result<Id> add_api_token(const NewApiToken& t) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Result<Id> {
      // Checked here so an unknown user is not_found, not the foreign
      // key's constraint error (a conflict). Accounts are never deleted,
      // so the answer holds until the insert.
      if (tx.exec_params("SELECT 1 FROM local_users WHERE name = $1", t.user_name).empty())
        return Error(ErrorCode::not_found, "no local user " + t.user_name);
      return integer(tx.exec_params1("INSERT INTO api_tokens (user_name, token_hash, label, created_at) "
                                     "VALUES ($1, $2, $3, $4) RETURNING id",
                                     t.user_name, t.token_hash, t.label, t.created_at)[0]);
    });
  }

  Result<std::optional<ApiTokenRow>> api_token_by_hash(const std::string& token_hash) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<ApiTokenRow>> {
      auto result = tx.exec_params(
          std::string("SELECT ") + k_api_token_columns + " FROM api_tokens WHERE token_hash = $1", token_hash);
      if (result.empty()) return std::optional<ApiTokenRow>();
      return std::optional<ApiTokenRow>(read_api_token(result[0]));
    });
  }

  Status touch_api_token(Id id, std::int64_t now) override {
    return update_one("no API token " + std::to_string(id), "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                      now, id);
  }

  Status revoke_api_token(Id id, std::int64_t now) override {
    return in_transaction([&](pqxx::transaction_base& tx) -> Status {
      if (tx.exec_params("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", now, id)
              .affected_rows() == 1)
        return ok();
      if (tx.exec_params("SELECT 1 FROM api_tokens WHERE id = $1", id).empty())
        return Error(ErrorCode::not_found, "no API token " + std::to_string(id));
      return Error(ErrorCode::conflict, "API token " + std::to_string(id) + " is already revoked");
    });
  }

  Result<std::vector<ApiTokenRow>> api_tokens(const std::string& user_name) override {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::vector<ApiTokenRow>> {
      std::vector<ApiTokenRow> rows;
      for (const pqxx::row& r :
           tx.exec_params(std::string("SELECT ") + k_api_token_columns +
                              " FROM api_tokens WHERE $1::text = '' OR user_name = $1::text ORDER BY id",
                          user_name))
        rows.push_back(read_api_token(r));
      return rows;
    });
  }

 private:
  // Runs `body` in a transaction of type Tx, committed when it succeeds
  // and rolled back when it returns an error or throws.
  template <typename Tx, typename Body>
  auto run(Body&& body) -> decltype(body(std::declval<pqxx::transaction_base&>())) {
    return guarded([&]() -> decltype(body(std::declval<pqxx::transaction_base&>())) {
      Tx tx(db());
      auto result = body(tx);
      if (result) tx.commit();
      return result;
    });
  }

  // Several statements as one READ COMMITTED transaction.
  template <typename Body>
  auto in_transaction(Body&& body) -> decltype(body(std::declval<pqxx::transaction_base&>())) {
    return run<pqxx::work>(std::forward<Body>(body));
  }

  // One statement, atomic by itself: run without BEGIN and COMMIT, one
  // round trip to the server instead of three.
  template <typename Body>
  auto one_statement(Body&& body) -> decltype(body(std::declval<pqxx::transaction_base&>())) {
    return run<pqxx::nontransaction>(std::forward<Body>(body));
  }

  // One parameterized statement that changes rows.
  template <typename... Args>
  Status update(const std::string& sql, const Args&... args) {
    return one_statement([&](pqxx::transaction_base& tx) -> Status {
      tx.exec_params(sql, args...);
      return ok();
    });
  }

  // The same for a statement that must change a row: not_found, saying
  // `missing`, when it changes none.
  template <typename... Args>
  Status update_one(const std::string& missing, const std::string& sql, const Args&... args) {
    return one_statement([&](pqxx::transaction_base& tx) -> Status {
      if (tx.exec_params(sql, args...).affected_rows() == 0) return Error(ErrorCode::not_found, missing);
      return ok();
    });
  }

  // An update whose last parameters are a list of names (json_array_sql).
  template <typename... Args>
  Status update_with_names(const std::string& sql, const std::vector<std::string>& names, const Args&... args) {
    return one_statement([&](pqxx::transaction_base& tx) -> Status {
      tx.exec_params(sql, args..., pqxx::prepare::make_dynamic_params(names));
      return ok();
    });
  }

  // `inserted` is the answer of an INSERT ... ON CONFLICT DO NOTHING
  // RETURNING id; `existing` looks up the row that was there instead.
  template <typename Find>
  static Inserted inserted_or_existing(const pqxx::result& inserted, Find&& existing) {
    if (!inserted.empty()) return Inserted{integer(inserted[0][0]), true};
    return Inserted{integer(existing()[0]), false};
  }

  // Certificates of a batch hold the batch row until they commit, so a
  // cancel_batch waits for them and then revokes them (see the top). Once
  // per transaction and batch, in id order: each FOR SHARE rewrites the
  // row's lock, and with two workers a new multixact, so taking it once
  // for a group of 50 instead of 50 times keeps the workers off each
  // other's row (bench/postgres_batch.sh).
  static void hold_batches(pqxx::transaction_base& tx, std::vector<std::optional<Id>> batches) {
    std::vector<Id> ids;
    for (const std::optional<Id>& id : batches)
      if (id) ids.push_back(*id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (Id id : ids) tx.exec_params("SELECT 1 FROM batches WHERE id = $1 FOR SHARE", id);
  }

  // The caller holds the certificate's batch (hold_batches).
  Inserted insert_one_certificate(pqxx::transaction_base& tx, const NewCertificate& c,
                                  const std::vector<NewOutboxItem>& outbox) {
    auto inserted = tx.exec_params(
        "INSERT INTO certificates (number, idempotency_key, rule_id, template_id, student_id, student_name, course, "
        "kind, requested_by, notes, payload, signature, pdf_path, issued_at, expires_at, batch_id, claim_token, "
        "teacher, grade, title, skills) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
        "$16, $17, $18, $19, $20, " +
            json_array_sql(21, c.skills.size()) + ") ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        c.number, c.idempotency_key, c.rule_id, c.template_id, c.student_id, c.student_name, c.course, c.kind,
        c.requested_by, c.notes, c.payload, c.signature, c.pdf_path, c.issued_at, c.expires_at, c.batch_id,
        c.claim_token, c.teacher, c.grade, c.title, pqxx::prepare::make_dynamic_params(c.skills));
    Inserted result = inserted_or_existing(inserted, [&] {
      return tx.exec_params1("SELECT id FROM certificates WHERE idempotency_key = $1", c.idempotency_key);
    });
    if (!result.created) return result;
    // A dedupe key already queued is a conflict here, as in SQLite's store:
    // the whole certificate rolls back.
    for (const NewOutboxItem& item : outbox)
      tx.exec_params("INSERT INTO outbox (kind, dedupe_key, payload, certificate_id, next_attempt_at, created_at, "
                     "updated_at) VALUES ($1, $2, $3, $4, $5, $5, $5)",
                     item.kind, item.dedupe_key, item.payload, result.id, c.issued_at);
    return result;
  }

  Result<std::optional<CertificateRow>> certificate_where(const char* column, const std::string& value) {
    return one_statement([&](pqxx::transaction_base& tx) -> Result<std::optional<CertificateRow>> {
      // `column` is one of two literals above, never input.
      auto result = tx.exec_params("SELECT " + k_certificate_columns + " FROM certificates WHERE " + column + " = $1",
                                   value);
      if (result.empty()) return std::optional<CertificateRow>();
      CERTD_ASSIGN_OR_RETURN(CertificateRow row, read_certificate(result[0]));
      return std::optional<CertificateRow>(std::move(row));
    });
  }

  Result<std::vector<CertificateRow>> certificates_where_all(const char* column, const std::string& value) {
    return one_statement([&](pqxx::transaction_base& tx) {
      // `column` is a literal of this file, never input.
      return read_certificates(tx.exec_params("SELECT " + k_certificate_columns + " FROM certificates WHERE " +
                                                  column + " = $1 ORDER BY issued_at, id",
                                              value));
    });
  }

  // The connection, made again when the server has dropped it (a restart):
  // the call that found it broken failed as unavailable, the next one
  // connects. Throws libpqxx's exceptions.
  pqxx::connection& db() {
    if (!m_db->is_open()) {
      auto fresh = connect(m_url);
      if (!fresh) throw pqxx::broken_connection(fresh.error().message());
      m_db = std::move(*fresh);
      ++m_connections;
    }
    return *m_db;
  }

  const std::string m_url;  // may hold a password: never logged
  std::unique_ptr<pqxx::connection> m_db;  // used by one thread at a time (see store.hpp)
  std::uint64_t m_connections = 1;         // which connection m_db is: 1 for the first
  std::uint64_t m_poller_lock_on = 0;      // the connection holding the poller's lock; 0: none
  std::uint64_t m_worker_lock_on = 0;      // the connection holding m_worker's name; 0: none
  std::string m_worker;
};

// Applies the steps up to `target_version` in one transaction under an
// advisory lock, so two processes starting at once apply each step exactly
// once. Refuses a database whose version is newer than this build knows.
Status migrate(pqxx::connection& db, int target_version) {
  const auto& steps = postgres_migration_steps();
  int newest = steps.empty() ? 0 : steps.back().version;
  if (target_version < 0 || target_version > newest)
    return Error(ErrorCode::internal, "no PostgreSQL schema version " + std::to_string(target_version) +
                                          ": a step of store/migrations.cpp is missing from "
                                          "store/postgres_migrations.cpp");
  pqxx::work tx(db);
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", k_migration_lock);
  if (tx.exec1("SELECT to_regclass('schema_version') IS NULL")[0].as<bool>()) {
    tx.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    tx.exec("INSERT INTO schema_version (version) VALUES (0)");
  }
  int version = tx.exec1("SELECT version FROM schema_version")[0].as<int>();
  if (version > newest)
    return Error(ErrorCode::conflict, "database has schema version " + std::to_string(version) +
                                          ", newer than this certd understands (" + std::to_string(newest) +
                                          "); run the newer certd or restore a backup");
  for (const PostgresMigration& step : steps)
    if (step.version > version && step.version <= target_version) tx.exec(std::string(step.sql));
  if (target_version > version) tx.exec_params("UPDATE schema_version SET version = $1", target_version);
  tx.commit();
  return ok();
}

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url) {
  return guarded([&]() -> Result<std::unique_ptr<Store>> {
    CERTD_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> db, connect(url));
    CERTD_TRY(migrate(*db, current_schema_version()));
    return std::unique_ptr<Store>(std::make_unique<PostgresStore>(url, std::move(db)));
  });
}

}  // namespace certd::store
