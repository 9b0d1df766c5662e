#pragma once
// Resending certificate e-mails: `certd notify resend` and the console's
// "Resend e-mail" both queue them here, so both keep the same limit.

#include <cstdint>
#include <optional>

#include "core/result.hpp"
#include "store/records.hpp"

namespace certd::store {
class Store;
}

namespace certd::app {

inline constexpr int k_max_resends = 3;  // Turing Certs: three resends at most

struct MailResend {
  int queued = 0;   // e-mails queued to resend (the daemon sends them)
  int skipped = 0;  // not sent, already claimed, or resent k_max_resends times
};

// Queues again every e-mail of `certificate` (or of `batch`) that was sent
// and not claimed, at most k_max_resends times each.
Result<MailResend> resend_mail(store::Store& store, std::optional<store::Id> certificate,
                               std::optional<store::Id> batch, std::int64_t now);

}  // namespace certd::app
