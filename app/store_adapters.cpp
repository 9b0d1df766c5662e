#include "app/store_adapters.hpp"

#include <algorithm>

#include "app/poll_status.hpp"

namespace certd::app {

Result<std::unique_ptr<StorePortalBackend>> StorePortalBackend::open(const std::string& store_path,
                                                                      const std::string& data_dir,
                                                                      std::function<void()> on_event,
                                                                      std::int64_t poll_interval_s) {
  CERTD_ASSIGN_OR_RETURN(auto store, store::open_sqlite_store(store_path));
  return over(std::move(store), data_dir, std::move(on_event), poll_interval_s);
}

std::unique_ptr<StorePortalBackend> StorePortalBackend::over(std::unique_ptr<store::Store> store,
                                                             const std::string& data_dir,
                                                             std::function<void()> on_event,
                                                             std::int64_t poll_interval_s) {
  return std::unique_ptr<StorePortalBackend>(
      new StorePortalBackend(std::move(store), data_dir, std::move(on_event), poll_interval_s));
}

portal::Readiness StorePortalBackend::readiness(std::int64_t now) {
  std::lock_guard<std::mutex> lock(m_mutex);
  portal::Readiness readiness;
  Status written = m_store->set_state("health.readyz", std::to_string(now));
  readiness.checks.push_back(
      {"store", static_cast<bool>(written), written ? "takes writes" : "cannot write: " + written.error().message()});
  if (m_poll_interval_s <= 0) return readiness;

  portal::ReadinessCheck lms{"lms", false, ""};
  auto status = read_poll_status(*m_store);
  if (!status) {
    lms.detail = "cannot read the last poll: " + status.error().message();
  } else if (!*status) {
    lms.detail = "no poll has finished yet";
  } else {
    // The last good poll: the last cycle if it worked, else the newest
    // course read in full by an earlier one.
    const PollStatus& poll = **status;
    std::int64_t good = poll.ok() ? poll.last_cycle_at : 0;
    for (const CoursePollStatus& course : poll.courses)
      if (course.error.empty()) good = std::max(good, course.polled_at);
    const std::string failed = poll.ok() ? "" : "; the last poll failed: " + poll.error;
    if (good == 0) {
      lms.detail = "no poll has worked yet" + failed;
    } else {
      const std::int64_t age = now - good;
      lms.ok = age <= k_ready_polls * m_poll_interval_s;
      lms.detail = "the last poll that worked was " + std::to_string(age) + " s ago" +
                   (lms.ok ? "" : " (more than " + std::to_string(k_ready_polls) + " poll intervals)") + failed;
    }
  }
  readiness.checks.push_back(std::move(lms));
  return readiness;
}

Result<std::optional<store::CertificateRow>> StorePortalBackend::certificate(const std::string& number) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->certificate_by_number(number);
}

Result<std::vector<store::CertificateRow>> StorePortalBackend::certificates_for_claim(const std::string& token) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->certificates_by_claim_token(token);
}

Status StorePortalBackend::record_verification(const store::NewVerification& verification) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->record_verification(verification);
}

Status StorePortalBackend::mark_claimed(const std::string& claim_token, std::int64_t at) {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_store->mark_claimed(claim_token, at);
}

Result<store::Inserted> StorePortalBackend::record_event(const store::NewEvent& event) {
  Result<store::Inserted> recorded = [&] {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_store->record_event(event);
  }();
  if (recorded && recorded->created && m_on_event) m_on_event();
  return recorded;
}

Result<std::string> StorePortalBackend::pdf_bytes(const store::CertificateRow& certificate) {
  return m_archive.read(certificate.certificate.pdf_path);
}

}  // namespace certd::app
