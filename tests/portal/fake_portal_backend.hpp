#pragma once
// An in-memory PortalBackend with switches to inject failures.

#include <map>
#include <mutex>

#include "portal/portal_backend.hpp"

namespace certd::portal {

class FakePortalBackend final : public PortalBackend {
 public:
  Result<std::optional<store::CertificateRow>> certificate(const std::string& number) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++lookups;
    if (fail_reads) return Error(ErrorCode::unavailable, "database busy");
    auto it = certificates.find(number);
    if (it == certificates.end()) return std::optional<store::CertificateRow>();
    return std::optional<store::CertificateRow>(it->second);
  }
  Result<std::vector<store::CertificateRow>> certificates_for_claim(const std::string& claim_token) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<store::CertificateRow> rows;
    for (const auto& [number, row] : certificates)
      if (row.certificate.claim_token == claim_token) rows.push_back(row);
    return rows;
  }
  Status record_verification(const store::NewVerification& v) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    verifications.push_back(v);
    return ok();
  }
  Status mark_claimed(const std::string& claim_token, std::int64_t) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    claimed.push_back(claim_token);
    return ok();
  }
  Result<store::Inserted> record_event(const store::NewEvent& event) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (fail_writes) return Error(ErrorCode::unavailable, "database busy");
    std::string key = event.source + "|" + event.source_event_id;
    auto [it, created] = events.emplace(key, event);
    return store::Inserted{static_cast<store::Id>(std::distance(events.begin(), it)) + 1, created};
  }
  Result<std::string> pdf_bytes(const store::CertificateRow& row) override {
    return "%PDF-fake " + row.certificate.number;
  }
  Readiness readiness(std::int64_t) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    return readiness_answer;
  }

  Readiness readiness_answer{{{"store", true, "writable"}}};
  std::map<std::string, store::CertificateRow> certificates;
  std::vector<store::NewVerification> verifications;
  int lookups = 0;  // calls to certificate()
  std::vector<std::string> claimed;
  std::map<std::string, store::NewEvent> events;
  bool fail_reads = false;
  bool fail_writes = false;

 private:
  std::mutex m_mutex;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::int64_t unix_seconds) : m_now(from_unix(unix_seconds)) {}
  TimePoint now() const override { return m_now; }
  void advance(std::int64_t seconds) { m_now += std::chrono::seconds(seconds); }

 private:
  TimePoint m_now;
};

}  // namespace certd::portal
