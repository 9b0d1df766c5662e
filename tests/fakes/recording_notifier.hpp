#pragma once
// A Notifier that keeps every message it is given (docs/style.md §8), with a
// switch to make sending fail as an SMTP server does. Thread-safe.

#include <atomic>
#include <mutex>
#include <vector>

#include "notify/notifier.hpp"

namespace certd::testing {

class RecordingNotifier final : public notify::Notifier {
 public:
  enum class Failure { none, unavailable, rejected };

  void fail(Failure failure) { m_failure = failure; }

  std::vector<notify::Message> sent() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_sent;
  }

  Result<notify::Delivery> send(const notify::Message& message) override {
    if (m_failure == Failure::unavailable) return Error(ErrorCode::unavailable, "421 4.3.2 try again later");
    if (m_failure == Failure::rejected) return Error(ErrorCode::invalid_argument, "550 5.1.1 no such mailbox");
    std::lock_guard<std::mutex> lock(m_mutex);
    m_sent.push_back(message);
    return notify::Delivery{"250 2.0.0 Ok: queued as " + std::to_string(m_sent.size())};
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<notify::Message> m_sent;  // Guarded by m_mutex.
  std::atomic<Failure> m_failure{Failure::none};
};

}  // namespace certd::testing
