#include "app/mail_resend.hpp"

#include <nlohmann/json.hpp>

#include <string>

#include "store/store.hpp"

namespace certd::app {

// Only what was sent and not claimed: a queued or failed e-mail is still
// the outbox's to retry, and a claimed one reached the family.
Result<MailResend> resend_mail(store::Store& store, std::optional<store::Id> certificate,
                               std::optional<store::Id> batch, std::int64_t now) {
  CERTD_ASSIGN_OR_RETURN(auto rows, store.notifications(certificate, batch));
  MailResend outcome;
  for (const store::NotificationRow& n : rows) {
    if (n.status != "sent" || !store.count_resend(n.id, k_max_resends)) {
      ++outcome.skipped;
      continue;
    }
    int round = n.resend_count + 1;
    nlohmann::json payload{{"number", n.number}, {"recipient", n.recipient}, {"role", n.role}, {"resend", round}};
    store::NewOutboxItem item{"email", "email:" + n.number + ":" + n.recipient + ":resend" + std::to_string(round),
                              payload.dump()};
    CERTD_TRY(store.enqueue(item, n.certificate_id, now));
    ++outcome.queued;
  }
  return outcome;
}

}  // namespace certd::app
