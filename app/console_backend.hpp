#pragma once
// The teacher console's backend (console/console_backend.hpp) over the
// store and the same teacher actions the CLI runs (teacher_actions.hpp),
// with a store connection, an issuer and an LMS client of its own: the
// console's approvals run on the HTTP pool while the daemon's processor
// runs on its thread, as a CLI command beside a running daemon would.
// Thread-safe: one request at a time holds the backend (approvals are
// short; SQLite serialises writers anyway).

#include <memory>
#include <mutex>
#include <string>

#include "app/issuer.hpp"
#include "app/pdf_archive.hpp"
#include "console/console_backend.hpp"
#include "core/clock.hpp"

namespace certd::connector {
class Lms;
}
namespace certd::store {
class Store;
}

namespace certd::app {

struct School;
struct CheckedBatches;  // app/batch_backend.cpp

class StoreConsoleBackend final : public console::ConsoleBackend {
 public:
  // `lms` may be null (certificates are then issued from the queue's
  // snapshot alone, as `certd pending approve` does without an LMS).
  // `school` and `lms` must outlive the backend.
  static Result<std::unique_ptr<StoreConsoleBackend>> open(const School& school, connector::Lms* lms,
                                                           const Clock& clock, int render_threads = 1);
  ~StoreConsoleBackend() override;

  Status put_lti_state(const store::NewLtiState& state, std::int64_t now, std::int64_t max_live) override;
  Result<std::optional<store::LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) override;
  Status create_session(const store::NewSession& session) override;
  Result<std::optional<store::SessionRow>> session(const std::string& token_hash, std::int64_t now) override;
  Status touch_session(const std::string& token_hash, std::int64_t now, std::int64_t idle_expires_at) override;
  Status delete_session(const std::string& token_hash) override;
  Status audit(const store::NewAuditEntry& entry) override;

  Result<std::vector<console::QueueEntry>> queue(const std::string& course) override;
  Result<console::ApprovalOutcome> approve(const std::string& course, const std::vector<store::Id>& ids,
                                           const std::string& notes, const std::string& teacher) override;
  Status hold(const std::string& course, const std::vector<store::Id>& ids, const std::string& teacher) override;

  Result<std::vector<store::CertificateRow>> certificates_of(const std::string& student_id) override;
  Result<std::optional<store::CertificateRow>> certificate(const std::string& number) override;
  Result<std::string> pdf_bytes(const store::CertificateRow& certificate) override;

  Result<std::optional<store::LocalUserRow>> local_user(const std::string& name) override;
  bool password_matches(const std::string& password_hash, const std::string& password) override;
  Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                              std::int64_t lock_seconds) override;
  Status record_login_success(const std::string& name) override;
  Result<std::optional<store::ApiTokenRow>> api_token(const std::string& token_hash) override;
  Status touch_api_token(store::Id id, std::int64_t now) override;
  std::vector<std::string> rule_courses() override;

  // "Issue now" (app/issue_now_backend.cpp).
  Result<console::IssueNowChoices> issue_now_choices(const std::string& course) override;
  Result<console::IssueNowPreview> preview_issue_now(const std::string& course, const std::string& student_id,
                                                     const std::string& rule_id) override;
  Result<console::IssueNowDone> issue_now(const std::string& course, const std::string& student_id,
                                          const std::string& rule_id, const std::string& teacher) override;

  // Issued certificates of a course: app/console_backend_issued.cpp.
  Result<console::CertificateList> course_certificates(const std::string& course, const std::string& query,
                                                       std::size_t limit) override;
  Result<console::CertificateDetail> certificate_detail(const std::string& course, const std::string& number) override;
  Result<std::string> reissue(const std::string& course, const std::string& number,
                              const console::ConsoleActor& teacher) override;
  Status revoke(const std::string& course, const std::string& number, store::RevocationCategory category,
                const std::string& reason, const console::ConsoleActor& teacher) override;
  Result<console::ResendOutcome> resend(const std::string& course, const std::string& number,
                                        const console::ConsoleActor& teacher) override;

  // Ad-hoc awards of a course: app/award_backend.cpp.
  Result<std::vector<console::AwardTemplate>> award_templates() override;
  Result<std::string> award_preview_pdf(const std::string& course, const console::AwardRequest& request,
                                        const std::string& teacher) override;
  Result<console::AwardOutcome> award(const std::string& course, const console::AwardRequest& request,
                                      const std::string& teacher) override;

  // Reports of a course: app/report_backend.cpp.
  Result<console::CourseReport> course_report(const std::string& course, std::int64_t now) override;

  // /metrics: app/metrics_backend.cpp.
  Result<std::string> metrics_text(std::int64_t now) override;

  // CSV batches of a course: app/batch_backend.cpp.
  Result<std::vector<console::BatchTemplateChoice>> batch_templates() override;
  Result<std::vector<console::BatchSummary>> course_batches(const std::string& course) override;
  Result<console::BatchCheck> check_batch(const std::string& course, const console::BatchUpload& upload) override;
  Result<console::BatchStarted> start_batch(const std::string& course, const std::string& ticket,
                                            const std::string& owner, const console::ConsoleActor& teacher) override;
  Result<console::BatchDetail> course_batch(const std::string& course, store::Id id) override;
  Result<std::int64_t> cancel_batch(const std::string& course, store::Id id, const std::string& reason,
                                    const console::ConsoleActor& teacher) override;

 private:
  StoreConsoleBackend(const School& school, connector::Lms* lms, const Clock& clock);
  // The queue's rows of `course` among `ids`; the others are reported.
  Result<std::vector<store::PendingRow>> rows_of(const std::string& course, const std::vector<store::Id>& ids,
                                                 std::vector<std::string>& unknown);
  // The certificate `number` when it is of `course`; not_found otherwise.
  Result<store::CertificateRow> course_certificate(const std::string& course, const std::string& number);

  const School& m_school;
  connector::Lms* m_lms;
  const Clock& m_clock;
  std::mutex m_mutex;
  std::unique_ptr<store::Store> m_store;  // guarded by m_mutex, as is everything below
  std::unique_ptr<PdfArchive> m_archive;
  std::unique_ptr<Issuer> m_issuer;
  // Checked CSV files between the check and the start (batch_backend.cpp).
  // shared_ptr: made there, so this header and the destructor need not
  // see its type.
  std::shared_ptr<CheckedBatches> m_checked_batches;
};

}  // namespace certd::app
