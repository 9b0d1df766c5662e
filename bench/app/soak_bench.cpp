// bench_app soak POLLS WEBHOOKS: the daemon of `certd run` (its poll,
// processing and outbox threads, and its portal) in this process, against
// the simulated Moodle in a process of its own, polling back to back (a
// poll interval of 0, which the config refuses for a school: here it makes
// months of polls fit in minutes) while one signed webhook per poll goes to
// the portal. Every 1,000 polls: resident memory, open file descriptors and
// the size of the SQLite WAL file; at the end, each one's growth from the
// second checkpoint (after warm-up) to the last. Printed, never asserted;
// the goal is flat within 5 %.
#include "bench/app/soak_bench.hpp"

#include <cpprest/http_client.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "app/daemon.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "bench/app/bench_common.hpp"
#include "config/config.hpp"
#include "connector/lms.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "notify/notifier.hpp"
#include "portal/webhook_verifier.hpp"
#include "tests/process_util.hpp"

namespace certd::bench {
namespace {

constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// Poll cycles so far, from the daemon's own /metrics registry.
long polls_done() {
  const std::string text = metrics::process().text();
  const std::string name = "certd_poll_duration_seconds_count ";
  std::size_t at = text.find(name);
  return at == std::string::npos ? 0 : std::stol(text.substr(at + name.size()));
}

int open_fds() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

struct Checkpoint {
  long polls;
  double minutes;
  double rss_mib;
  int fds;
  double wal_kib;
  int webhooks;
};

}  // namespace

int bench_soak(int polls, int webhooks) {
  log::set_level(log::Level::error);
  fs::path dir = fresh_dir("soak");
  const int port = testing::free_port();
  const std::string certd = certd_binary();
  testing::ChildProcess simulator({"/bin/sh", "-c",
                                   "exec \"$0\" simulate-lms --port " + std::to_string(port) +
                                       " --data examples/school.yaml >/dev/null",
                                   certd});
  if (!testing::wait_for_port(port)) {
    std::fprintf(stderr, "soak: %s simulate-lms did not start\n", certd.c_str());
    return 1;
  }
  ::setenv("CERTD_LMS_TOKEN", k_token, 1);
  ::setenv("CERTD_SOAK_WEBHOOK_SECRET", k_secret, 1);
  const std::string lms_url = "http://127.0.0.1:" + std::to_string(port);
  config::LoadResult loaded = config::load_file(
      write_config(dir, lms_url, "webhooks:\n  sources:\n    moodle: { secret_env: CERTD_SOAK_WEBHOOK_SECRET }\n"));
  if (!loaded.ok()) {
    std::fprintf(stderr, "soak: %s\n", loaded.errors.front().to_string().c_str());
    return 1;
  }
  loaded.config.lms.poll_interval = Duration(0);  // back to back
  auto school = app::load_school(std::move(loaded.config));
  if (!school) {
    std::fprintf(stderr, "soak: %s\n", school.error().to_string().c_str());
    return 1;
  }
  SystemClock clock;
  auto lms = app::make_lms(school->config, &school->rules, clock);
  auto notifier = app::make_notifier(school->config);
  if (!lms || !notifier) return 1;
  app::DaemonOptions options;
  options.portal_port = 0;
  app::Daemon daemon(*school, lms->get(), **notifier, clock, options);
  if (!daemon.start()) return 1;
  std::thread loop([&] { (void)daemon.run(); });

  // One webhook per poll on average: a student's progress in one of the
  // demo school's courses, signed as Moodle's plugin signs it.
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::atomic<int> refused{0};
  std::thread sender([&] {
    portal::WebhookVerifier signer(Duration(300));
    (void)signer.add_source("moodle", k_secret);
    web::http::client::http_client portal("http://127.0.0.1:" + std::to_string(daemon.portal_port()));
    const char* courses[] = {"FA-101", "SWIM-L3", "SWIM-L4"};
    for (int n = 0; n < webhooks && !stop.load(); ++n) {
      while (n >= polls_done() && !stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const std::string id = "msg_soak_" + std::to_string(n);
      const std::string body = std::string(R"({"type":"progress","data":{"user_id":)") + std::to_string(20 + n % 10) +
                               R"(,"course":")" + courses[n % 3] + R"("}})";
      const std::int64_t now = to_unix(clock.now());
      web::http::http_request request(web::http::methods::POST);
      request.set_request_uri("/hooks/moodle");
      request.headers().add("webhook-id", id);
      request.headers().add("webhook-timestamp", std::to_string(now));
      request.headers().add("webhook-signature", signer.sign("moodle", id, now, body));
      request.set_body(body, "application/json");
      try {
        auto response = portal.request(request).get();
        (response.status_code() == 200 ? answered : refused)++;
      } catch (const std::exception&) {
        refused++;
      }
    }
  });

  const std::string wal = (dir / "data" / "certd.sqlite-wal").string();
  const long every = polls >= 2000 ? 1000 : std::max(polls / 5, 1);
  std::printf("soak: the daemon in-process, polling back to back, %d webhooks (one per poll), %u cores; until "
              "%d polls\n%7s %8s %8s %5s %8s %9s\n",
              webhooks, std::thread::hardware_concurrency(), polls, "polls", "minutes", "RSS MiB", "fds", "WAL KiB",
              "webhooks");
  std::vector<Checkpoint> rows;
  const auto start = Steady::now();
  for (long mark = every; mark <= polls; mark += every) {
    while (polls_done() < mark) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    const auto wal_size = fs::file_size(wal, ec);
    Checkpoint row{polls_done(), seconds_since(start) / 60, rss_kib() / 1024.0, open_fds(),
                   ec ? 0.0 : static_cast<double>(wal_size) / 1024, answered.load()};
    rows.push_back(row);
    std::printf("%7ld %8.1f %8.1f %5d %8.0f %9d\n", row.polls, row.minutes, row.rss_mib, row.fds, row.wal_kib,
                row.webhooks);
    std::fflush(stdout);
  }
  stop.store(true);
  sender.join();
  daemon.request_stop();
  loop.join();
  if (refused.load() > 0) std::printf("webhooks not answered 200: %d\n", refused.load());
  if (rows.size() >= 3) {
    const Checkpoint& base = rows[1];
    const Checkpoint& last = rows.back();
    auto growth = [](double from, double to) { return from > 0 ? (to - from) / from * 100 : 0.0; };
    std::printf("RSS %.1f -> %.1f MiB (%+.1f %%), fds %d -> %d (%+.1f %%), WAL %.0f -> %.0f KiB (%+.1f %%), "
                "from %ld to %ld polls\n",
                base.rss_mib, last.rss_mib, growth(base.rss_mib, last.rss_mib), base.fds, last.fds,
                growth(base.fds, last.fds), base.wal_kib, last.wal_kib, growth(base.wal_kib, last.wal_kib), base.polls,
                last.polls);
  }
  return 0;
}

}  // namespace certd::bench
