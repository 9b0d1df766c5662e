// Store over SQLiteCpp. Writers use BEGIN IMMEDIATE (a deferred read that
// later writes fails at once with SQLITE_BUSY instead of waiting), every
// statement is parameterized, and SQLiteCpp's exceptions stop here.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/migrations.hpp"
#include "store/revocation.hpp"
#include "store/sqlite_errors.hpp"
#include "store/store.hpp"

namespace certd::store {
namespace {

void bind_optional(SQLite::Statement& statement, int index, const std::optional<std::int64_t>& value) {
  if (value) statement.bind(index, static_cast<std::int64_t>(*value));
  else statement.bind(index);
}

// Empty text is stored as NULL where NULL means "not known" (older rows).
void bind_text_or_null(SQLite::Statement& statement, int index, const std::string& value) {
  if (value.empty()) statement.bind(index);
  else statement.bind(index, value);
}

std::optional<std::int64_t> optional_int(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

constexpr const char* k_certificate_columns =
    "id, number, idempotency_key, rule_id, template_id, student_id, student_name, course, kind, "
    "requested_by, notes, payload, signature, pdf_path, issued_at, expires_at, batch_id, claim_token, "
    "status, revoked_at, revoke_reason, teacher, grade, skills, revoke_category, title";

// Lists of names (a certificate's skills since schema version 9, console
// course lists since 14) are JSON arrays written and read by SQLite's JSON
// functions, so a name may hold any character.
std::vector<std::string> read_string_array(SQLite::Database& db, const std::string& json) {
  SQLite::Statement s(db, "SELECT value FROM json_each(?) ORDER BY key");
  s.bind(1, json);
  std::vector<std::string> names;
  while (s.executeStep()) names.push_back(s.getColumn(0).getString());
  return names;
}

// "json_array(?, ?, ...)" with one parameter per name.
std::string json_array_sql(std::size_t count) {
  std::string sql = "json_array(";
  for (std::size_t i = 0; i < count; ++i) sql += i == 0 ? "?" : ", ?";
  return sql + ")";
}

// Binds `names` to the parameters after `last_index`, for json_array_sql.
void bind_names(SQLite::Statement& statement, int last_index, const std::vector<std::string>& names) {
  for (const std::string& name : names) statement.bind(++last_index, name);
}

Result<CertificateRow> read_certificate(SQLite::Database& db, SQLite::Statement& s) {
  CertificateRow row;
  NewCertificate& c = row.certificate;
  row.id = s.getColumn(0).getInt64();
  c.number = s.getColumn(1).getString();
  c.idempotency_key = s.getColumn(2).getString();
  c.rule_id = s.getColumn(3).getString();
  c.template_id = s.getColumn(4).getString();
  c.student_id = s.getColumn(5).getString();
  c.student_name = s.getColumn(6).getString();
  c.course = s.getColumn(7).getString();
  c.kind = s.getColumn(8).getString();
  c.requested_by = s.getColumn(9).getString();
  c.notes = s.getColumn(10).getString();
  c.payload = s.getColumn(11).getString();
  c.signature = s.getColumn(12).getString();
  c.pdf_path = s.getColumn(13).getString();
  c.issued_at = s.getColumn(14).getInt64();
  c.expires_at = optional_int(s.getColumn(15));
  c.batch_id = optional_int(s.getColumn(16));
  c.claim_token = s.getColumn(17).getString();
  CERTD_ASSIGN_OR_RETURN(row.status, parse_certificate_status(s.getColumn(18).getString()));
  row.revoked_at = optional_int(s.getColumn(19));
  row.revoke_reason = s.getColumn(20).getString();
  c.teacher = s.getColumn(21).getString();
  c.grade = s.getColumn(22).getString();
  c.skills = read_string_array(db, s.getColumn(23).getString());
  if (!s.getColumn(24).isNull()) {
    CERTD_ASSIGN_OR_RETURN(row.revoke_category, parse_revocation_category(s.getColumn(24).getString()));
  }
  c.title = s.getColumn(25).getString();
  return row;
}

constexpr const char* k_event_columns =
    "id, source, source_event_id, kind, payload, received_at, status, error, attempts, next_attempt_at";

constexpr const char* k_batch_row_columns =
    "id, batch_id, line, student, name, course, expires_at, notes, status, error, coalesce(row_key, ''), "
    "coalesce(content_digest, ''), title";

std::vector<BatchItemRow> read_batch_rows(SQLite::Statement& s) {
  std::vector<BatchItemRow> rows;
  while (s.executeStep()) {
    BatchItemRow row;
    row.id = s.getColumn(0).getInt64();
    row.batch_id = s.getColumn(1).getInt64();
    row.item = NewBatchItem{s.getColumn(2).getInt(),    s.getColumn(3).getString(),  s.getColumn(4).getString(),
                            s.getColumn(5).getString(), optional_int(s.getColumn(6)), s.getColumn(7).getString(),
                            s.getColumn(10).getString(), s.getColumn(11).getString(), s.getColumn(12).getString()};
    row.status = s.getColumn(8).getString();
    row.error = s.getColumn(9).getString();
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<EventRow>> read_events(SQLite::Statement& s) {
  std::vector<EventRow> rows;
  while (s.executeStep()) {
    EventRow row;
    row.id = s.getColumn(0).getInt64();
    row.event = NewEvent{s.getColumn(1).getString(), s.getColumn(2).getString(), s.getColumn(3).getString(),
                         s.getColumn(4).getString(), s.getColumn(5).getInt64()};
    CERTD_ASSIGN_OR_RETURN(row.status, parse_event_status(s.getColumn(6).getString()));
    row.error = s.getColumn(7).getString();
    row.attempts = s.getColumn(8).getInt();
    row.next_attempt_at = optional_int(s.getColumn(9));
    rows.push_back(std::move(row));
  }
  return rows;
}

constexpr const char* k_outbox_columns =
    "id, certificate_id, kind, dedupe_key, payload, status, attempts, next_attempt_at, last_error";

Result<OutboxRow> read_outbox(SQLite::Statement& s) {
  OutboxRow row;
  row.id = s.getColumn(0).getInt64();
  row.certificate_id = optional_int(s.getColumn(1));
  row.item.kind = s.getColumn(2).getString();
  row.item.dedupe_key = s.getColumn(3).getString();
  row.item.payload = s.getColumn(4).getString();
  CERTD_ASSIGN_OR_RETURN(row.status, parse_outbox_status(s.getColumn(5).getString()));
  row.attempts = s.getColumn(6).getInt();
  row.next_attempt_at = s.getColumn(7).getInt64();
  row.last_error = s.getColumn(8).getString();
  return row;
}

constexpr const char* k_batch_columns =
    "id, file_name, template_id, created_by, total, created_at, done, failed, status, finished_at";

BatchRow read_batch(SQLite::Statement& s) {
  BatchRow row;
  row.id = s.getColumn(0).getInt64();
  row.batch = NewBatch{s.getColumn(1).getString(), s.getColumn(2).getString(), s.getColumn(3).getString(),
                       s.getColumn(4).getInt64(), s.getColumn(5).getInt64()};
  row.done = s.getColumn(6).getInt64();
  row.failed = s.getColumn(7).getInt64();
  row.status = s.getColumn(8).getString();
  row.finished_at = optional_int(s.getColumn(9));
  return row;
}

constexpr const char* k_session_columns =
    "token_hash, kind, user_key, display_name, role, courses, identity, csrf_token, created_at, last_seen_at, "
    "idle_expires_at, expires_at";

Result<SessionRow> read_session(SQLite::Database& db, SQLite::Statement& s) {
  SessionRow row;
  row.token_hash = s.getColumn(0).getString();
  CERTD_ASSIGN_OR_RETURN(row.kind, parse_session_kind(s.getColumn(1).getString()));
  row.user_key = s.getColumn(2).getString();
  row.display_name = s.getColumn(3).getString();
  CERTD_ASSIGN_OR_RETURN(row.role, parse_role(s.getColumn(4).getString()));
  row.courses = read_string_array(db, s.getColumn(5).getString());
  row.identity = s.getColumn(6).getString();
  row.csrf_token = s.getColumn(7).getString();
  row.created_at = s.getColumn(8).getInt64();
  row.last_seen_at = s.getColumn(9).getInt64();
  row.idle_expires_at = s.getColumn(10).getInt64();
  row.expires_at = s.getColumn(11).getInt64();
  return row;
}

constexpr const char* k_local_user_columns =
    "name, role, courses, password_hash, created_at, disabled, failed_logins, locked_until";

Result<LocalUserRow> read_local_user(SQLite::Database& db, SQLite::Statement& s) {
  LocalUserRow row;
  row.user.name = s.getColumn(0).getString();
  CERTD_ASSIGN_OR_RETURN(row.user.role, parse_role(s.getColumn(1).getString()));
  row.user.courses = read_string_array(db, s.getColumn(2).getString());
  row.user.password_hash = s.getColumn(3).getString();
  row.user.created_at = s.getColumn(4).getInt64();
  row.disabled = s.getColumn(5).getInt() != 0;
  row.failed_logins = s.getColumn(6).getInt();
  row.locked_until = s.getColumn(7).getInt64();
  return row;
}

constexpr const char* k_api_token_columns = "id, user_name, token_hash, label, created_at, last_used_at, revoked_at";

ApiTokenRow read_api_token(SQLite::Statement& s) {
  ApiTokenRow row;
  row.id = s.getColumn(0).getInt64();
  row.token = NewApiToken{s.getColumn(1).getString(), s.getColumn(2).getString(), s.getColumn(3).getString(),
                          s.getColumn(4).getInt64()};
  row.last_used_at = optional_int(s.getColumn(5));
  row.revoked_at = optional_int(s.getColumn(6));
  return row;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SQLite::Database db) : m_db(std::move(db)) {}
  ~SqliteStore() override {
    // Closing a lock's file lets go of it.
    if (m_poller_lock_fd >= 0) ::close(m_poller_lock_fd);
    if (m_worker_lock_fd >= 0) ::close(m_worker_lock_fd);
  }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<Inserted> record_event(const NewEvent& e) override {
    return guarded([&]() -> Result<Inserted> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement insert(m_db,
                               "INSERT INTO events (source, source_event_id, kind, payload, received_at) "
                               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, source_event_id) DO NOTHING");
      insert.bind(1, e.source);
      insert.bind(2, e.source_event_id);
      insert.bind(3, e.kind);
      insert.bind(4, e.payload);
      insert.bind(5, static_cast<std::int64_t>(e.received_at));
      bool created = insert.exec() == 1;
      SQLite::Statement find(m_db, "SELECT id FROM events WHERE source = ? AND source_event_id = ?");
      find.bind(1, e.source);
      find.bind(2, e.source_event_id);
      find.executeStep();
      Inserted result{find.getColumn(0).getInt64(), created};
      tx.commit();
      return result;
    });
  }

  Result<std::vector<EventRow>> events_with_status(EventStatus status, int limit) override {
    return guarded([&]() -> Result<std::vector<EventRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_event_columns +
                                    " FROM events WHERE status = ? ORDER BY id LIMIT ?");
      s.bind(1, to_string(status));
      s.bind(2, limit);
      return read_events(s);
    });
  }

