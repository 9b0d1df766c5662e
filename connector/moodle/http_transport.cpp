// The one translation unit of certd_connector that includes cpprestsdk
// (compiling it takes ~10 s; docs/libraries.md §2).
#include "connector/moodle/http_transport.hpp"

#include <cpprest/http_client.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.hpp"

namespace certd::connector::moodle {
namespace {

namespace http = web::http;

// At most `limit` holders at once; the others wait in line.
class Semaphore {
 public:
  explicit Semaphore(int limit) : m_free(limit < 1 ? 1 : limit) {}
  void acquire() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_free > 0; });
    --m_free;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      ++m_free;
    }
    m_changed.notify_one();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  int m_free;  // Guarded by m_mutex.
};

class SemaphoreHold {
 public:
  explicit SemaphoreHold(Semaphore& semaphore) : m_semaphore(semaphore) { m_semaphore.acquire(); }
  ~SemaphoreHold() { m_semaphore.release(); }
  SemaphoreHold(const SemaphoreHold&) = delete;
  SemaphoreHold& operator=(const SemaphoreHold&) = delete;

 private:
  Semaphore& m_semaphore;
};

// Token bucket: `rate` requests per second on average, bursts of up to
// one second's worth. Waiting here is the limit itself, not a sync hack.
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : m_rate(rate), m_tokens(rate < 1 ? 1 : rate) {}
  void acquire() {
    if (m_rate <= 0) return;
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
      refill();
      if (m_tokens >= 1) {
        m_tokens -= 1;
        return;
      }
      auto wait = std::chrono::duration<double>((1 - m_tokens) / m_rate);
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::microseconds>(wait));
      lock.lock();
    }
  }

 private:
  void refill() {
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - m_last).count();
    m_last = now;
    double burst = m_rate < 1 ? 1 : m_rate;
    m_tokens = std::min(burst, m_tokens + elapsed * m_rate);
  }

  std::mutex m_mutex;
  double m_rate;
  double m_tokens;  // Guarded by m_mutex.
  std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();  // Guarded by m_mutex.
};

std::chrono::seconds parse_retry_after(const http::http_headers& headers) {
  auto it = headers.find("Retry-After");
  if (it == headers.end()) return std::chrono::seconds(0);
  try {
    return std::chrono::seconds(std::stol(it->second));
  } catch (const std::exception&) {
    return std::chrono::seconds(0);  // an HTTP date: fall back to our own back-off
  }
}

// Done-flag shared with the continuation, so the caller can wait with a
// deadline (cpprest's own timeout is an inactivity timer only).
struct Completion {
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;  // Guarded by mutex.
};

class CpprestTransport final : public HttpTransport {
 public:
  CpprestTransport(TransportOptions options, http::client::http_client_config config)
      : m_options(std::move(options)),
        m_client(web::uri(m_options.base_url), config),
        m_connections(m_options.max_connections),
        m_rate(m_options.max_requests_per_second) {}

  Result<HttpReply> post_form(const std::string& path, const std::string& body) override {
    SemaphoreHold hold(m_connections);
    m_rate.acquire();
    ++m_sent;
    try {
      return send(path, body);
    } catch (const std::exception& e) {
      return Error(ErrorCode::unavailable, "no answer from the LMS: " + std::string(e.what()));
    }
  }

  long long requests_sent() const override { return m_sent.load(); }

 private:
  Result<HttpReply> send(const std::string& path, const std::string& body) {
    http::http_request request(http::methods::POST);
    request.set_request_uri(path);
    request.set_body(body, "application/x-www-form-urlencoded");
    pplx::cancellation_token_source cancel;
    auto completion = std::make_shared<Completion>();
    auto task = m_client.request(request, cancel.get_token())
                    .then([](http::http_response response) {
                      HttpReply reply;
                      reply.status = response.status_code();
                      reply.content_type = response.headers().content_type();
                      reply.retry_after = parse_retry_after(response.headers());
                      reply.body = response.extract_utf8string(true).get();
                      return reply;
                    });
    task.then([completion](pplx::task<HttpReply>) {
      std::lock_guard<std::mutex> lock(completion->mutex);
      completion->done = true;
      completion->done_changed.notify_all();
    });
    bool finished = false;
    {
      std::unique_lock<std::mutex> lock(completion->mutex);
      finished = completion->done_changed.wait_for(lock, m_options.timeout, [&] { return completion->done; });
    }
    if (!finished) {
      cancel.cancel();
      try {
        task.wait();
      } catch (const std::exception&) {
      }
      return Error(ErrorCode::unavailable, "the LMS did not answer within " +
                                               std::to_string(m_options.timeout.count()) + " s");
    }
    return task.get();
  }

  TransportOptions m_options;
  http::client::http_client m_client;
  Semaphore m_connections;
  RateLimiter m_rate;
  std::atomic<long long> m_sent{0};
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> make_http_transport(TransportOptions options) {
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0)
    return Error(ErrorCode::invalid_argument, "LMS url must start with http:// or https://: " + options.base_url);
  http::client::http_client_config config;
  // cpprest's timeout is an inactivity timer; post_form adds the total deadline.
  config.set_timeout(options.timeout);
  config.set_validate_certificates(true);
  if (!options.ca_file.empty()) {
    std::string ca_file = options.ca_file;
    config.set_ssl_context_callback([ca_file](boost::asio::ssl::context& context) {
      context.load_verify_file(ca_file);
    });
  }
  try {
    return std::unique_ptr<HttpTransport>(std::make_unique<CpprestTransport>(std::move(options), config));
  } catch (const std::exception& e) {
    return Error(ErrorCode::invalid_argument, "bad LMS url: " + std::string(e.what()));
  }
}

}  // namespace certd::connector::moodle
