#include "portal/http_server.hpp"

#include <cpprest/http_listener.h>

#include "core/free_port.hpp"
#include "core/log.hpp"

namespace certd::portal {

namespace http = web::http;

namespace {

void reply(http::http_request& request, const Response& response) {
  http::http_response out(static_cast<http::status_code>(response.status));
  out.headers().set_content_type(response.content_type);
  for (const auto& [name, value] : response.headers) out.headers().add(name, value);
  out.headers().add("X-Content-Type-Options", "nosniff");
  if (request.method() != http::methods::HEAD) out.set_body(response.body, response.content_type);
  request.reply(out).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (const std::exception& e) {
      CERTD_LOG_DEBUG("portal: reply failed: {}", e.what());
    }
  });
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestHandler handler;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  int bound_port = 0;

  void serve(http::http_request request) {
    try {
      Request in;
      in.method = request.method();
      in.path = web::uri::decode(request.relative_uri().path());
      for (const auto& [name, value] : request.headers()) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        in.headers[lower] = value;
      }
      if (in.header("transfer-encoding").find("chunked") != std::string::npos)
        return reply(request, json_error(411, "chunked bodies are not accepted; send Content-Length"));
      std::size_t declared = request.headers().content_length();
      if (declared > options.max_body) return reply(request, json_error(413, "body too large"));
      std::vector<unsigned char> body = request.extract_vector().get();
      if (body.size() > options.max_body) return reply(request, json_error(413, "body too large"));
      in.body.assign(body.begin(), body.end());
      reply(request, handler(in));
    } catch (const std::exception& e) {
      CERTD_LOG_WARN("portal: bad request: {}", e.what());
      reply(request, json_error(400, "bad request"));
    }
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  constexpr int k_attempts = 5;
  std::string last_error;
  for (int attempt = 0; attempt < k_attempts; ++attempt) {
    // cpprestsdk cannot report the port it bound for port 0: pick a free
    // one first and retry on a race (docs/libraries.md §2, workaround 2).
    int port = m_impl->options.port != 0 ? m_impl->options.port : certd::pick_free_port(m_impl->options.host);
    auto listener = std::make_unique<http::experimental::listener::http_listener>(
        "http://" + m_impl->options.host + ":" + std::to_string(port));
    Impl* impl = m_impl.get();
    listener->support([impl](http::http_request request) { impl->serve(std::move(request)); });
    try {
      listener->open().wait();
      m_impl->listener = std::move(listener);
      m_impl->bound_port = port;
      return ok();
    } catch (const std::exception& e) {
      // Never close() a listener whose open() failed (it throws).
      last_error = e.what();
      if (m_impl->options.port != 0) break;
    }
  }
  return Error(ErrorCode::unavailable, "cannot listen on " + m_impl->options.host + ":" +
                                           std::to_string(m_impl->options.port) + ": " + last_error);
}

void HttpServer::stop() {
  if (!m_impl || !m_impl->listener) return;
  try {
    m_impl->listener->close().wait();
  } catch (const std::exception& e) {
    CERTD_LOG_DEBUG("portal: close failed: {}", e.what());
  }
  m_impl->listener.reset();
}

int HttpServer::port() const { return m_impl->bound_port; }

}  // namespace certd::portal
