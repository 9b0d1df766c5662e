#include "portal/http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <optional>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "portal/http_server_state.hpp"
#include "portal/http_session.hpp"

namespace certd::portal {

namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpServerState::HttpServerState(HttpServerOptions options_in, RequestHandler handler_in)
    : options(std::move(options_in)),
      handler(std::move(handler_in)),
      handler_pool(static_cast<std::size_t>(std::max(1, options.handler_threads))) {}

HttpServerState::Admission HttpServerState::admit(const std::string& client) {
  std::lock_guard<std::mutex> lock(mutex);
  if (connections >= options.max_connections) return Admission::server_full;
  std::size_t& mine = per_client[client];
  if (mine >= options.max_connections_per_client) {
    if (mine == 0) per_client.erase(client);
    return Admission::client_full;
  }
  ++mine;
  ++connections;
  return Admission::admitted;
}

void HttpServerState::track(std::uint64_t id, const std::shared_ptr<HttpSession>& session) {
  std::lock_guard<std::mutex> lock(mutex);
  sessions[id] = session;
}

void HttpServerState::release(const std::string& client, std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex);
  sessions.erase(id);
  if (auto it = per_client.find(client); it != per_client.end() && --it->second == 0) per_client.erase(it);
  if (--connections == 0) drained.notify_all();
}

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestHandler handler;
  std::unique_ptr<HttpServerState> state;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> retry_timer;
  std::vector<std::thread> io_threads;
  // Keeps the I/O threads running while a request is on the handler pool
  // and nothing is pending on the sockets.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::uint64_t next_id = 0;  // used on the acceptor's strand only
  int bound_port = 0;

  Status open() {
    boost::system::error_code ec;
    tcp::resolver resolver(state->io);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) return listen_error(ec.message());
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor = std::make_unique<tcp::acceptor>(net::make_strand(state->io));
    if (acceptor->open(endpoint.protocol(), ec)) return listen_error(ec.message());
    // A restarted daemon must bind although the last one's sockets linger in TIME_WAIT.
    acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (acceptor->bind(endpoint, ec)) return listen_error(ec.message());
    if (acceptor->listen(net::socket_base::max_listen_connections, ec)) return listen_error(ec.message());
    bound_port = acceptor->local_endpoint().port();
    retry_timer = std::make_unique<net::steady_timer>(acceptor->get_executor());
    return ok();
  }

  Error listen_error(const std::string& why) const {
    return Error(ErrorCode::unavailable,
                 "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + why);
  }

  void accept() {
    acceptor->async_accept(net::make_strand(state->io), [this](boost::system::error_code ec, tcp::socket socket) {
      on_accept(ec, std::move(socket));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (state->stopping || !acceptor->is_open()) return;
    if (ec) {
      // Out of file descriptors (or another transient failure): pause
      // rather than spin; the connections we hold will time out.
      CERTD_LOG_WARN("portal: accept failed: {}", ec.message());
      retry_timer->expires_after(std::chrono::milliseconds(100));
      retry_timer->async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && !state->stopping) accept();
      });
      return;
    }
    boost::system::error_code peer_ec;
    std::string client = socket.remote_endpoint(peer_ec).address().to_string();
    if (!peer_ec) {
      std::uint64_t id = ++next_id;
      auto admission = state->admit(client);
      bool admitted = admission == HttpServerState::Admission::admitted;
      auto session = std::make_shared<HttpSession>(std::move(socket), *state, client, id, admitted);
      if (admitted) {
        state->track(id, session);
        session->start();
      } else {
        ++state->refused;
        session->refuse(503, admission == HttpServerState::Admission::client_full
                                 ? "too many connections from your address"
                                 : "too many connections, try again");
      }
    }
    accept();
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  if (m_impl->state) return ok();
  m_impl->state = std::make_unique<HttpServerState>(m_impl->options, m_impl->handler);
  if (Status opened = m_impl->open(); !opened) {
    m_impl->acceptor.reset();
    m_impl->state.reset();
    return opened;
  }
  m_impl->accept();
  m_impl->work.emplace(m_impl->state->io.get_executor());
  for (int i = 0; i < std::max(1, m_impl->options.io_threads); ++i)
    m_impl->io_threads.emplace_back([state = m_impl->state.get()] { state->io.run(); });
  return ok();
}

void HttpServer::stop() {
  if (!m_impl || !m_impl->state) return;
  HttpServerState& state = *m_impl->state;
  state.stopping = true;
  net::post(m_impl->acceptor->get_executor(), [impl = m_impl.get()] {
    boost::system::error_code ignored;
    impl->acceptor->close(ignored);
    impl->retry_timer->cancel();
  });
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    for (auto& [id, weak] : state.sessions)
      if (auto session = weak.lock()) open.push_back(std::move(session));
  }
  for (auto& session : open) session->notify_stop();
  open.clear();
  {
    std::unique_lock<std::mutex> lock(state.mutex);
    auto deadline = std::chrono::steady_clock::now() + m_impl->options.shutdown_timeout;
    if (!state.drained.wait_until(lock, deadline, [&] { return state.connections == 0; }))
      CERTD_LOG_WARN("portal: {} connections still open after the shutdown timeout; closing them", state.connections);
  }
  m_impl->work.reset();
  state.io.stop();
  for (std::thread& thread : m_impl->io_threads) thread.join();
  m_impl->io_threads.clear();
  state.handler_pool.stop();
  state.handler_pool.join();
  m_impl->acceptor.reset();
  m_impl->retry_timer.reset();
  m_impl->state.reset();
}

int HttpServer::port() const { return m_impl->bound_port; }

HttpServerStats HttpServer::stats() const {
  HttpServerStats out;
  if (!m_impl->state) return out;
  HttpServerState& state = *m_impl->state;
  std::lock_guard<std::mutex> lock(state.mutex);
  out.open_connections = state.connections;
  out.refused_connections = state.refused;
  out.timed_out = state.timed_out;
  return out;
}

}  // namespace certd::portal
