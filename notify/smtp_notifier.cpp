// SMTP through libcurl (docs/libraries.md §6). The message bytes come from
// compose_mime and are streamed with a read callback, so the .eml outbox
// and the wire carry the same message.

#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "notify/mime.hpp"
#include "notify/notifier.hpp"

namespace certd::notify {
namespace {

struct Upload {
  std::string_view remaining;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, upload->remaining.size());
  std::memcpy(buffer, upload->remaining.data(), n);
  upload->remaining.remove_prefix(n);
  return n;
}

// For SMTP, libcurl hands the server's reply lines to the header callback;
// the last one holds the queue id ("250 2.0.0 Ok: queued as ...").
std::size_t keep_last_reply(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* reply = static_cast<std::string*>(user);
  std::string line(buffer, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (!line.empty()) *reply = line;
  return size * count;
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool is_loopback(const std::string& url) {
  return url.find("://127.") != std::string::npos || url.find("://localhost") != std::string::npos ||
         url.find("://[::1]") != std::string::npos;
}

class SmtpNotifier final : public Notifier {
 public:
  explicit SmtpNotifier(SmtpOptions options) : m_options(std::move(options)) {
    global_init_once();
    m_curl = curl_easy_init();
  }
  ~SmtpNotifier() override { curl_easy_cleanup(m_curl); }
  SmtpNotifier(const SmtpNotifier&) = delete;
  SmtpNotifier& operator=(const SmtpNotifier&) = delete;

  Result<Delivery> send(const Message& message) override {
    if (!m_curl) return Error(ErrorCode::internal, "curl_easy_init failed");
    CERTD_ASSIGN_OR_RETURN(std::string bytes, compose_mime(message));
    std::string from = "<" + address_of(message.from) + ">";
    std::string to = "<" + address_of(message.to) + ">";
    curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
    Upload upload{bytes};
    std::string reply;
    char error_text[CURL_ERROR_SIZE] = {0};
    configure(from, recipients, upload, reply, error_text);
    CURLcode code = curl_easy_perform(m_curl);
    long smtp_code = 0;
    curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &smtp_code);
    curl_slist_free_all(recipients);
    if (code == CURLE_OK) return Delivery{reply};
    return failure(code, smtp_code, error_text[0] ? error_text : curl_easy_strerror(code), reply);
  }

 private:
  void configure(const std::string& from, curl_slist* recipients, Upload& upload, std::string& reply,
                 char* error_text) {
    curl_easy_reset(m_curl);  // keeps the connection, so QUIT is sent only at destruction
    curl_easy_setopt(m_curl, CURLOPT_URL, m_options.url.c_str());
    // STARTTLS is required, except on loopback (a local relay or test sink).
    curl_easy_setopt(m_curl, CURLOPT_USE_SSL, is_loopback(m_options.url) ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    if (!m_options.ca_file.empty()) curl_easy_setopt(m_curl, CURLOPT_CAINFO, m_options.ca_file.c_str());
    if (!m_options.username.empty()) {
      curl_easy_setopt(m_curl, CURLOPT_USERNAME, m_options.username.c_str());
      curl_easy_setopt(m_curl, CURLOPT_PASSWORD, m_options.password.c_str());
    }
    curl_easy_setopt(m_curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(m_curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(m_curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(m_curl, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(m_curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(m_curl, CURLOPT_HEADERFUNCTION, keep_last_reply);
    curl_easy_setopt(m_curl, CURLOPT_HEADERDATA, &reply);
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(m_options.timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT, static_cast<long>(m_options.timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
  }

  // 4xx replies and network trouble are worth another try; 5xx replies
  // are the server's final word.
  static Error failure(CURLcode code, long smtp_code, const std::string& text, const std::string& reply) {
    std::string message = "SMTP: " + text + (reply.empty() ? "" : " (last reply: " + reply + ")");
    if (smtp_code >= 500) return Error(ErrorCode::invalid_argument, message + " [" + std::to_string(smtp_code) + "]");
    if (code == CURLE_LOGIN_DENIED) return Error(ErrorCode::permission_denied, message);
    return Error(ErrorCode::unavailable, message);
  }

  SmtpOptions m_options;
  CURL* m_curl = nullptr;
};

}  // namespace

std::unique_ptr<Notifier> make_smtp_notifier(SmtpOptions options) {
  return std::make_unique<SmtpNotifier>(std::move(options));
}

}  // namespace certd::notify
