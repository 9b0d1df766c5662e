// bench_app: the daemon's pipeline measured whole, in one process.
//
//   bench_app batch [ROWS] [TEMPLATE]  a CSV batch through render, PDF
//                                    files, store commits (default 10,000
//                                    rows of the first-aid template)
//   bench_app events [RATE] [SECS]   signed-webhook-like events at RATE/s for
//                                    SECS into a running daemon with a
//                                    simulated Moodle; event -> committed
//                                    certificate latency (p50/p99)
//
// Prints figures; asserts nothing. Uses the repository's demo templates
// and rules (run from the source root).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/batch_csv.hpp"
#include "app/batch_runner.hpp"
#include "app/daemon.hpp"
#include "app/issuer.hpp"
#include "app/pdf_archive.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "connector/lms.hpp"
#include "connector/simulator/server.hpp"
#include "core/log.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace certd;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("certd-bench-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string write_config(const fs::path& dir, const std::string& lms_url) {
  std::string examples = fs::absolute("examples").string();
  std::string path = (dir / "certd.yaml").string();
  std::ofstream(path) << "lms:\n  url: " << lms_url << "\n  token_env: CERTD_LMS_TOKEN\n"
                      << "  poll_interval: 3600s\n  max_requests_per_second: 10000\n"
                      << "portal:\n  listen: 127.0.0.1:0\n  public_url: https://certs.riverside.example\n"
                      << "issuer:\n  name: Riverside Swim School\n"
                      << "data_dir: " << (dir / "data").string() << "\n"
                      << "rules_dir: " << examples << "/rules\ntemplates_dir: " << examples << "/templates\n";
  return path;
}

int bench_batch(int rows, const std::string& template_id) {
  log::set_level(log::Level::warn);
  fs::path dir = fresh_dir("batch");
  ::setenv("CERTD_LMS_TOKEN", "unused", 1);
  app::GlobalOptions globals;
  globals.config_path = write_config(dir, "http://127.0.0.1:9");
  auto runtime = app::open_runtime(globals);
  if (!runtime) {
    std::fprintf(stderr, "%s\n", runtime.error().to_string().c_str());
    return 1;
  }
  std::ostringstream csv;
  csv << "student,name,course,expires_on,notes\n";
  for (int i = 0; i < rows; ++i)
    csv << "pupil" << i << "@families.example,Pupil Number " << i << ",First Aid Basics,2028-12-31,Well done\n";
  app::BatchFile file = app::parse_batch_csv(csv.str(), "bench.csv", (*runtime)->clock.now());
  app::BatchRunner runner((*runtime)->school, *(*runtime)->store, *(*runtime)->issuer, (*runtime)->clock);
  auto imported = runner.import(file, template_id, "bench.csv", "Ms Jones", false);
  if (!imported || !imported->batch) return 1;  // a fresh folder: every row is new
  store::Id id = *imported->batch;
  std::printf("batch: %d certificates (%s template, %u hardware threads)\n", rows, template_id.c_str(),
              std::thread::hardware_concurrency());
  std::printf("  %8s %10s %10s\n", "issued", "certs/s", "RSS MiB");
  auto start = Clock::now();
  auto window = Clock::now();
  int done = 0;
  int since = 0;
  while (true) {
    auto handled = runner.run_group(100);
    if (!handled || *handled == 0) break;
    done += *handled;
    since += *handled;
    if (done % 1000 == 0) {
      std::printf("  %8d %10.0f %10.1f\n", done, since / seconds_since(window), rss_kib() / 1024.0);
      window = Clock::now();
      since = 0;
    }
  }
  double total = seconds_since(start);
  auto progress = (*runtime)->store->batch_progress(id);
  std::printf("  total: %lld issued, %lld failed in %.1f s = %.0f certificates/s; peak RSS %.1f MiB\n",
              static_cast<long long>(progress->issued), static_cast<long long>(progress->failed), total,
              progress->issued / total, peak_rss_kib() / 1024.0);
  fs::remove_all(dir);
  return 0;
}

