// bench_app events RATE SECS: students' completions reach certd as events
// (what the portal records for a signed webhook, then wakes the daemon) at
// RATE per second for SECS; each becomes a certificate. The simulated
// Moodle runs in a process of its own (`certd simulate-lms`), as a real
// one would: its CPU is not certd's, and every read crosses loopback HTTP.
// Prints event -> committed certificate latency, the sustained rate, and
// the LMS calls certd made per event, by web-service function.
#include "bench/app/events_bench.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <cpprest/http_client.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "app/daemon.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "connector/lms.hpp"
#include "bench/app/bench_common.hpp"
#include "core/log.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"
#include "tests/process_util.hpp"

namespace certd::bench {
namespace {

using nlohmann::json;

constexpr int k_first_id = 100000;

// The demo school with `count` more students of First Aid, graded and not
// yet completed (completing them is the event).
std::string write_school(const fs::path& dir, int count) {
  std::ifstream demo("examples/school.yaml");
  std::string path = (dir / "school.yaml").string();
  std::ofstream out(path);
  out << demo.rdbuf();
  for (int i = 0; i < count; ++i)
    out << "  - id: " << k_first_id + i << "\n    username: bench" << i
        << "\n    firstname: Bench\n    lastname: \"Student " << i << "\"\n    email: bench" << i
        << "@families.example\n    courses:\n      FA-101: { grade: 90 }\n";
  return path;
}

json post(web::http::client::http_client& client, const std::string& path, const json& body) {
  web::http::http_request request(web::http::methods::POST);
  request.set_request_uri(path);
  request.set_body(body.dump(), "application/json");
  auto response = client.request(request).get();
  return json::parse(response.extract_utf8string(true).get(), nullptr, false);
}

json get(web::http::client::http_client& client, const std::string& path) {
  auto response = client.request(web::http::methods::GET, path).get();
  return json::parse(response.extract_utf8string(true).get(), nullptr, false);
}

}  // namespace

int bench_events(int rate, int seconds) {
  // CERTD_BENCH_DEBUG=1 keeps the daemon's debug lines (each cycle's
  // event rounds: LMS reads, deciding, issuing, recording) on stderr.
  log::set_level(std::getenv("CERTD_BENCH_DEBUG") ? log::Level::debug : log::Level::error);
  fs::path dir = fresh_dir("events");
  const int total = rate * seconds;
  const int port = testing::free_port();
  const std::string certd = certd_binary();
  testing::ChildProcess simulator({"/bin/sh", "-c",
                                   "exec \"$0\" simulate-lms --port " + std::to_string(port) + " --data \"$1\" >/dev/null",
                                   certd, write_school(dir, total)});
  if (!testing::wait_for_port(port)) {
    std::fprintf(stderr, "events: %s simulate-lms did not start\n", certd.c_str());
    return 1;
  }
  const std::string lms_url = "http://127.0.0.1:" + std::to_string(port);
  web::http::client::http_client control(lms_url);

  ::setenv("CERTD_LMS_TOKEN", k_token, 1);
  auto school = app::load_school(write_config(dir, lms_url));
  if (!school) {
    std::fprintf(stderr, "%s\n", school.error().to_string().c_str());
    return 1;
  }
  SystemClock clock;
  auto lms = app::make_lms(school->config, &school->rules, clock);
  auto notifier = app::make_notifier(school->config);
  app::DaemonOptions options;
  options.serve_portal = false;
  app::Daemon daemon(*school, lms->get(), **notifier, clock, options);
  if (!daemon.start()) return 1;
  (void)daemon.run_once();  // the school's own certificates first
  std::thread loop([&] { (void)daemon.run(); });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // its poll thread's first poll

  // Completed in Moodle before the clock starts: what is measured is
  // certd's work from the event on (the next poll is an hour away).
  for (int i = 0; i < total; ++i)
    (void)post(control, "/_sim/complete", {{"username", "bench" + std::to_string(i)}, {"course", "FA-101"}});
  json calls_before = get(control, "/_sim/stats")["calls"];

  auto events = store::open_sqlite_store(school->store_path());
  std::map<std::string, Steady::time_point> sent;  // key -> when its event committed
  std::vector<double> latencies_ms;
  Steady::time_point last_commit;
  std::mutex mutex;
  bool sending = true;
  // Reads only what is new since its last look (a read of recent rows
  // every 2 ms would cost certd's CPU more than the events do).
  std::thread watcher([&] {
    SQLite::Database reader(school->store_path(), SQLite::OPEN_READONLY);
    reader.setBusyTimeout(1000);
    std::int64_t last_id = 0;
    {
      SQLite::Statement max(reader, "SELECT COALESCE(MAX(id), 0) FROM certificates");
      if (max.executeStep()) last_id = max.getColumn(0).getInt64();
    }
    SQLite::Statement fresh(reader, "SELECT id, idempotency_key FROM certificates WHERE id > ? ORDER BY id");
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (!sending && sent.empty()) break;
      }
      std::vector<std::string> keys;
      try {
        fresh.reset();
        fresh.bind(1, last_id);
        while (fresh.executeStep()) {
          last_id = fresh.getColumn(0).getInt64();
          keys.push_back(fresh.getColumn(1).getString());
        }
      } catch (const SQLite::Exception&) {
        // busy: look again in a moment
      }
      auto now = Steady::now();
      std::lock_guard<std::mutex> lock(mutex);
      for (const std::string& key : keys) {
        auto it = sent.find(key);
        if (it == sent.end()) continue;
        latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        last_commit = now;
        sent.erase(it);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  auto start = Steady::now();
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1000000LL * i / rate));
    std::string id = std::to_string(k_first_id + i);
    std::string body = R"({"type":"course-completed","data":{"user_id":)" + id + R"(,"course":"FA-101"}})";
    (void)(*events)->record_event({"webhook:moodle", "bench-" + id, "course-completed", body, to_unix(clock.now())});
    {
      std::lock_guard<std::mutex> lock(mutex);
      sent["rule:first-aid|student:" + id + "|course:FA-101|gen:1"] = Steady::now();
    }
    daemon.wake();  // what the portal does after committing a webhook's event
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    sending = false;
  }
  watcher.join();
  const double sending_s = 1.0 * total / rate;
  const double elapsed = std::chrono::duration<double>(last_commit - start).count();
  daemon.request_stop();
  loop.join();
  json calls_after = get(control, "/_sim/stats")["calls"];
  simulator.stop();

  std::printf("events: %d at %d/s for %d s, simulated Moodle in its own process, %u hardware threads\n", total, rate,
              seconds, std::thread::hardware_concurrency());
  std::printf("  %zu certificates; the last committed %.1f s after the first event (%.0f/s; events took %.1f s)\n",
              latencies_ms.size(), elapsed, latencies_ms.size() / elapsed, sending_s);
  std::printf("  event -> committed certificate: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms; peak RSS %.1f MiB\n",
              percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.9), percentile(latencies_ms, 0.99),
              percentile(latencies_ms, 1.0), peak_rss_kib() / 1024.0);
  std::printf("  LMS calls per event (reads and the outbox's write-backs):");
  for (const auto& [function, after] : calls_after.items()) {
    long long before = calls_before.value(function, 0LL);
    long long made = after.get<long long>() - before;
    if (made > 0) std::printf("\n    %-50s %.2f", function.c_str(), 1.0 * made / total);
  }
  std::printf("\n");
  fs::remove_all(dir);
  return 0;
}

}  // namespace certd::bench
