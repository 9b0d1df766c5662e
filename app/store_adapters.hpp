#pragma once
// The small interfaces other modules define, implemented over the store:
// the poller's cursor (connector::CursorStore) and what the portal reads
// and writes (portal::PortalBackend).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "app/pdf_archive.hpp"
#include "connector/cursor_store.hpp"
#include "portal/portal_backend.hpp"
#include "store/store.hpp"

namespace certd::app {

// Not thread-safe beyond the Store it wraps (the poller's thread).
class StoreCursorStore final : public connector::CursorStore {
 public:
  explicit StoreCursorStore(store::Store& store) : m_store(store) {}
  Result<std::optional<std::string>> get(const std::string& key) override { return m_store.get_state(key); }
  Status set(const std::string& key, const std::string& value) override { return m_store.set_state(key, value); }

 private:
  store::Store& m_store;
};

// Thread-safe: the HTTP pool's threads share one connection, one request
// at a time (portal requests are short; SQLite serialises writers anyway).
class StorePortalBackend final : public portal::PortalBackend {
 public:
  // `on_event` (may be empty) is called after a new event is committed,
  // to wake the processing thread.
  // `poll_interval_s` is the LMS's poll interval, for /readyz (0: no LMS,
  // nothing to check there).
  static Result<std::unique_ptr<StorePortalBackend>> open(const std::string& store_path, const std::string& data_dir,
                                                          std::function<void()> on_event = {},
                                                          std::int64_t poll_interval_s = 0);
  // The same over a store already open (any backend).
  static std::unique_ptr<StorePortalBackend> over(std::unique_ptr<store::Store> store, const std::string& data_dir,
                                                  std::function<void()> on_event = {},
                                                  std::int64_t poll_interval_s = 0);

  Result<std::optional<store::CertificateRow>> certificate(const std::string& number) override;
  Result<std::vector<store::CertificateRow>> certificates_for_claim(const std::string& claim_token) override;
  Status record_verification(const store::NewVerification& verification) override;
  Status mark_claimed(const std::string& claim_token, std::int64_t at) override;
  Result<store::Inserted> record_event(const store::NewEvent& event) override;
  Result<std::string> pdf_bytes(const store::CertificateRow& certificate) override;
  // store: a write to its state table; lms: a poll worked within the last
  // k_ready_polls intervals.
  portal::Readiness readiness(std::int64_t now) override;

 private:
  StorePortalBackend(std::unique_ptr<store::Store> store, std::string data_dir, std::function<void()> on_event,
                     std::int64_t poll_interval_s)
      : m_store(std::move(store)),
        m_archive(std::move(data_dir)),
        m_on_event(std::move(on_event)),
        m_poll_interval_s(poll_interval_s) {}

  std::mutex m_mutex;
  std::unique_ptr<store::Store> m_store;  // Guarded by m_mutex.
  PdfArchive m_archive;
  std::function<void()> m_on_event;
  std::int64_t m_poll_interval_s;
};

// A certd whose last good poll is older than this many poll intervals is
// not ready (one slow or failed poll is not enough to say so).
inline constexpr int k_ready_polls = 3;

}  // namespace certd::app
