#pragma once
// What each outbox kind does when its turn comes: e-mails through a
// Notifier, write-backs through the LMS. Every handler is safe to run
// twice for the same row (client ids, existence checks, one .eml file per
// message id), because a crash can come between doing and recording.

#include <map>
#include <string>

#include "app/outbox_worker.hpp"

namespace certd::connector {
class Lms;
}
namespace certd::notify {
class Notifier;
}

namespace certd::app {

class PdfArchive;
struct School;

// `lms` may be null: LMS kinds then fail for good with a clear reason.
std::map<std::string, OutboxHandler> make_outbox_handlers(const School& school, store::Store& store,
                                                          const PdfArchive& archive, notify::Notifier& notifier,
                                                          connector::Lms* lms, const Clock& clock);

}  // namespace certd::app
