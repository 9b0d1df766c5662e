#pragma once
// systemd's end of sd_notify(3) for tests: a datagram socket named by
// NOTIFY_SOCKET, read with a time limit.

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace certd::testing {

// Bound under the temporary folder, named after this process.
class NotifySocket {
 public:
  NotifySocket() {
    m_path = (std::filesystem::temp_directory_path() / ("certd-notify-" + std::to_string(::getpid()))).string();
    ::unlink(m_path.c_str());
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, m_path.c_str(), sizeof address.sun_path - 1);
    m_bound = ::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~NotifySocket() {
    ::close(m_fd);
    ::unlink(m_path.c_str());
  }
  bool bound() const { return m_bound; }
  const std::string& path() const { return m_path; }

  // Every message until one holds `line` (returned true) or `limit` passes.
  bool wait_for(const std::string& line, std::chrono::seconds limit, std::vector<std::string>* seen = nullptr) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      timeval wait{1, 0};
      ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
      char buffer[4096];
      ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::string message(buffer, static_cast<std::size_t>(n));
      if (seen) seen->push_back(message);
      if (("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string m_path;
  int m_fd = -1;
  bool m_bound = false;
};

}  // namespace certd::testing
