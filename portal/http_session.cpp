#include "portal/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "core/log.hpp"
#include "portal/http_target.hpp"
#include "portal/portal.hpp"

namespace certd::portal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// After an error answer the client may still be sending; closing at once
// would reset the connection and could destroy the answer before it is
// read. So the rest is read and dropped, up to these bounds.
constexpr std::size_t k_linger_bytes = 256 * 1024;
constexpr std::chrono::seconds k_linger_time{1};
constexpr std::size_t k_first_read = 1024;
constexpr const char* k_allowed = "GET, HEAD, POST, OPTIONS";

std::string_view view(boost::beast::string_view text) { return {text.data(), text.size()}; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The path of a request target, only to choose the form of an error
// answer (audience_of), never to show it: a target that does not parse is
// judged by what comes before its query, as it was sent.
std::string path_of(std::string_view target) {
  if (auto parsed = parse_target(target)) return std::move(parsed->path);
  return std::string(target.substr(0, target.find('?')));
}

// The target of the request line at the start of `bytes` ("GET /v/X
// HTTP/1.1"), or empty when no whole line is there.
std::string_view request_line_target(std::string_view bytes) {
  auto end = bytes.find('\n');
  if (end == std::string_view::npos) return {};
  std::string_view line = bytes.substr(0, end);
  auto space = line.find(' ');
  if (space == std::string_view::npos) return {};
  line.remove_prefix(space + 1);
  return line.substr(0, line.find_first_of(" \r"));
}

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::operation_aborted || ec == net::error::broken_pipe || ec == net::error::bad_descriptor;
}

template <class Body>
void set_common_headers(http::response<Body>& message, const Response& response, bool keep_alive) {
  message.set(http::field::content_type, response.content_type);
  message.set("X-Content-Type-Options", "nosniff");
  // A later header replaces an earlier one of the same name, except
  // Set-Cookie: an answer may set one cookie and clear another.
  for (const auto& [name, value] : response.headers) {
    if (boost::beast::iequals(name, "Set-Cookie")) message.insert(name, value);
    else message.set(name, value);
  }
  message.keep_alive(keep_alive);
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket socket, HttpServerState& state, std::string client, std::uint64_t id,
                         bool admitted)
    : m_stream(std::move(socket)),
      m_timer(m_stream.get_executor()),
      m_buffer(state.options.max_header_bytes + 64 * 1024),
      m_state(state),
      m_client(std::move(client)),
      m_id(id),
      m_admitted(admitted) {}

HttpSession::~HttpSession() {
  if (m_admitted) m_state.release(m_client, m_id);
}

void HttpSession::start() {
  net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

void HttpSession::refuse(int status, const std::string& message) {
  net::dispatch(m_stream.get_executor(), [self = shared_from_this(), status, message] {
    self->m_keep_alive = false;
    // Nothing was read: a browser is the likelier reader (server_error).
    self->respond(server_error(self->m_state.options.issuer_name, "", status, message), /*close=*/true);
  });
}

void HttpSession::notify_stop() {
  net::post(m_stream.get_executor(), [self = shared_from_this()] { self->on_server_stop(); });
}

void HttpSession::on_server_stop() {
  // A request being handled or answered finishes (with Connection:
  // close); one not yet read whole is dropped, as is an idle connection.
  if (m_phase != Phase::handling && m_phase != Phase::writing) close();
}

void HttpSession::wait_for_request() {
  if (m_state.stopping) return close();
  m_phase = Phase::idle;
  if (m_buffer.size() > 0) return read_header();  // the next request came with the last one
  m_stream.expires_after(m_state.options.idle_timeout);
  m_stream.async_read_some(m_buffer.prepare(k_first_read),
                           [self = shared_from_this()](error_code ec, std::size_t bytes) {
                             self->on_first_bytes(ec, bytes);
                           });
}

void HttpSession::on_first_bytes(error_code ec, std::size_t bytes) {
  if (ec == beast::error::timeout) ++m_state.timed_out;
  if (ec) return close();
  m_buffer.commit(bytes);
  read_header();
}

void HttpSession::start_read_timer() {
  // Beast's own stream timeout closes the socket, which would leave no
  // way to answer 408; this timer only cancels the read.
  m_read_timed_out = false;
  m_stream.expires_never();
  m_timer.expires_after(m_state.options.read_timeout);
  m_timer.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->m_phase != Phase::reading) return;
    self->m_read_timed_out = true;
    error_code ignored;
    beast::get_lowest_layer(self->m_stream).socket().cancel(ignored);
  });
}

