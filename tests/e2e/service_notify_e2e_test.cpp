// Issue 16: `certd run` as a systemd Type=notify service. The test plays
// systemd's part of the protocol (sd_notify(3)): a datagram socket named by
// NOTIFY_SOCKET, WATCHDOG_USEC set. certd must say READY=1 once it runs,
// WATCHDOG=1 again and again while it does, and STOPPING=1 on SIGTERM.
#include <gtest/gtest.h>

#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "app/run_certd.hpp"
#include "e2e/notify_socket.hpp"
#include "e2e/school_dir.hpp"
#include "process_util.hpp"

namespace certd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(ServiceNotify, ReadyThenTheWatchdogThenStoppingReachSystemd) {
  ::setenv("CERTD_LMS_TOKEN", "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e", 1);
  const int lms_port = testing::free_port();
  testing::ChildProcess lms({app::certd_path(), "simulate-lms", "--port", std::to_string(lms_port), "--data",
                             "examples/school.yaml"});
  ASSERT_TRUE(testing::wait_for_port(lms_port));
  testing::SchoolDir school("notify", "http://127.0.0.1:" + std::to_string(lms_port));

  testing::NotifySocket systemd;
  ASSERT_TRUE(systemd.bound()) << std::strerror(errno);
  ::setenv("NOTIFY_SOCKET", systemd.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "2000000", 1);  // certd kicks once a second at most
  testing::ChildProcess daemon({app::certd_path(), "run", "--config", school.config()});
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");

  std::vector<std::string> seen;
  ASSERT_TRUE(systemd.wait_for("READY=1", 120s, &seen)) << "no READY=1 from certd run";
  EXPECT_NE(seen.back().find("STATUS=running"), std::string::npos) << seen.back();
  // Idle, it still proves its loop turns.
  int kicks = 0;
  const auto until = Clock::now() + 10s;
  while (kicks < 3 && Clock::now() < until)
    if (systemd.wait_for("WATCHDOG=1", 5s)) ++kicks;
  EXPECT_EQ(kicks, 3) << "the processing loop must keep the watchdog fed";

  ::kill(daemon.pid(), SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1", 60s)) << "no STOPPING=1 on SIGTERM";
  EXPECT_EQ(daemon.stop(), 0);
}

// Outside systemd nothing is sent and nothing changes: the run above is
// the same program without NOTIFY_SOCKET in every other e2e test.

}  // namespace
}  // namespace certd
