#pragma once
// An e-mail as certd sends it: one recipient per message, so each family
// member's delivery has its own status.

#include <string>
#include <vector>

#include "core/clock.hpp"

namespace certd::notify {

struct Attachment {
  std::string file_name;     // e.g. certificate-SWL3-7K4M-9QXA.pdf
  std::string content_type;  // e.g. application/pdf
  std::string bytes;
};

struct Message {
  std::string from;  // "Riverside Swim <certs@example.edu>"
  std::string to;    // one address, optionally with a display name
  std::string subject;
  std::string text_body;
  std::string html_body;  // optional
  std::vector<Attachment> attachments;
  std::string message_id;  // stable per (certificate, recipient): "<id@host>"
  TimePoint date;
};

// What the receiving server said when it took the message.
struct Delivery {
  std::string server_reply;  // e.g. "250 2.0.0 Ok: queued as 80fd2040fb74"
};

}  // namespace certd::notify
