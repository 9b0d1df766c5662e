#pragma once
// The cpprestsdk listener behind the portal. cpprestsdk enforces no body
// size, header size or idle timeout of its own (docs/libraries.md §2): this
// adapter checks Content-Length and the bytes read, refuses chunked
// bodies, binds to loopback by default and is meant to sit behind a
// reverse proxy (TLS, slow clients) in production.

#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "portal/http_types.hpp"

namespace certd::portal {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see port())
  std::size_t max_body = 1 << 20;
};

using RequestHandler = std::function<Response(const Request&)>;


// Thread-safety: start/stop from one thread; the handler runs on the
// HTTP thread pool and must be thread-safe.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status start();
  void stop();
  int port() const;  // the bound port, after start()

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace certd::portal