  // A processed event needs no next attempt; a failed one set here (a
  // teacher's action) is not retried by itself either.
  Status set_event_status(Id id, EventStatus status, const std::string& error) override {
    return update("UPDATE events SET status = ?, error = ?, next_attempt_at = NULL, claimed_by = NULL, "
                  "lease_until = NULL WHERE id = ?",
                  std::string(to_string(status)), error, id);
  }

  Result<std::vector<EventRow>> claim_events(std::int64_t now, std::int64_t lease_until, int limit,
                                             const std::string& worker) override {
    return guarded([&]() -> Result<std::vector<EventRow>> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement fresh(m_db, std::string("SELECT ") + k_event_columns +
                                        " FROM events WHERE status = 'new' AND (lease_until IS NULL OR lease_until <= ?) "
                                        "ORDER BY id LIMIT ?");
      fresh.bind(1, static_cast<std::int64_t>(now));
      fresh.bind(2, limit);
      CERTD_ASSIGN_OR_RETURN(std::vector<EventRow> rows, read_events(fresh));
      if (static_cast<int>(rows.size()) < limit) {
        SQLite::Statement due(m_db, std::string("SELECT ") + k_event_columns +
                                        " FROM events WHERE status = 'failed' AND attempts > 0 AND next_attempt_at <= ? "
                                        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id LIMIT ?");
        due.bind(1, static_cast<std::int64_t>(now));
        due.bind(2, static_cast<std::int64_t>(now));
        due.bind(3, limit - static_cast<int>(rows.size()));
        CERTD_ASSIGN_OR_RETURN(std::vector<EventRow> retried, read_events(due));
        for (EventRow& row : retried) rows.push_back(std::move(row));
      }
      std::vector<Id> ids;
      for (const EventRow& row : rows) ids.push_back(row.id);
      lease("events", ids, lease_until, worker);
      tx.commit();
      return rows;
    });
  }

