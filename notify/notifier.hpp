#pragma once
// Where e-mails go: a real SMTP server, or the outbox folder of .eml files
// (the embedded default). Both are driven by the daemon's outbox worker,
// which retries `unavailable` errors with back-off and records the rest.

#include <memory>
#include <string>

#include "core/duration.hpp"
#include "core/result.hpp"
#include "notify/message.hpp"

namespace certd::notify {

// Thread-safety: one instance per worker thread.
class Notifier {
 public:
  virtual ~Notifier() = default;
  // Errors: unavailable (connection, timeout, 4xx: try again later);
  // invalid_argument or permission_denied (5xx rejection, bad message:
  // permanent, with the server's answer in the message).
  virtual Result<Delivery> send(const Message& message) = 0;
};

struct SmtpOptions {
  std::string url;  // smtp://host:587 (STARTTLS required unless loopback) or smtps://host:465
  std::string username;
  std::string password;
  std::string ca_file;
  Duration timeout{30};
};

std::unique_ptr<Notifier> make_smtp_notifier(SmtpOptions options);

// Writes <folder>/<message id>.eml atomically; sending the same message
// again rewrites the same file, so a retry never makes a second e-mail.
std::unique_ptr<Notifier> make_outbox_folder_notifier(std::string folder);

}  // namespace certd::notify
