#pragma once
// The portal's HTTP/1.1 server, on Boost.Beast (docs/libraries.md §2).
//
// Strangers reach it, so nothing a client does may hold a thread: sockets
// are read and written asynchronously on a few I/O threads, with a limit
// on every size and a deadline on every wait; only a complete, admitted
// request reaches the handler, which runs on a separate bounded pool.
// When the pool is full, new requests get 503 at once instead of queueing
// without end. Errors the server raises itself (400, 405, 408, 413, 414,
// 431, 500, 503) follow the portal's rule (portal.hpp server_error): a page
// for people, JSON for the paths programs use, judged by the request's path
// as far as it was read; a page when not even its request line was.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "portal/http_types.hpp"

namespace certd::portal {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see port())
  std::size_t max_body = 1 << 20;  // decoded bytes, Content-Length or chunked
  // A larger limit for requests under upload_prefix (the console's CSV
  // uploads), so that every other path keeps the small one: a stranger
  // cannot make each of thousands of connections hold megabytes.
  std::size_t max_upload_body = 0;  // 0: max_body everywhere
  std::string upload_prefix = "/console/";

  std::size_t max_header_bytes = 16 * 1024;  // request line and all headers
  std::size_t max_header_count = 100;
  std::size_t max_target = 4096;  // request target (path and query); 414 above
  // From a request's first byte to its last (headers and body), and for
  // writing an answer to a client that does not read it: 408 / cut.
  std::chrono::milliseconds read_timeout{10'000};
  // A connection with no request under way (before the first and between
  // keep-alive requests) is closed after this.
  std::chrono::milliseconds idle_timeout{20'000};
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;  // by peer IP address
  int io_threads = 2;
  int handler_threads = 4;
  std::size_t max_pending = 256;  // requests admitted to the handler pool at once; 503 above
  // stop() lets requests under way finish for at most this long.
  std::chrono::milliseconds shutdown_timeout{10'000};
  // Named on the pages of the server's own errors, as on the portal's.
  std::string issuer_name = "Certificates";
};

// Runs on the handler pool, never on an I/O thread; must be thread-safe.
// A HEAD request reaches it as "HEAD"; the server sends the headers of its
// answer (Content-Length included) without the body. TRACE and CONNECT
// never reach it.
using RequestHandler = std::function<Response(const Request&)>;

// Counters for tests and status; a snapshot, read at any time.
struct HttpServerStats {
  std::size_t open_connections = 0;
  std::size_t refused_connections = 0;  // over a connection limit
  std::size_t timed_out = 0;            // cut by read or idle timeout
};

// Thread-safety: start/stop/destroy from one thread; stats() from any.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status start();
  // Stops accepting, closes idle connections, lets requests under way
  // answer (with Connection: close), and returns within shutdown_timeout
  // plus the time a handler already running takes to return.
  void stop();
  int port() const;  // the bound port, after start()
  HttpServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace certd::portal
