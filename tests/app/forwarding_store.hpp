#pragma once
// A Store that passes every call to a real one (SQLite in the test's temp
// folder). Tests derive from it to step in at one call: a cancel landing
// while a group renders, a crash between two commits, the audit rows a
// handler appends. Not thread-safe, like the Store it wraps.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace certd::testing {

class ForwardingStore : public store::Store {
 public:
  using Id = store::Id;
  using Inserted = store::Inserted;
  explicit ForwardingStore(std::unique_ptr<store::Store> inner) : m_inner(std::move(inner)) {}

  store::Store& inner() { return *m_inner; }

  Result<Inserted> record_event(const store::NewEvent& event) override {
    return m_inner->record_event(event);
  }
  Result<std::vector<store::EventRow>> events_with_status(store::EventStatus status, int limit) override {
    return m_inner->events_with_status(status, limit);
  }
  Status set_event_status(Id id, store::EventStatus status, const std::string& error) override {
    return m_inner->set_event_status(id, status, error);
  }
  Status fail_event(Id id, const std::string& error, std::optional<std::int64_t> retry_at) override {
    return m_inner->fail_event(id, error, retry_at);
  }
  Result<std::vector<store::EventRow>> due_failed_events(std::int64_t now, int limit) override {
    return m_inner->due_failed_events(now, limit);
  }
  Result<std::int64_t> make_failed_events_due(const std::vector<Id>& ids, std::int64_t now) override {
    return m_inner->make_failed_events_due(ids, now);
  }
  Result<std::vector<store::EventRow>> recent_events(std::optional<store::EventStatus> status, int limit) override {
    return m_inner->recent_events(status, limit);
  }
  Result<std::int64_t> count_events(store::EventStatus status) override { return m_inner->count_events(status); }
  Result<Inserted> insert_certificate(const store::NewCertificate& certificate, const std::vector<store::NewOutboxItem>& outbox) override {
    return m_inner->insert_certificate(certificate, outbox);
  }
  Result<std::vector<Inserted>> insert_certificates(const std::vector<store::CertificateWithOutbox>& group) override {
    return m_inner->insert_certificates(group);
  }
  Result<std::optional<store::CertificateRow>> certificate_by_number(const std::string& number) override {
    return m_inner->certificate_by_number(number);
  }
  Result<std::optional<store::CertificateRow>> certificate_by_key(const std::string& idempotency_key) override {
    return m_inner->certificate_by_key(idempotency_key);
  }
  Status revoke_certificate(const std::string& number, store::RevocationCategory category, const std::string& reason,
                            std::int64_t at) override {
    return m_inner->revoke_certificate(number, category, reason, at);
  }
  Result<std::vector<store::CertificateRow>> certificates_for_student(const std::string& student_id) override {
    return m_inner->certificates_for_student(student_id);
  }
  Result<std::vector<store::CertificateRow>> certificates_by_claim_token(const std::string& claim_token) override {
    return m_inner->certificates_by_claim_token(claim_token);
  }
  Result<std::int64_t> count_certificates_issued(std::int64_t from, std::int64_t to) override {
    return m_inner->count_certificates_issued(from, to);
  }
  Result<Inserted> add_pending(const store::NewPending& pending) override {
    return m_inner->add_pending(pending);
  }
  Result<std::vector<store::PendingRow>> pending_with_status(store::PendingStatus status) override {
    return m_inner->pending_with_status(status);
  }
  Status decide_pending(Id id, store::PendingStatus status, const std::string& notes, const std::string& decided_by, std::int64_t at) override {
    return m_inner->decide_pending(id, status, notes, decided_by, at);
  }
  Result<Inserted> enqueue(const store::NewOutboxItem& item, std::optional<Id> certificate_id, std::int64_t now) override {
    return m_inner->enqueue(item, certificate_id, now);
  }
  Result<std::vector<store::OutboxRow>> claim_due(std::int64_t now, std::int64_t lease_until, int limit, const std::string& worker) override {
    return m_inner->claim_due(now, lease_until, limit, worker);
  }
  Result<std::int64_t> release_claims(std::int64_t now, const std::string& worker) override {
    return m_inner->release_claims(now, worker);
  }
  Status complete_outbox(Id id, std::int64_t now) override {
    return m_inner->complete_outbox(id, now);
  }
  Status fail_outbox(Id id, const std::string& error, std::optional<std::int64_t> retry_at, std::int64_t now) override {
    return m_inner->fail_outbox(id, error, retry_at, now);
  }
  Result<std::vector<store::OutboxRow>> outbox_with_status(store::OutboxStatus status) override {
    return m_inner->outbox_with_status(status);
  }
  Result<store::StoreFigures> figures() override { return m_inner->figures(); }
  Result<Id> create_batch(const store::NewBatch& batch, const std::vector<store::NewBatchItem>& items) override {
    return m_inner->create_batch(batch, items);
  }
  Result<std::vector<store::BatchRow>> batches() override {
    return m_inner->batches();
  }
  Result<std::vector<store::EventRow>> claim_events(std::int64_t now, std::int64_t lease_until, int limit,
                                                   const std::string& worker) override {
    return m_inner->claim_events(now, lease_until, limit, worker);
  }
  Result<std::vector<store::BatchItemRow>> claim_batch_items(Id batch_id, std::int64_t now, std::int64_t lease_until,
                                                             int limit, const std::string& worker) override {
    return m_inner->claim_batch_items(batch_id, now, lease_until, limit, worker);
  }
  Result<bool> hold_poller_lock() override { return m_inner->hold_poller_lock(); }
  Status release_poller_lock() override { return m_inner->release_poller_lock(); }
  Status set_batch_items(const std::vector<store::BatchItemOutcome>& outcomes) override {
    return m_inner->set_batch_items(outcomes);
  }
  Result<bool> hold_worker_lock(const std::string& worker) override { return m_inner->hold_worker_lock(worker); }
  Result<std::vector<store::BatchItemRow>> batch_items(Id batch_id, const std::string& status, int limit) override {
    return m_inner->batch_items(batch_id, status, limit);
  }
  Result<std::vector<store::BatchDigestMatch>> batch_items_by_digest(const std::vector<std::string>& digests) override {
    return m_inner->batch_items_by_digest(digests);
  }
  Result<store::BatchProgress> batch_progress(Id batch_id) override {
    return m_inner->batch_progress(batch_id);
  }
  Status set_batch_item(Id item_id, const std::string& status, const std::string& error, std::optional<Id> certificate_id) override {
    return m_inner->set_batch_item(item_id, status, error, certificate_id);
  }
  Result<std::int64_t> cancel_batch(Id id, const std::string& reason, std::int64_t at) override {
    return m_inner->cancel_batch(id, reason, at);
  }
  Result<std::optional<store::BatchRow>> batch(Id id) override {
    return m_inner->batch(id);
  }
  Status update_batch(Id id, std::int64_t done, std::int64_t failed, const std::string& status, std::optional<std::int64_t> finished_at) override {
    return m_inner->update_batch(id, done, failed, status, finished_at);
  }
  Result<Inserted> add_notification(const store::NewNotification& notification) override {
    return m_inner->add_notification(notification);
  }
  Status set_notification_status(Id id, const std::string& status, const std::string& server_reply, std::optional<std::int64_t> sent_at) override {
    return m_inner->set_notification_status(id, status, server_reply, sent_at);
  }
  Result<std::vector<store::NotificationRow>> notifications(std::optional<Id> certificate_id, std::optional<Id> batch_id) override {
    return m_inner->notifications(certificate_id, batch_id);
  }
  Status count_resend(Id notification_id, int limit) override {
    return m_inner->count_resend(notification_id, limit);
  }
  Status mark_claimed(const std::string& claim_token, std::int64_t at) override {
    return m_inner->mark_claimed(claim_token, at);
  }
  Status record_verification(const store::NewVerification& verification) override {
    return m_inner->record_verification(verification);
  }
  Status append_audit(const store::NewAuditEntry& entry) override {
    return m_inner->append_audit(entry);
  }
  Result<std::vector<store::CertificateRow>> recent_certificates(int limit) override {
    return m_inner->recent_certificates(limit);
  }
  Result<std::vector<store::VerificationRow>> recent_verifications(int limit) override {
    return m_inner->recent_verifications(limit);
  }
  Result<std::optional<std::string>> get_state(const std::string& key) override {
    return m_inner->get_state(key);
  }
  Status set_state(const std::string& key, const std::string& value) override {
    return m_inner->set_state(key, value);
  }
  Result<std::vector<store::AuditRow>> recent_audit(int limit) override { return m_inner->recent_audit(limit); }
  Status put_lti_state(const store::NewLtiState& state, std::int64_t now, std::int64_t max_live) override {
    return m_inner->put_lti_state(state, now, max_live);
  }
  Result<std::optional<store::LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) override {
    return m_inner->take_lti_state(state, now);
  }
  Status create_session(const store::NewSession& session) override { return m_inner->create_session(session); }
  Result<std::optional<store::SessionRow>> session_by_hash(const std::string& token_hash, std::int64_t now) override {
    return m_inner->session_by_hash(token_hash, now);
  }
  Status touch_session(const std::string& token_hash, std::int64_t now, std::int64_t idle_expires_at) override {
    return m_inner->touch_session(token_hash, now, idle_expires_at);
  }
  Status delete_session(const std::string& token_hash) override { return m_inner->delete_session(token_hash); }
  Result<std::int64_t> purge_sessions(std::int64_t now) override { return m_inner->purge_sessions(now); }
  Result<Inserted> add_local_user(const store::NewLocalUser& user) override { return m_inner->add_local_user(user); }
  Result<std::optional<store::LocalUserRow>> local_user(const std::string& name) override {
    return m_inner->local_user(name);
  }
  Result<std::vector<store::LocalUserRow>> local_users() override { return m_inner->local_users(); }
  Status set_local_user_password(const std::string& name, const std::string& password_hash) override {
    return m_inner->set_local_user_password(name, password_hash);
  }
  Status set_local_user_disabled(const std::string& name, bool disabled) override {
    return m_inner->set_local_user_disabled(name, disabled);
  }
  Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                              std::int64_t lock_seconds) override {
    return m_inner->record_login_failure(name, now, max_failures, lock_seconds);
  }
  Status record_login_success(const std::string& name) override { return m_inner->record_login_success(name); }
  Result<Id> add_api_token(const store::NewApiToken& token) override { return m_inner->add_api_token(token); }
  Result<std::optional<store::ApiTokenRow>> api_token_by_hash(const std::string& token_hash) override {
    return m_inner->api_token_by_hash(token_hash);
  }
  Status touch_api_token(Id id, std::int64_t now) override { return m_inner->touch_api_token(id, now); }
  Status revoke_api_token(Id id, std::int64_t now) override { return m_inner->revoke_api_token(id, now); }
  Result<std::vector<store::ApiTokenRow>> api_tokens(const std::string& user_name) override {
    return m_inner->api_tokens(user_name);
  }

 private:
  std::unique_ptr<store::Store> m_inner;
};

}  // namespace certd::testing
