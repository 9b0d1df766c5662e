#include "app/store_adapters.hpp"

namespace certd::app {

Result<std::unique_ptr<StorePortalBackend>> StorePortalBackend::open(const std::string& store_path,
                                                                      const std::string& data_dir,
                                                                      std::function<void()> on_event) {
  CERTD_ASSIGN_OR_RETURN(auto store, store::open_sqlite_store(store_path));
  return std::unique_ptr<StorePortalBackend>(new StorePortalBackend(std::move(store), data_dir, std::move(on_event)));
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