// Adds `count` students enrolled in First Aid who have not finished yet.
std::vector<std::string> add_fresh_students(connector::simulator::School& school, int count) {
  std::vector<std::string> usernames;
  auto* course = school.course_named("FA-101");
  for (int i = 0; i < count; ++i) {
    connector::simulator::User user;
    user.id = school.next_user_id();
    user.username = "bench" + std::to_string(i);
    user.firstname = "Bench";
    user.lastname = "Student " + std::to_string(i);
    user.email = user.username + "@families.example";
    school.users.push_back(user);
    course->enrolments.push_back({user.id, connector::simulator::k_student_role, false});
    usernames.push_back(user.username);
  }
  return usernames;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * (values.size() - 1))];
}

int bench_events(int rate, int seconds) {
  log::set_level(log::Level::warn);
  fs::path dir = fresh_dir("events");
  auto world = connector::simulator::load_school_file("examples/school.yaml");
  if (!world) return 1;
  int total = rate * seconds;
  std::vector<std::string> students = add_fresh_students(*world, total);
  std::map<std::string, connector::simulator::Id> ids;
  for (const auto& user : world->users) ids[user.username] = user.id;
  ::setenv("CERTD_LMS_TOKEN", world->token.c_str(), 1);
  auto simulator = connector::simulator::Server::start(std::move(*world));
  if (!simulator) return 1;
  auto school = app::load_school(write_config(dir, (*simulator)->url()));
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
  (void)daemon.run_once();  // the school's existing certificates first
  std::thread loop([&] { (void)daemon.run(); });

  auto events = store::open_sqlite_store(school->store_path());
  std::map<std::string, Clock::time_point> sent;  // key -> when its event committed
  std::vector<double> latencies_ms;
  std::mutex mutex;
  bool sending = true;
  std::thread watcher([&] {
    auto reader = store::open_sqlite_store(school->store_path());
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (!sending && sent.empty()) break;
      }
      auto recent = (*reader)->recent_certificates(200);
      auto now = Clock::now();
      std::lock_guard<std::mutex> lock(mutex);
      for (const auto& row : *recent) {
        auto it = sent.find(row.certificate.idempotency_key);
        if (it == sent.end()) continue;
        latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        sent.erase(it);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  auto start = Clock::now();
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1000000LL * i / rate));
    const std::string& username = students[static_cast<std::size_t>(i)];
    (void)(*simulator)->set_grade(username, "FA-101", 90);
    (void)(*simulator)->complete_course(username, "FA-101");
    std::string id = std::to_string(ids[username]);
    std::string body = R"({"type":"progress","data":{"user_id":)" + id + R"(,"course":"FA-101"}})";
    (void)(*events)->record_event({"webhook:moodle", "bench-" + id, "progress", body, to_unix(clock.now())});
    {
      std::lock_guard<std::mutex> lock(mutex);
      sent["rule:first-aid|student:" + id + "|course:FA-101|gen:1"] = Clock::now();
    }
    daemon.wake();  // what the portal does after committing a webhook's event
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    sending = false;
  }
  watcher.join();
  double elapsed = seconds_since(start);
  daemon.request_stop();
  loop.join();
  std::printf("events: %d at %d/s (%d s) -> %zu certificates in %.1f s\n", total, rate, seconds, latencies_ms.size(),
              elapsed);
  std::printf("  event -> committed certificate: p50 %.0f ms, p99 %.0f ms, max %.0f ms; peak RSS %.1f MiB\n",
              percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99), percentile(latencies_ms, 1.0),
              peak_rss_kib() / 1024.0);
  fs::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "batch";
  if (mode == "batch") return bench_batch(argc > 2 ? std::atoi(argv[2]) : 10000, argc > 3 ? argv[3] : "first-aid");
  if (mode == "events") return bench_events(argc > 2 ? std::atoi(argv[2]) : 100, argc > 3 ? std::atoi(argv[3]) : 20);
  std::fprintf(stderr, "usage: bench_app batch [ROWS] | events [RATE] [SECONDS]\n");
  return 2;
}
