#pragma once
// What the listener and its connections share (internal to portal/): the
// options, the handler pool, and the connection counts behind the limits.
// Included only by http_server.cpp and http_session.cpp, which pay for
// Beast's headers; nothing outside portal/ sees Beast.

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "portal/http_server.hpp"

namespace certd::portal {

class HttpSession;

struct HttpServerState {
  HttpServerState(HttpServerOptions options_in, RequestHandler handler_in);

  enum class Admission { admitted, server_full, client_full };
  // Counts a new connection from `client` if the limits allow it.
  Admission admit(const std::string& client);
  void track(std::uint64_t id, const std::shared_ptr<HttpSession>& session);
  // Called once by each admitted session as it ends.
  void release(const std::string& client, std::uint64_t id);

  const HttpServerOptions options;
  const RequestHandler handler;

  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> pending{0};  // requests on the handler pool
  std::atomic<std::size_t> refused{0};
  std::atomic<std::size_t> timed_out{0};

  std::mutex mutex;
  std::condition_variable drained;  // signalled when `connections` reaches 0
  std::size_t connections = 0;
  std::map<std::string, std::size_t> per_client;
  std::map<std::uint64_t, std::weak_ptr<HttpSession>> sessions;

  // Declared last, so destroyed first: what they still hold may end a
  // session, which calls release() on the members above.
  boost::asio::thread_pool handler_pool;
  boost::asio::io_context io;
};

}  // namespace certd::portal