void HttpSession::read_header() {
  m_phase = Phase::reading;
  m_parser.emplace();
  m_parser->header_limit(static_cast<std::uint32_t>(m_state.options.max_header_bytes));
  // The larger limit until the path is known (a declared length is
  // checked against the limit in force when the header ends); on_header
  // sets the path's own.
  m_parser->body_limit(std::max(m_state.options.max_body, m_state.options.max_upload_body));
  start_read_timer();
  http::async_read_header(m_stream, m_buffer, *m_parser,
                          [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpSession::on_header(error_code ec) {
  if (m_phase == Phase::closed) return;
  if (m_read_timed_out) {
    ++m_state.timed_out;
    return fail(408, "the request was not sent in time");
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
    return fail(431, "request headers too large");
  if (ec == http::error::body_limit) return fail(413, "body too large");
  if (ec && is_disconnect(ec)) return close();
  if (ec) return fail(400, "malformed request");

  const auto& request = m_parser->get();
  m_version = request.version();
  m_keep_alive = request.keep_alive();
  m_head = request.method() == http::verb::head;
  if (request.target().size() > m_state.options.max_target) return fail(414, "the address is too long");
  if (static_cast<std::size_t>(std::distance(request.begin(), request.end())) > m_state.options.max_header_count)
    return fail(431, "too many request headers");
  // TRACE would echo credentials back (cookies, Authorization).
  if (request.method() == http::verb::trace || request.method() == http::verb::connect) {
    m_keep_alive = false;
    Response refused =
        server_error(m_state.options.issuer_name, path_of(view(request.target())), 405, "method not allowed");
    refused.headers.emplace_back("Allow", k_allowed);
    return respond(std::move(refused), true);
  }
  std::size_t limit = m_state.options.max_body;
  if (view(request.target()).rfind(m_state.options.upload_prefix, 0) == 0)
    limit = std::max(limit, m_state.options.max_upload_body);
  if (m_parser->content_length() && *m_parser->content_length() > limit) return fail(413, "body too large");
  m_parser->body_limit(limit);
  if (m_parser->is_done()) return dispatch();
  if (lower(view(request[http::field::expect])) == "100-continue") {
    // The body is within the limits: ask for it rather than make the
    // client wait a second before it sends anyway.
    auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, m_version);
    http::async_write(m_stream, *go_on, [self = shared_from_this(), go_on](error_code write_ec, std::size_t) {
      if (write_ec) return self->close();
      self->read_body();
    });
    return;
  }
  read_body();
}

void HttpSession::read_body() {
  http::async_read(m_stream, m_buffer, *m_parser,
                   [self = shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
}

void HttpSession::on_body(error_code ec) {
  if (m_phase == Phase::closed) return;
  if (m_read_timed_out) {
    ++m_state.timed_out;
    return fail(408, "the request body was not sent in time");
  }
  if (ec == http::error::body_limit) return fail(413, "body too large");
  if (ec && is_disconnect(ec)) return close();
  if (ec) return fail(400, "malformed request body");
  dispatch();
}

void HttpSession::dispatch() {
  m_timer.cancel();
  m_phase = Phase::handling;
  auto message = m_parser->release();
  auto target = parse_target(view(message.target()));
  if (!target) return fail_at(path_of(view(message.target())), 400, target.error().message());

  Request request;
  request.method = std::string(view(message.method_string()));
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  request.client = m_client;
  for (const auto& field : message) {
    std::string name = lower(view(field.name_string()));
    auto [it, inserted] = request.headers.emplace(name, std::string(view(field.value())));
    if (!inserted) it->second += ", " + std::string(view(field.value()));
  }
  request.body = std::move(message.body());

  if (m_state.pending.fetch_add(1) >= m_state.options.max_pending) {
    --m_state.pending;
    Response busy = server_error(m_state.options.issuer_name, request.path, 503, "the server is busy, try again");
    busy.headers.emplace_back("Retry-After", "1");
    return respond(std::move(busy), false);
  }
  net::post(m_state.handler_pool, [self = shared_from_this(), request = std::move(request)] {
    Response response;
    try {
      response = self->m_state.handler(request);
    } catch (const std::exception& e) {
      CERTD_LOG_ERROR("portal: handler failed: {}", e.what());
      response = server_error(self->m_state.options.issuer_name, request.path, 500, "internal error");
    } catch (...) {
      CERTD_LOG_ERROR("portal: handler failed with an unknown exception");
      response = server_error(self->m_state.options.issuer_name, request.path, 500, "internal error");
    }
    --self->m_state.pending;
    net::post(self->m_stream.get_executor(), [self, response = std::move(response)]() mutable {
      self->respond(std::move(response), false);
    });
  });
}

void HttpSession::respond(Response response, bool close) {
  if (m_phase == Phase::closed) return;
  bool keep_alive = !close && m_keep_alive && !m_state.stopping;
  m_phase = Phase::writing;
  m_stream.expires_after(m_state.options.read_timeout);  // a client that does not read is cut
  auto done = [self = shared_from_this(), keep_alive](error_code ec, std::size_t) { self->on_write(ec, keep_alive); };
  if (m_head) {
    auto message = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(response.status), m_version);
    set_common_headers(*message, response, keep_alive);
    message->content_length(response.body.size());
    http::async_write(m_stream, *message, [message, done](error_code ec, std::size_t n) { done(ec, n); });
    return;
  }
  auto message = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(response.status), m_version);
  set_common_headers(*message, response, keep_alive);
  message->body() = std::move(response.body);
  message->prepare_payload();
  http::async_write(m_stream, *message, [message, done](error_code ec, std::size_t n) { done(ec, n); });
}

void HttpSession::on_write(error_code ec, bool keep_alive) {
  if (ec) return close();
  if (keep_alive) return wait_for_request();
  linger();
}

std::string HttpSession::read_path() const {
  // Beast parses nothing of a header until all of it is there, so short of
  // that the request line is read from the bytes waiting in the buffer.
  std::string_view target = m_parser ? view(m_parser->get().target()) : std::string_view();
  if (target.empty()) {
    auto waiting = m_buffer.cdata();
    target = request_line_target({static_cast<const char*>(waiting.data()), waiting.size()});
  }
  return target.empty() ? std::string() : path_of(target);
}

void HttpSession::fail(int status, const std::string& message) { fail_at(read_path(), status, message); }

void HttpSession::fail_at(const std::string& path, int status, const std::string& message) {
  CERTD_LOG_DEBUG("portal: {} to {}: {}", status, m_client, message);
  m_timer.cancel();
  m_keep_alive = false;
  respond(server_error(m_state.options.issuer_name, path, status, message), true);
}

void HttpSession::linger() {
  m_phase = Phase::closed;
  error_code ignored;
  beast::get_lowest_layer(m_stream).socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  m_linger_deadline = std::chrono::steady_clock::now() + k_linger_time;
  drain();
}

void HttpSession::drain() {
  m_stream.expires_at(m_linger_deadline);  // one deadline for all of it: trickling does not extend it
  m_stream.async_read_some(net::buffer(m_discard), [self = shared_from_this()](error_code ec, std::size_t bytes) {
    self->m_lingered += bytes;
    if (ec || self->m_lingered >= k_linger_bytes) return self->close();
    self->drain();
  });
}

void HttpSession::close() {
  m_phase = Phase::closed;
  m_timer.cancel();
  error_code ignored;
  auto& socket = beast::get_lowest_layer(m_stream).socket();
  socket.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace certd::portal
