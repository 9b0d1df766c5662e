#pragma once
// One client connection of the portal's server (internal to portal/).
// Everything happens on the connection's strand, asynchronously; the only
// thing that runs elsewhere is the handler, on the handler pool, with a
// request that has been read whole and checked against every limit.
//
//   idle ──first byte──▶ reading ──complete──▶ handling ──▶ writing ──▶ idle
//     │ idle_timeout        │ read_timeout: 408         (503 when the pool is full)
//     ▼                     ▼ limits: 413/414/431
//   closed               closed after the error answer

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "portal/http_server_state.hpp"

namespace certd::portal {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `admitted`: counted by HttpServerState::admit and released at the end.
  HttpSession(boost::asio::ip::tcp::socket socket, HttpServerState& state, std::string client,
              std::uint64_t id, bool admitted);
  ~HttpSession();

  void start();  // serve requests until the client leaves or a limit ends it
  void refuse(int status, const std::string& message);  // answer once, close
  void notify_stop();  // from HttpServer::stop(), any thread

 private:
  enum class Phase { idle, reading, handling, writing, closed };
  using error_code = boost::system::error_code;

  void wait_for_request();
  void on_first_bytes(error_code ec, std::size_t bytes);
  void read_header();
  void on_header(error_code ec);
  void read_body();
  void on_body(error_code ec);
  void start_read_timer();
  void dispatch();
  void respond(Response response, bool close);
  void on_write(error_code ec, bool keep_alive);
  // An error answer, then close; in the form the request's path calls for
  // (server_error), as far as the path was read (read_path).
  void fail(int status, const std::string& message);
  void fail_at(const std::string& path, int status, const std::string& message);
  // The path of the request being read; empty before its request line is.
  // Not valid once the parser's message was released (dispatch).
  std::string read_path() const;
  void linger();
  void drain();
  void close();
  void on_server_stop();

  boost::beast::tcp_stream m_stream;
  boost::asio::steady_timer m_timer;  // read_timeout: cancels the read so a 408 can still be sent
  boost::beast::flat_buffer m_buffer;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> m_parser;
  std::array<char, 4096> m_discard{};
  HttpServerState& m_state;
  const std::string m_client;
  const std::uint64_t m_id;
  const bool m_admitted;
  Phase m_phase = Phase::idle;
  bool m_read_timed_out = false;
  bool m_head = false;
  bool m_keep_alive = true;
  unsigned m_version = 11;
  std::size_t m_lingered = 0;
  std::chrono::steady_clock::time_point m_linger_deadline;
};

}  // namespace certd::portal
