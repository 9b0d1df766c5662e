#pragma once
// A raw TCP client for testing HTTP servers the way hostile or broken
// clients talk to them: partial requests, stalled bodies, idle sockets,
// pipelining. Blocking POSIX sockets with a receive timeout; header-only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace certd::testing {

class RawConnection {
 public:
  explicit RawConnection(int port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    m_connected = m_fd >= 0 && ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawConnection() {
    if (m_fd >= 0) ::close(m_fd);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection(RawConnection&& other) noexcept : m_fd(other.m_fd), m_connected(other.m_connected) { other.m_fd = -1; }

  bool connected() const { return m_connected; }

  // False when the peer has closed or reset the connection.
  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads until `limit` passes or the peer closes; returns what came.
  std::string read_until_closed(std::chrono::milliseconds limit) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[8192];
      ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        m_closed_by_peer = true;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

  // Reads one response whose headers carry Content-Length (all of ours do).
  std::string read_response(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto end = m_pending.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = content_length(m_pending.substr(0, end));
        bool head = m_expect_no_body;
        std::size_t total = end + 4 + (head ? 0 : length);
        if (m_pending.size() >= total) {
          std::string response = m_pending.substr(0, total);
          m_pending.erase(0, total);
          return response;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      pollfd p{m_fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
      char buffer[8192];
      ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        m_closed_by_peer = true;
        return {};
      }
      m_pending.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // For HEAD: the response has Content-Length but no body.
  void expect_no_body(bool value) { m_expect_no_body = value; }
  bool closed_by_peer() const { return m_closed_by_peer; }

  // True once the server has closed its side (a read returns 0 or fails).
  bool wait_closed(std::chrono::milliseconds limit) {
    read_until_closed(limit);
    return m_closed_by_peer;
  }

 private:
  static std::size_t content_length(const std::string& head) {
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return static_cast<std::size_t>(std::strtoull(lower.c_str() + at + 17, nullptr, 10));
  }

  int m_fd = -1;
  bool m_connected = false;
  bool m_closed_by_peer = false;
  bool m_expect_no_body = false;
  std::string m_pending;
};

// The status code of a raw response ("HTTP/1.1 413 ..."), 0 if none.
inline int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.c_str() + 9);
}

inline std::string body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

}  // namespace certd::testing