  Status fail_event(Id id, const std::string& error, std::optional<std::int64_t> retry_at) override {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db, "UPDATE events SET status = 'failed', error = ?, attempts = attempts + 1, "
                                "next_attempt_at = ?, claimed_by = NULL, lease_until = NULL WHERE id = ?");
      s.bind(1, error);
      bind_optional(s, 2, retry_at);
      s.bind(3, static_cast<std::int64_t>(id));
      if (s.exec() == 0) return Error(ErrorCode::not_found, "no event " + std::to_string(id));
      return ok();
    });
  }

  Result<std::vector<EventRow>> due_failed_events(std::int64_t now, int limit) override {
    return guarded([&]() -> Result<std::vector<EventRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_event_columns +
                                    " FROM events WHERE status = 'failed' AND attempts > 0 AND "
                                    "next_attempt_at <= ? ORDER BY id LIMIT ?");
      s.bind(1, static_cast<std::int64_t>(now));
      s.bind(2, limit);
      return read_events(s);
    });
  }

  Result<std::int64_t> make_failed_events_due(const std::vector<Id>& ids, std::int64_t now) override {
    return guarded([&]() -> Result<std::int64_t> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      std::int64_t changed = 0;
      if (ids.empty()) {
        SQLite::Statement all(m_db, "UPDATE events SET next_attempt_at = ? WHERE status = 'failed' AND attempts > 0");
        all.bind(1, static_cast<std::int64_t>(now));
        changed = all.exec();
      }
      for (Id id : ids) {
        SQLite::Statement one(m_db, "UPDATE events SET next_attempt_at = ? "
                                    "WHERE id = ? AND status = 'failed' AND attempts > 0");
        one.bind(1, static_cast<std::int64_t>(now));
        one.bind(2, static_cast<std::int64_t>(id));
        if (one.exec() == 0)
          return Error(ErrorCode::not_found, "event " + std::to_string(id) + " is not a failed event that can be retried");
        ++changed;
      }
      tx.commit();
      return changed;
    });
  }

  Result<std::int64_t> count_events(EventStatus status) override {
    return guarded([&]() -> Result<std::int64_t> {
      SQLite::Statement s(m_db, "SELECT count(*) FROM events WHERE status = ?");
      s.bind(1, to_string(status));
      s.executeStep();
      return s.getColumn(0).getInt64();
    });
  }

  Result<std::vector<EventRow>> recent_events(std::optional<EventStatus> status, int limit) override {
    return guarded([&]() -> Result<std::vector<EventRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_event_columns +
                                    " FROM events WHERE (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?");
      if (status) {
        s.bind(1, to_string(*status));
        s.bind(2, to_string(*status));
      } else {
        s.bind(1);
        s.bind(2);
      }
      s.bind(3, limit);
      return read_events(s);
    });
  }

  Result<Inserted> insert_certificate(const NewCertificate& c, const std::vector<NewOutboxItem>& outbox) override {
    return guarded([&]() -> Result<Inserted> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement existing(m_db, "SELECT id FROM certificates WHERE idempotency_key = ?");
      existing.bind(1, c.idempotency_key);
      if (existing.executeStep()) return Inserted{existing.getColumn(0).getInt64(), false};
      Id id = insert_certificate_row(c);
      for (const NewOutboxItem& item : outbox) insert_outbox_row(item, id, c.issued_at);
      tx.commit();
      return Inserted{id, true};
    });
  }

  Result<std::vector<Inserted>> insert_certificates(const std::vector<CertificateWithOutbox>& group) override {
    return guarded([&]() -> Result<std::vector<Inserted>> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      std::vector<Inserted> results;
      results.reserve(group.size());
      SQLite::Statement existing(m_db, "SELECT id FROM certificates WHERE idempotency_key = ?");
      for (const CertificateWithOutbox& entry : group) {
        existing.bind(1, entry.certificate.idempotency_key);
        if (existing.executeStep()) {
          results.push_back(Inserted{existing.getColumn(0).getInt64(), false});
          existing.reset();
          continue;
        }
        existing.reset();
        Id id = insert_certificate_row(entry.certificate);
        for (const NewOutboxItem& item : entry.outbox) insert_outbox_row(item, id, entry.certificate.issued_at);
        results.push_back(Inserted{id, true});
      }
      tx.commit();
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
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db,
                          "UPDATE certificates SET status = 'revoked', revoked_at = ?, revoke_reason = ?, "
                          "revoke_category = ? WHERE number = ? AND status = 'issued'");
      s.bind(1, static_cast<std::int64_t>(at));
      s.bind(2, reason);
      s.bind(3, to_string(category));
      s.bind(4, number);
      if (s.exec() == 1) return ok();
      auto found = certificate_by_number(number);
      if (!found) return found.error();
      if (!*found) return Error(ErrorCode::not_found, "no certificate " + number);
      return Error(ErrorCode::conflict, "certificate " + number + " is already revoked");
    });
  }

  Result<std::vector<CertificateRow>> certificates_for_student(const std::string& student_id) override {
    return certificates_where_all("student_id", student_id);
  }

  Result<std::vector<CertificateRow>> certificates_by_claim_token(const std::string& claim_token) override {
    return certificates_where_all("claim_token", claim_token);
  }

  Result<Inserted> add_notification(const NewNotification& n) override {
    return guarded([&]() -> Result<Inserted> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement insert(m_db,
                               "INSERT INTO notifications (certificate_id, recipient, role, outbox_id) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (certificate_id, recipient) DO NOTHING");
      insert.bind(1, static_cast<std::int64_t>(n.certificate_id));
      insert.bind(2, n.recipient);
      insert.bind(3, n.role);
      bind_optional(insert, 4, n.outbox_id);
      bool created = insert.exec() == 1;
      SQLite::Statement find(m_db, "SELECT id FROM notifications WHERE certificate_id = ? AND recipient = ?");
      find.bind(1, static_cast<std::int64_t>(n.certificate_id));
      find.bind(2, n.recipient);
      find.executeStep();
      Inserted result{find.getColumn(0).getInt64(), created};
      tx.commit();
      return result;
    });
  }

  Status set_notification_status(Id id, const std::string& status, const std::string& server_reply,
                                 std::optional<std::int64_t> sent_at) override {
    return update("UPDATE notifications SET status = ?, server_reply = ?, sent_at = ? WHERE id = ?", status,
                  server_reply, sent_at, id);
  }

  Result<std::vector<NotificationRow>> notifications(std::optional<Id> certificate_id,
                                                    std::optional<Id> batch_id) override {
    return guarded([&]() -> Result<std::vector<NotificationRow>> {
      SQLite::Statement s(m_db,
                          "SELECT n.id, n.certificate_id, c.number, c.batch_id, n.recipient, n.role, n.status, "
                          "n.server_reply, n.resend_count, n.sent_at, n.claimed_at FROM notifications n "
                          "JOIN certificates c ON c.id = n.certificate_id "
                          "WHERE (?1 IS NULL OR n.certificate_id = ?1) AND (?2 IS NULL OR c.batch_id = ?2) "
                          "ORDER BY n.id");
      bind_optional(s, 1, certificate_id);
      bind_optional(s, 2, batch_id);
      std::vector<NotificationRow> rows;
      while (s.executeStep()) {
        NotificationRow row;
        row.id = s.getColumn(0).getInt64();
        row.certificate_id = s.getColumn(1).getInt64();
        row.number = s.getColumn(2).getString();
        row.batch_id = optional_int(s.getColumn(3));
        row.recipient = s.getColumn(4).getString();
        row.role = s.getColumn(5).getString();
        row.status = s.getColumn(6).getString();
        row.server_reply = s.getColumn(7).getString();
        row.resend_count = s.getColumn(8).getInt();
        row.sent_at = optional_int(s.getColumn(9));
        row.claimed_at = optional_int(s.getColumn(10));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Status count_resend(Id notification_id, int limit) override {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db, "UPDATE notifications SET resend_count = resend_count + 1 "
                                "WHERE id = ? AND resend_count < ?");
      s.bind(1, static_cast<std::int64_t>(notification_id));
      s.bind(2, limit);
      if (s.exec() == 1) return ok();
      return Error(ErrorCode::conflict, "already resent " + std::to_string(limit) + " times");
    });
  }

  Result<std::vector<CertificateRow>> recent_certificates(int limit) override {
    return guarded([&]() -> Result<std::vector<CertificateRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_certificate_columns +
                                    " FROM certificates ORDER BY issued_at DESC, id DESC LIMIT ?");
      s.bind(1, limit);
      std::vector<CertificateRow> rows;
      while (s.executeStep()) {
        CERTD_ASSIGN_OR_RETURN(CertificateRow row, read_certificate(m_db, s));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Result<std::vector<VerificationRow>> recent_verifications(int limit) override {
    return guarded([&]() -> Result<std::vector<VerificationRow>> {
      SQLite::Statement s(m_db, "SELECT id, number, result, via, at FROM verifications ORDER BY id DESC LIMIT ?");
      s.bind(1, limit);
      std::vector<VerificationRow> rows;
      while (s.executeStep())
        rows.push_back(VerificationRow{s.getColumn(0).getInt64(), s.getColumn(1).getString(),
                                       s.getColumn(2).getString(), s.getColumn(3).getString(),
                                       s.getColumn(4).getInt64()});
      return rows;
    });
  }

  Status mark_claimed(const std::string& claim_token, std::int64_t at) override {
    return update("UPDATE notifications SET status = 'claimed', claimed_at = ? WHERE status = 'sent' AND "
                  "certificate_id IN (SELECT id FROM certificates WHERE claim_token = ?)",
                  at, claim_token);
  }

  Result<std::int64_t> count_certificates_issued(std::int64_t from, std::int64_t to) override {
    return guarded([&]() -> Result<std::int64_t> {
      SQLite::Statement s(m_db, "SELECT count(*) FROM certificates WHERE issued_at >= ? AND issued_at < ?");
      s.bind(1, static_cast<std::int64_t>(from));
      s.bind(2, static_cast<std::int64_t>(to));
      s.executeStep();
      return s.getColumn(0).getInt64();
    });
  }

  Result<Inserted> add_pending(const NewPending& p) override {
    return guarded([&]() -> Result<Inserted> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement insert(m_db,
                               "INSERT INTO pending (idempotency_key, rule_id, student_id, student_name, course, "
                               "reason, facts, created_at, waits_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (idempotency_key) DO NOTHING");
      insert.bind(1, p.idempotency_key);
      insert.bind(2, p.rule_id);
      insert.bind(3, p.student_id);
      insert.bind(4, p.student_name);
      insert.bind(5, p.course);
      insert.bind(6, p.reason);
      insert.bind(7, p.facts);
      insert.bind(8, static_cast<std::int64_t>(p.created_at));
      insert.bind(9, to_string(p.waits_for));
      bool created = insert.exec() == 1;
      SQLite::Statement find(m_db, "SELECT id FROM pending WHERE idempotency_key = ?");
      find.bind(1, p.idempotency_key);
      find.executeStep();
      Inserted result{find.getColumn(0).getInt64(), created};
      tx.commit();
      return result;
    });
  }

  Result<std::vector<PendingRow>> pending_with_status(PendingStatus status) override {
    return guarded([&]() -> Result<std::vector<PendingRow>> {
      SQLite::Statement s(m_db,
                          "SELECT id, idempotency_key, rule_id, student_id, student_name, course, reason, facts, "
                          "created_at, status, notes, decided_by, decided_at, waits_for FROM pending WHERE status = ? "
                          "ORDER BY id");
      s.bind(1, to_string(status));
      std::vector<PendingRow> rows;
      while (s.executeStep()) {
        PendingRow row;
        row.id = s.getColumn(0).getInt64();
        row.pending = NewPending{s.getColumn(1).getString(), s.getColumn(2).getString(), s.getColumn(3).getString(),
                                 s.getColumn(4).getString(), s.getColumn(5).getString(), s.getColumn(6).getString(),
                                 s.getColumn(7).getString(), s.getColumn(8).getInt64()};
        CERTD_ASSIGN_OR_RETURN(row.pending.waits_for, parse_pending_wait(s.getColumn(13).getString()));
        CERTD_ASSIGN_OR_RETURN(row.status, parse_pending_status(s.getColumn(9).getString()));
        row.notes = s.getColumn(10).getString();
        row.decided_by = s.getColumn(11).getString();
        row.decided_at = optional_int(s.getColumn(12));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Status decide_pending(Id id, PendingStatus status, const std::string& notes, const std::string& decided_by,
                        std::int64_t at) override {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db,
                          "UPDATE pending SET status = ?, notes = ?, decided_by = ?, decided_at = ? "
                          "WHERE id = ? AND status != 'approved'");
      s.bind(1, to_string(status));
      s.bind(2, notes);
      s.bind(3, decided_by);
      s.bind(4, static_cast<std::int64_t>(at));
      s.bind(5, static_cast<std::int64_t>(id));
      if (s.exec() == 1) return ok();
      return Error(ErrorCode::not_found, "no open pending entry " + std::to_string(id));
    });
  }

  Result<Inserted> enqueue(const NewOutboxItem& item, std::optional<Id> certificate_id, std::int64_t now) override {
    return guarded([&]() -> Result<Inserted> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement find(m_db, "SELECT id FROM outbox WHERE dedupe_key = ?");
      find.bind(1, item.dedupe_key);
      if (find.executeStep()) return Inserted{find.getColumn(0).getInt64(), false};
      Id id = insert_outbox_row(item, certificate_id, now);
      tx.commit();
      return Inserted{id, true};
    });
  }

  Result<std::vector<OutboxRow>> claim_due(std::int64_t now, std::int64_t lease_until, int limit,
                                           const std::string& worker) override {
    return guarded([&]() -> Result<std::vector<OutboxRow>> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement s(m_db, std::string("SELECT ") + k_outbox_columns +
                                    " FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? "
                                    "ORDER BY next_attempt_at, id LIMIT ?");
      s.bind(1, static_cast<std::int64_t>(now));
      s.bind(2, limit);
      std::vector<OutboxRow> rows;
      while (s.executeStep()) {
        CERTD_ASSIGN_OR_RETURN(OutboxRow row, read_outbox(s));
        rows.push_back(std::move(row));
      }
      SQLite::Statement lease(m_db, "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, "
                                    "updated_at = ?, claimed_by = ? WHERE id = ?");
      for (OutboxRow& row : rows) {
        lease.bind(1, static_cast<std::int64_t>(lease_until));
        lease.bind(2, static_cast<std::int64_t>(now));
        lease.bind(3, worker);
        lease.bind(4, static_cast<std::int64_t>(row.id));
        lease.exec();
        lease.reset();
        row.attempts += 1;
      }
      tx.commit();
      return rows;
    });
  }

  Status complete_outbox(Id id, std::int64_t now) override {
    return update("UPDATE outbox SET status = 'done', last_error = '', claimed_by = NULL, updated_at = ? WHERE id = ?",
                  now, id);
  }

  Result<std::int64_t> release_claims(std::int64_t now, const std::string& worker) override {
    return guarded([&]() -> Result<std::int64_t> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement outbox(m_db, "UPDATE outbox SET next_attempt_at = ?, claimed_by = NULL "
                                     "WHERE status = 'queued' AND claimed_by = ?");
      outbox.bind(1, static_cast<std::int64_t>(now));
      outbox.bind(2, worker);
      std::int64_t released = outbox.exec();
      // Table names are literals of this line, never input.
      for (const char* table : {"events", "batch_rows"}) {
        SQLite::Statement s(m_db, std::string("UPDATE ") + table +
                                      " SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?");
        s.bind(1, worker);
        released += s.exec();
      }
      tx.commit();
      return released;
    });
  }

  // SQLite's store lives on one machine: the poller's lock is an advisory
  // file lock beside the database, which the kernel lets go of when the
  // process ends however it ends.
  Result<bool> hold_poller_lock() override {
    if (m_poller_lock_fd >= 0) return true;
    return file_lock("-poller.lock", m_poller_lock_fd);
  }

  // The same kind of lock, one file per name (a worker's name is letters,
  // digits, '-', '_' and '.': config::is_worker_name).
  Result<bool> hold_worker_lock(const std::string& worker) override {
    if (m_worker_lock_fd >= 0) return true;
    if (worker.find('/') != std::string::npos || worker.find("..") != std::string::npos)
      return Error(ErrorCode::invalid_argument, "not a worker name: " + worker);
    return file_lock("-worker-" + worker + ".lock", m_worker_lock_fd);
  }

  Status release_poller_lock() override {
    if (m_poller_lock_fd >= 0) ::close(m_poller_lock_fd);  // closing the file lets go of its lock
    m_poller_lock_fd = -1;
    return ok();
  }

  Status fail_outbox(Id id, const std::string& error, std::optional<std::int64_t> retry_at,
                     std::int64_t now) override {
    if (retry_at)
      return update("UPDATE outbox SET last_error = ?, next_attempt_at = ?, claimed_by = NULL, updated_at = ? "
                    "WHERE id = ?",
                    error, *retry_at, now, id);
    return update("UPDATE outbox SET status = 'failed', last_error = ?, claimed_by = NULL, updated_at = ? WHERE id = ?",
                  error, now, id);
  }

  Result<std::vector<OutboxRow>> outbox_with_status(OutboxStatus status) override {
    return guarded([&]() -> Result<std::vector<OutboxRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_outbox_columns + " FROM outbox WHERE status = ? ORDER BY id");
      s.bind(1, to_string(status));
      std::vector<OutboxRow> rows;
      while (s.executeStep()) {
        CERTD_ASSIGN_OR_RETURN(OutboxRow row, read_outbox(s));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Result<PendingCounts> count_pending() override {
    return guarded([&]() -> Result<PendingCounts> {
      SQLite::Statement s(m_db, "SELECT status, waits_for, count(*) FROM pending "
                                "WHERE status IN ('pending', 'held') GROUP BY status, waits_for");
      PendingCounts counts;
      while (s.executeStep()) {
        CERTD_ASSIGN_OR_RETURN(PendingStatus status, parse_pending_status(s.getColumn(0).getString()));
        CERTD_ASSIGN_OR_RETURN(PendingWait wait, parse_pending_wait(s.getColumn(1).getString()));
        std::int64_t count = s.getColumn(2).getInt64();
        if (status == PendingStatus::held) counts.held += count;
        else if (wait == PendingWait::quota) counts.quota += count;
        else counts.approval += count;
      }
      return counts;
    });
  }

  Result<OutboxCounts> count_outbox() override {
    return guarded([&]() -> Result<OutboxCounts> {
      SQLite::Statement s(m_db, "SELECT "
                                "count(CASE WHEN status = 'queued' AND attempts = 0 THEN 1 END), "
                                "count(CASE WHEN status = 'queued' AND attempts > 0 THEN 1 END), "
                                "count(CASE WHEN status = 'failed' THEN 1 END) FROM outbox");
      s.executeStep();
      return OutboxCounts{s.getColumn(0).getInt64(), s.getColumn(1).getInt64(), s.getColumn(2).getInt64()};
    });
  }

  Result<StoreFigures> figures() override {
    return guarded([&]() -> Result<StoreFigures> {
      // One read transaction: the three groups are of one moment.
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::DEFERRED);
      auto grouped = [&](const char* sql, int columns) {
        std::vector<GroupCount> groups;
        SQLite::Statement s(m_db, sql);
        while (s.executeStep()) {
          GroupCount group;
          for (int i = 0; i < columns; ++i) group.values.push_back(s.getColumn(i).getString());
          group.count = s.getColumn(columns).getInt64();
          groups.push_back(std::move(group));
        }
        return groups;
      };
      StoreFigures figures;
      figures.certificates =
          grouped("SELECT rule_id, kind, count(*) FROM certificates GROUP BY rule_id, kind ORDER BY 1, 2", 2);
      figures.events = grouped("SELECT status, count(*) FROM events GROUP BY status ORDER BY 1", 1);
      figures.outbox = grouped("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status ORDER BY 1, 2", 2);
      tx.commit();
      return figures;
    });
  }

  Result<Id> create_batch(const NewBatch& b, const std::vector<NewBatchItem>& items) override {
    return guarded([&]() -> Result<Id> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement s(m_db,
                          "INSERT INTO batches (file_name, template_id, created_by, total, created_at) "
                          "VALUES (?, ?, ?, ?, ?)");
      s.bind(1, b.file_name);
      s.bind(2, b.template_id);
      s.bind(3, b.created_by);
      s.bind(4, static_cast<std::int64_t>(b.total));
      s.bind(5, static_cast<std::int64_t>(b.created_at));
      s.exec();
      Id id = static_cast<Id>(m_db.getLastInsertRowid());
      SQLite::Statement row(m_db,
                            "INSERT INTO batch_rows (batch_id, line, student, name, course, expires_at, notes, "
                            "row_key, content_digest, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const NewBatchItem& item : items) {
        row.bind(1, static_cast<std::int64_t>(id));
        row.bind(2, item.line);
        row.bind(3, item.student);
        row.bind(4, item.name);
        row.bind(5, item.course);
        bind_optional(row, 6, item.expires_at);
        row.bind(7, item.notes);
        bind_text_or_null(row, 8, item.key);
        bind_text_or_null(row, 9, item.digest);
        row.bind(10, item.title);
        row.exec();
        row.reset();
      }
      tx.commit();
      return id;
    });
  }

  Result<std::vector<BatchRow>> batches() override {
    return guarded([&]() -> Result<std::vector<BatchRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_batch_columns + " FROM batches ORDER BY id");
      std::vector<BatchRow> rows;
      while (s.executeStep()) rows.push_back(read_batch(s));
      return rows;
    });
  }

  Result<std::vector<BatchItemRow>> batch_items(Id batch_id, const std::string& status, int limit) override {
    return guarded([&]() -> Result<std::vector<BatchItemRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_batch_row_columns +
                                    " FROM batch_rows WHERE batch_id = ? AND status = ? ORDER BY id LIMIT ?");
      s.bind(1, static_cast<std::int64_t>(batch_id));
      s.bind(2, status);
      s.bind(3, limit);
      return read_batch_rows(s);
    });
  }

  Result<std::vector<BatchItemRow>> claim_batch_items(Id batch_id, std::int64_t now, std::int64_t lease_until,
                                                      int limit, const std::string& worker) override {
    return guarded([&]() -> Result<std::vector<BatchItemRow>> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement s(m_db, std::string("SELECT ") + k_batch_row_columns +
                                    " FROM batch_rows WHERE batch_id = ? AND status = 'queued' AND "
                                    "(lease_until IS NULL OR lease_until <= ?) ORDER BY id LIMIT ?");
      s.bind(1, static_cast<std::int64_t>(batch_id));
      s.bind(2, static_cast<std::int64_t>(now));
      s.bind(3, limit);
      std::vector<BatchItemRow> rows = read_batch_rows(s);
      std::vector<Id> ids;
      for (const BatchItemRow& row : rows) ids.push_back(row.id);
      lease("batch_rows", ids, lease_until, worker);
      tx.commit();
      return rows;
    });
  }

  Result<std::vector<BatchDigestMatch>> batch_items_by_digest(const std::vector<std::string>& digests) override {
    return guarded([&]() -> Result<std::vector<BatchDigestMatch>> {
      // One indexed look-up per digest in one read transaction: a file of
      // 100,000 rows is a fraction of a second, and sees one snapshot.
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::DEFERRED);
      SQLite::Statement s(m_db,
                          "SELECT r.content_digest, r.batch_id, b.status, r.id, r.status FROM batch_rows r "
                          "JOIN batches b ON b.id = r.batch_id WHERE r.content_digest = ? ORDER BY r.id");
      std::vector<BatchDigestMatch> matches;
      for (const std::string& digest : digests) {
        s.bind(1, digest);
        while (s.executeStep())
          matches.push_back({s.getColumn(0).getString(), s.getColumn(1).getInt64(), s.getColumn(2).getString(),
                             s.getColumn(3).getInt64(), s.getColumn(4).getString()});
        s.reset();
      }
      tx.commit();
      return matches;
    });
  }

  Result<BatchProgress> batch_progress(Id batch_id) override {
    return guarded([&]() -> Result<BatchProgress> {
      SQLite::Statement s(m_db, "SELECT status, count(*) FROM batch_rows WHERE batch_id = ? GROUP BY status");
      s.bind(1, static_cast<std::int64_t>(batch_id));
      BatchProgress progress;
      while (s.executeStep()) {
        std::string status = s.getColumn(0).getString();
        std::int64_t count = s.getColumn(1).getInt64();
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
    return update("UPDATE batch_rows SET status = ?, error = ?, certificate_id = ?, claimed_by = NULL, "
                  "lease_until = NULL WHERE id = ?",
                  status, error, certificate_id, item_id);
  }

  Status set_batch_items(const std::vector<BatchItemOutcome>& outcomes) override {
    return guarded([&]() -> Status {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement s(m_db, "UPDATE batch_rows SET status = ?, error = ?, certificate_id = ?, claimed_by = NULL, "
                                "lease_until = NULL WHERE id = ?");
      for (const BatchItemOutcome& o : outcomes) {
        s.bind(1, o.status);
        s.bind(2, o.error);
        bind_optional(s, 3, o.certificate_id);
        s.bind(4, static_cast<std::int64_t>(o.item_id));
        s.exec();
        s.reset();
      }
      tx.commit();
      return ok();
    });
  }

  Result<std::int64_t> cancel_batch(Id id, const std::string& reason, std::int64_t at) override {
    return guarded([&]() -> Result<std::int64_t> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement batch(m_db, "UPDATE batches SET status = 'cancelled', finished_at = ? WHERE id = ?");
      batch.bind(1, static_cast<std::int64_t>(at));
      batch.bind(2, static_cast<std::int64_t>(id));
      if (batch.exec() != 1) return Error(ErrorCode::not_found, "no batch " + std::to_string(id));
      SQLite::Statement rows(m_db, "UPDATE batch_rows SET status = 'cancelled' WHERE batch_id = ? AND status = 'queued'");
      rows.bind(1, static_cast<std::int64_t>(id));
      rows.exec();
      SQLite::Statement revoke(m_db,
                               "UPDATE certificates SET status = 'revoked', revoked_at = ?, revoke_reason = ?, "
                               "revoke_category = 'withdrawn' WHERE batch_id = ? AND status = 'issued'");
      revoke.bind(1, static_cast<std::int64_t>(at));
      revoke.bind(2, reason);
      revoke.bind(3, static_cast<std::int64_t>(id));
      auto revoked = static_cast<std::int64_t>(revoke.exec());
      // Mail not yet sent for a revoked certificate is not sent at all.
      SQLite::Statement outbox(m_db,
                               "UPDATE outbox SET status = 'cancelled' WHERE status = 'queued' AND certificate_id IN "
                               "(SELECT id FROM certificates WHERE batch_id = ?)");
      outbox.bind(1, static_cast<std::int64_t>(id));
      outbox.exec();
      tx.commit();
      return revoked;
    });
  }

  Result<std::optional<BatchRow>> batch(Id id) override {
    return guarded([&]() -> Result<std::optional<BatchRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_batch_columns + " FROM batches WHERE id = ?");
      s.bind(1, static_cast<std::int64_t>(id));
      if (!s.executeStep()) return std::optional<BatchRow>();
      return std::optional<BatchRow>(read_batch(s));
    });
  }

  Status update_batch(Id id, std::int64_t done, std::int64_t failed, const std::string& status,
                      std::optional<std::int64_t> finished_at) override {
    return guarded([&]() -> Status {
      // Only a running batch moves on: a cancel made meanwhile stays.
      SQLite::Statement s(m_db, "UPDATE batches SET done = ?, failed = ?, status = ?, finished_at = ? "
                                "WHERE id = ? AND status = 'running'");
      s.bind(1, static_cast<std::int64_t>(done));
      s.bind(2, static_cast<std::int64_t>(failed));
      s.bind(3, status);
      bind_optional(s, 4, finished_at);
      s.bind(5, static_cast<std::int64_t>(id));
      if (s.exec() == 1) return ok();
      auto found = batch(id);
      if (!found) return found.error();
      if (!*found) return Error(ErrorCode::not_found, "no batch " + std::to_string(id));
      return ok();
    });
  }

  Status record_verification(const NewVerification& v) override {
    return update("INSERT INTO verifications (number, result, via, at) VALUES (?, ?, ?, ?)", v.number, v.result,
                  v.via, v.at);
  }

  Status append_audit(const NewAuditEntry& a) override {
    return update("INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)", a.at,
                  a.actor, a.action, a.subject, a.details);
  }

  Result<std::optional<std::string>> get_state(const std::string& key) override {
    return guarded([&]() -> Result<std::optional<std::string>> {
      SQLite::Statement s(m_db, "SELECT value FROM state WHERE key = ?");
      s.bind(1, key);
      if (!s.executeStep()) return std::optional<std::string>();
      return std::optional<std::string>(s.getColumn(0).getString());
    });
  }

  Status set_state(const std::string& key, const std::string& value) override {
    return update("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  key, value);
  }

  Result<std::vector<AuditRow>> recent_audit(int limit) override {
    return guarded([&]() -> Result<std::vector<AuditRow>> {
      SQLite::Statement s(m_db, "SELECT id, actor, action, subject, details, at FROM audit_log "
                                "ORDER BY id DESC LIMIT ?");
      s.bind(1, limit);
      std::vector<AuditRow> rows;
      while (s.executeStep())
        rows.push_back(AuditRow{s.getColumn(0).getInt64(),
                                NewAuditEntry{s.getColumn(1).getString(), s.getColumn(2).getString(),
                                              s.getColumn(3).getString(), s.getColumn(4).getString(),
                                              s.getColumn(5).getInt64()}});
      return rows;
    });
  }

  Status put_lti_state(const NewLtiState& l, std::int64_t now, std::int64_t max_live) override {
    return guarded([&]() -> Status {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement purge(m_db, "DELETE FROM lti_states WHERE expires_at <= ?");
      purge.bind(1, static_cast<std::int64_t>(now));
      purge.exec();
      SQLite::Statement count(m_db, "SELECT count(*) FROM lti_states");
      count.executeStep();
      if (count.getColumn(0).getInt64() >= max_live) {
        // The purge is kept: it is right whatever happens to this login.
        count.reset();
        tx.commit();
        return Error(ErrorCode::unavailable,
                     "too many LTI logins in flight (" + std::to_string(max_live) + "); try again later");
      }
      SQLite::Statement insert(m_db,
                               "INSERT INTO lti_states (state, nonce, issuer, client_id, target_link_uri, created_at, "
                               "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
      insert.bind(1, l.state);
      insert.bind(2, l.nonce);
      insert.bind(3, l.issuer);
      insert.bind(4, l.client_id);
      insert.bind(5, l.target_link_uri);
      insert.bind(6, static_cast<std::int64_t>(l.created_at));
      insert.bind(7, static_cast<std::int64_t>(l.expires_at));
      insert.exec();
      tx.commit();
      return ok();
    });
  }

  Result<std::optional<LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) override {
    return guarded([&]() -> Result<std::optional<LtiStateRow>> {
      // One statement reads and deletes (SQLite >= 3.35; Debian 12 has
      // 3.40), so of two connections taking the same state only one gets
      // a row. An expired state is deleted as well: it is used up either
      // way.
      SQLite::Statement s(m_db, "DELETE FROM lti_states WHERE state = ? "
                                "RETURNING nonce, issuer, client_id, target_link_uri, created_at, expires_at");
      s.bind(1, state);
      if (!s.executeStep()) return std::optional<LtiStateRow>();
      LtiStateRow row{state,
                      s.getColumn(0).getString(),
                      s.getColumn(1).getString(),
                      s.getColumn(2).getString(),
                      s.getColumn(3).getString(),
                      s.getColumn(4).getInt64(),
                      s.getColumn(5).getInt64()};
      // Stepping to the end commits here, where a failure is still reported.
      s.executeStep();
      if (row.expires_at <= now) return std::optional<LtiStateRow>();
      return std::optional<LtiStateRow>(std::move(row));
    });
  }

  Status create_session(const NewSession& n) override {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db,
                          "INSERT INTO sessions (token_hash, kind, user_key, display_name, role, identity, csrf_token, "
                          "created_at, last_seen_at, idle_expires_at, expires_at, courses) VALUES (?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, " +
                              json_array_sql(n.courses.size()) + ")");
      s.bind(1, n.token_hash);
      s.bind(2, to_string(n.kind));
      s.bind(3, n.user_key);
      s.bind(4, n.display_name);
      s.bind(5, to_string(n.role));
      s.bind(6, n.identity);
      s.bind(7, n.csrf_token);
      s.bind(8, static_cast<std::int64_t>(n.created_at));
      s.bind(9, static_cast<std::int64_t>(n.last_seen_at));
      s.bind(10, static_cast<std::int64_t>(n.idle_expires_at));
      s.bind(11, static_cast<std::int64_t>(n.expires_at));
      bind_names(s, 11, n.courses);
      s.exec();
      return ok();
    });
  }

  Result<std::optional<SessionRow>> session_by_hash(const std::string& token_hash, std::int64_t now) override {
    return guarded([&]() -> Result<std::optional<SessionRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_session_columns +
                                    " FROM sessions WHERE token_hash = ?1 AND idle_expires_at > ?2 AND expires_at > ?2");
      s.bind(1, token_hash);
      s.bind(2, static_cast<std::int64_t>(now));
      if (!s.executeStep()) return std::optional<SessionRow>();
      CERTD_ASSIGN_OR_RETURN(SessionRow row, read_session(m_db, s));
      return std::optional<SessionRow>(std::move(row));
    });
  }

  Status touch_session(const std::string& token_hash, std::int64_t now, std::int64_t idle_expires_at) override {
    // An expired session stays expired: touching it must not revive it.
    return update_one("no live session", "UPDATE sessions SET last_seen_at = ?1, idle_expires_at = ?2 "
                                         "WHERE token_hash = ?3 AND idle_expires_at > ?1 AND expires_at > ?1",
                      now, idle_expires_at, token_hash);
  }

  Status delete_session(const std::string& token_hash) override {
    return update("DELETE FROM sessions WHERE token_hash = ?", token_hash);
  }

  Result<std::int64_t> purge_sessions(std::int64_t now) override {
    return guarded([&]() -> Result<std::int64_t> {
      SQLite::Statement s(m_db, "DELETE FROM sessions WHERE idle_expires_at <= ?1 OR expires_at <= ?1");
      s.bind(1, static_cast<std::int64_t>(now));
      return static_cast<std::int64_t>(s.exec());
    });
  }

  Result<Inserted> add_local_user(const NewLocalUser& u) override {
    // The CHECK constraint would refuse it too, but as a conflict.
    if (u.role == Role::student)
      return Error(ErrorCode::invalid_argument, "a local account is an admin or a teacher, not a student");
    return guarded([&]() -> Result<Inserted> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement insert(m_db, "INSERT INTO local_users (name, role, password_hash, created_at, courses) "
                                     "VALUES (?, ?, ?, ?, " +
                                         json_array_sql(u.courses.size()) + ") ON CONFLICT (name) DO NOTHING");
      insert.bind(1, u.name);
      insert.bind(2, to_string(u.role));
      insert.bind(3, u.password_hash);
      insert.bind(4, static_cast<std::int64_t>(u.created_at));
      bind_names(insert, 4, u.courses);
      bool created = insert.exec() == 1;
      SQLite::Statement find(m_db, "SELECT rowid FROM local_users WHERE name = ?");
      find.bind(1, u.name);
      find.executeStep();
      Inserted result{find.getColumn(0).getInt64(), created};
      tx.commit();
      return result;
    });
  }

  Result<std::optional<LocalUserRow>> local_user(const std::string& name) override {
    return guarded([&]() -> Result<std::optional<LocalUserRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_local_user_columns + " FROM local_users WHERE name = ?");
      s.bind(1, name);
      if (!s.executeStep()) return std::optional<LocalUserRow>();
      CERTD_ASSIGN_OR_RETURN(LocalUserRow row, read_local_user(m_db, s));
      return std::optional<LocalUserRow>(std::move(row));
    });
  }

  Result<std::vector<LocalUserRow>> local_users() override {
    return guarded([&]() -> Result<std::vector<LocalUserRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_local_user_columns + " FROM local_users ORDER BY name");
      std::vector<LocalUserRow> rows;
      while (s.executeStep()) {
        CERTD_ASSIGN_OR_RETURN(LocalUserRow row, read_local_user(m_db, s));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  Status set_local_user_password(const std::string& name, const std::string& password_hash) override {
    return update_one("no local user " + name, "UPDATE local_users SET password_hash = ? WHERE name = ?",
                      password_hash, name);
  }

  Status set_local_user_disabled(const std::string& name, bool disabled) override {
    return update_one("no local user " + name, "UPDATE local_users SET disabled = ? WHERE name = ?",
                      std::int64_t{disabled ? 1 : 0}, name);
  }

  Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                              std::int64_t lock_seconds) override {
    // One statement counts and locks, so two failed logins at once from
    // two processes cannot both miss the limit. The right-hand sides read
    // the row as it was before this update.
    return update_one("no local user " + name,
                      "UPDATE local_users SET "
                      "failed_logins = CASE WHEN failed_logins + 1 >= ?1 THEN 0 ELSE failed_logins + 1 END, "
                      "locked_until = CASE WHEN failed_logins + 1 >= ?1 THEN ?2 ELSE locked_until END "
                      "WHERE name = ?3",
                      std::int64_t{max_failures}, now + lock_seconds, name);
  }

  Status record_login_success(const std::string& name) override {
    return update_one("no local user " + name, "UPDATE local_users SET failed_logins = 0 WHERE name = ?", name);
  }

  Result<Id> add_api_token(const NewApiToken& t) override {
    return guarded([&]() -> Result<Id> {
      SQLite::Transaction tx(m_db, SQLite::TransactionBehavior::IMMEDIATE);
      // Checked here so an unknown user is not_found, not the foreign
      // key's constraint error (a conflict).
      SQLite::Statement user(m_db, "SELECT 1 FROM local_users WHERE name = ?");
      user.bind(1, t.user_name);
      if (!user.executeStep()) return Error(ErrorCode::not_found, "no local user " + t.user_name);
      SQLite::Statement insert(m_db, "INSERT INTO api_tokens (user_name, token_hash, label, created_at) "
                                     "VALUES (?, ?, ?, ?)");
      insert.bind(1, t.user_name);
      insert.bind(2, t.token_hash);
      insert.bind(3, t.label);
      insert.bind(4, static_cast<std::int64_t>(t.created_at));
      insert.exec();
      auto id = static_cast<Id>(m_db.getLastInsertRowid());
      tx.commit();
      return id;
    });
  }

  Result<std::optional<ApiTokenRow>> api_token_by_hash(const std::string& token_hash) override {
    return guarded([&]() -> Result<std::optional<ApiTokenRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_api_token_columns + " FROM api_tokens WHERE token_hash = ?");
      s.bind(1, token_hash);
      if (!s.executeStep()) return std::optional<ApiTokenRow>();
      return std::optional<ApiTokenRow>(read_api_token(s));
    });
  }

  Status touch_api_token(Id id, std::int64_t now) override {
    return update_one("no API token " + std::to_string(id), "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                      now, id);
  }

  Status revoke_api_token(Id id, std::int64_t now) override {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
      s.bind(1, static_cast<std::int64_t>(now));
      s.bind(2, static_cast<std::int64_t>(id));
      if (s.exec() == 1) return ok();
      SQLite::Statement find(m_db, "SELECT 1 FROM api_tokens WHERE id = ?");
      find.bind(1, static_cast<std::int64_t>(id));
      if (!find.executeStep()) return Error(ErrorCode::not_found, "no API token " + std::to_string(id));
      return Error(ErrorCode::conflict, "API token " + std::to_string(id) + " is already revoked");
    });
  }

  Result<std::vector<ApiTokenRow>> api_tokens(const std::string& user_name) override {
    return guarded([&]() -> Result<std::vector<ApiTokenRow>> {
      SQLite::Statement s(m_db, std::string("SELECT ") + k_api_token_columns +
                                    " FROM api_tokens WHERE ?1 = '' OR user_name = ?1 ORDER BY id");
      s.bind(1, user_name);
      std::vector<ApiTokenRow> rows;
      while (s.executeStep()) rows.push_back(read_api_token(s));
      return rows;
    });
  }

 private:
  // One parameterized statement that changes rows; arguments bind in order.
  template <typename... Args>
  Status update(const char* sql, const Args&... args) {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db, sql);
      int index = 0;
      (bind_value(s, ++index, args), ...);
      s.exec();
      return ok();
    });
  }

  // The same for a statement that must change a row: not_found, saying
  // `missing`, when it changes none.
  template <typename... Args>
  Status update_one(const std::string& missing, const char* sql, const Args&... args) {
    return guarded([&]() -> Status {
      SQLite::Statement s(m_db, sql);
      int index = 0;
      (bind_value(s, ++index, args), ...);
      if (s.exec() == 0) return Error(ErrorCode::not_found, missing);
      return ok();
    });
  }

  static void bind_value(SQLite::Statement& s, int index, const std::string& value) { s.bind(index, value); }
  static void bind_value(SQLite::Statement& s, int index, std::int64_t value) {
    s.bind(index, static_cast<std::int64_t>(value));
  }
  static void bind_value(SQLite::Statement& s, int index, const std::optional<std::int64_t>& value) {
    bind_optional(s, index, value);
  }

  Id insert_certificate_row(const NewCertificate& c) {
    SQLite::Statement s(m_db,
                        "INSERT INTO certificates (number, idempotency_key, rule_id, template_id, student_id, "
                        "student_name, course, kind, requested_by, notes, payload, signature, pdf_path, issued_at, "
                        "expires_at, batch_id, claim_token, teacher, grade, title, skills) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " +
                            json_array_sql(c.skills.size()) + ")");
    const std::string* texts[] = {&c.number, &c.idempotency_key, &c.rule_id, &c.template_id, &c.student_id,
                                  &c.student_name, &c.course, &c.kind, &c.requested_by, &c.notes,
                                  &c.payload, &c.signature, &c.pdf_path};
    int index = 0;
    for (const std::string* text : texts) s.bind(++index, *text);
    s.bind(14, static_cast<std::int64_t>(c.issued_at));
    bind_optional(s, 15, c.expires_at);
    bind_optional(s, 16, c.batch_id);
    s.bind(17, c.claim_token);
    s.bind(18, c.teacher);
    s.bind(19, c.grade);
    s.bind(20, c.title);
    bind_names(s, 20, c.skills);
    s.exec();
    return static_cast<Id>(m_db.getLastInsertRowid());
  }

  Id insert_outbox_row(const NewOutboxItem& item, std::optional<Id> certificate_id, std::int64_t now) {
    SQLite::Statement s(m_db,
                        "INSERT INTO outbox (kind, dedupe_key, payload, certificate_id, next_attempt_at, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, item.kind);
    s.bind(2, item.dedupe_key);
    s.bind(3, item.payload);
    bind_optional(s, 4, certificate_id);
    for (int i = 5; i <= 7; ++i) s.bind(i, static_cast<std::int64_t>(now));
    s.exec();
    return static_cast<Id>(m_db.getLastInsertRowid());
  }

  Result<std::optional<CertificateRow>> certificate_where(const char* column, const std::string& value) {
    return guarded([&]() -> Result<std::optional<CertificateRow>> {
      // `column` is one of two literals above, never input.
      SQLite::Statement s(m_db, std::string("SELECT ") + k_certificate_columns + " FROM certificates WHERE " +
                                    column + " = ?");
      s.bind(1, value);
      if (!s.executeStep()) return std::optional<CertificateRow>();
      CERTD_ASSIGN_OR_RETURN(CertificateRow row, read_certificate(m_db, s));
      return std::optional<CertificateRow>(std::move(row));
    });
  }

  Result<std::vector<CertificateRow>> certificates_where_all(const char* column, const std::string& value) {
    return guarded([&]() -> Result<std::vector<CertificateRow>> {
      // `column` is a literal of this file, never input.
      SQLite::Statement s(m_db, std::string("SELECT ") + k_certificate_columns + " FROM certificates WHERE " + column +
                                    " = ? ORDER BY issued_at, id");
      s.bind(1, value);
      std::vector<CertificateRow> rows;
      while (s.executeStep()) {
        CERTD_ASSIGN_OR_RETURN(CertificateRow row, read_certificate(m_db, s));
        rows.push_back(std::move(row));
      }
      return rows;
    });
  }

  // An advisory lock on the file beside the database named by `suffix`,
  // kept open in `fd` while held; the kernel lets go of it when the
  // process ends however it ends. An in-memory database has no other user.
  Result<bool> file_lock(const std::string& suffix, int& fd) {
    const std::string path = m_db.getFilename();
    if (path.empty() || path == ":memory:") return true;
    const std::string lock_path = path + suffix;
    int opened = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (opened < 0) return Error(ErrorCode::unavailable, "cannot open " + lock_path + ": " + std::strerror(errno));
    if (::flock(opened, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(opened);
      if (error == EWOULDBLOCK) return false;
      return Error(ErrorCode::unavailable, "cannot lock " + lock_path + ": " + std::strerror(error));
    }
    fd = opened;
    return true;
  }

  // Leases the rows `ids` of `table` (a literal of this file) to `worker`;
  // inside the caller's transaction.
  void lease(const char* table, const std::vector<Id>& ids, std::int64_t lease_until, const std::string& worker) {
    SQLite::Statement s(m_db, std::string("UPDATE ") + table + " SET claimed_by = ?, lease_until = ? WHERE id = ?");
    for (Id id : ids) {
      s.bind(1, worker);
      s.bind(2, static_cast<std::int64_t>(lease_until));
      s.bind(3, static_cast<std::int64_t>(id));
      s.exec();
      s.reset();
    }
  }

  SQLite::Database m_db;  // used by one thread at a time (see store.hpp)
  int m_poller_lock_fd = -1;  // held from hold_poller_lock until the store closes
  int m_worker_lock_fd = -1;  // held from hold_worker_lock until the store closes
};

// Switching a new database to WAL needs an exclusive lock, and SQLite
// answers SQLITE_BUSY at once instead of calling the busy handler, so two
// processes opening a fresh file together need a bounded retry here.
Status enable_wal(SQLite::Database& db, int busy_timeout_ms) {
  for (int waited = 0;; waited += 10) {
    try {
      std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
      if (mode == "wal" || mode == "memory") return ok();
      return Error(ErrorCode::unavailable, "database refused WAL mode (" + mode + ")");
    } catch (const SQLite::Exception& e) {
      if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || waited >= busy_timeout_ms) return error_from(e);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

int current_schema_version() { return static_cast<int>(migration_steps().size()); }

// The defaults for stores that wrap another (tests): counted from the rows.
Result<PendingCounts> Store::count_pending() {
  PendingCounts counts;
  CERTD_ASSIGN_OR_RETURN(std::vector<PendingRow> open, pending_with_status(PendingStatus::pending));
  for (const PendingRow& row : open) ++(row.pending.waits_for == PendingWait::quota ? counts.quota : counts.approval);
  CERTD_ASSIGN_OR_RETURN(std::vector<PendingRow> held, pending_with_status(PendingStatus::held));
  counts.held = static_cast<std::int64_t>(held.size());
  return counts;
}

Result<OutboxCounts> Store::count_outbox() {
  OutboxCounts counts;
  CERTD_ASSIGN_OR_RETURN(std::vector<OutboxRow> queued, outbox_with_status(OutboxStatus::queued));
  for (const OutboxRow& row : queued) ++(row.attempts > 0 ? counts.retrying : counts.queued);
  CERTD_ASSIGN_OR_RETURN(std::vector<OutboxRow> failed, outbox_with_status(OutboxStatus::failed));
  counts.failed = static_cast<std::int64_t>(failed.size());
  return counts;
}

namespace {

// The database holds claim tokens and students' e-mail addresses: it is
// created 0600 whatever the umask, and a file an older certd left readable
// by others is made private. SQLite gives its -wal and -shm files the
// database file's mode. Only a file that did not exist is ever opened
// here: closing a descriptor of a database this process already has open
// would drop that connection's POSIX locks (a documented SQLite hazard),
// so existing files are changed by path.
Status make_private(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return ok();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    int changed = ::fchmod(fd, 0600);  // the umask may have taken bits away, never added
    ::close(fd);
    if (changed != 0) return Error(ErrorCode::permission_denied, "cannot make " + path + " private");
    return ok();
  }
  if (errno != EEXIST) return Error(ErrorCode::unavailable, "cannot create " + path + ": " + std::strerror(errno));
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0 || (info.st_mode & 0077) == 0) continue;
    if (::chmod(file.c_str(), info.st_mode & 0700) != 0)
      return Error(ErrorCode::permission_denied, "cannot make " + file + " private: " + std::strerror(errno));
  }
  return ok();
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, SqliteOptions options) {
  CERTD_TRY(make_private(path));
  return guarded([&]() -> Result<std::unique_ptr<Store>> {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                        options.busy_timeout_ms);
    CERTD_TRY(enable_wal(db, options.busy_timeout_ms));
    // NORMAL is durable against process crashes in WAL mode; a power cut
    // can lose the last commits, never corrupt the file.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    CERTD_TRY(migrate(db, current_schema_version()));
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(db)));
  });
}

}  // namespace certd::store
