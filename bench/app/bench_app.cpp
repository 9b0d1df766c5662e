// bench_app: the daemon's pipeline measured whole.
//
//   bench_app batch [ROWS] [TEMPLATE]  a CSV batch through render, PDF
//                                    files, store commits (default 10,000
//                                    rows of the first-aid template)
//   bench_app events [RATE] [SECS]   webhook events at RATE/s for SECS into
//                                    a running daemon, the simulated Moodle
//                                    in its own process; event -> committed
//                                    certificate latency (events_bench.cpp)
//
// Prints figures; asserts nothing. Uses the repository's demo templates
// and rules (run from the source root).
#include <cstdio>
#include <sstream>
#include <thread>

#include "app/batch_csv.hpp"
#include "app/batch_runner.hpp"
#include "app/runtime.hpp"
#include "bench/app/bench_common.hpp"
#include "bench/app/events_bench.hpp"
#include "bench/app/soak_bench.hpp"
#include "core/log.hpp"
#include "store/store.hpp"

namespace {

using namespace certd;
using namespace certd::bench;

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
  auto start = Steady::now();
  auto window = Steady::now();
  int done = 0;
  int since = 0;
  while (true) {
    auto handled = runner.run_group(100);
    if (!handled || *handled == 0) break;
    done += *handled;
    since += *handled;
    if (done % 1000 == 0) {
      std::printf("  %8d %10.0f %10.1f\n", done, since / seconds_since(window), rss_kib() / 1024.0);
      window = Steady::now();
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

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "batch";
  if (mode == "batch") return bench_batch(argc > 2 ? std::atoi(argv[2]) : 10000, argc > 3 ? argv[3] : "first-aid");
  if (mode == "events") return certd::bench::bench_events(argc > 2 ? std::atoi(argv[2]) : 100, argc > 3 ? std::atoi(argv[3]) : 20);
  if (mode == "soak") return certd::bench::bench_soak(argc > 2 ? std::atoi(argv[2]) : 10000, argc > 3 ? std::atoi(argv[3]) : 10000);
  std::fprintf(stderr, "usage: bench_app batch [ROWS] | events [RATE] [SECONDS] | soak [POLLS] [WEBHOOKS]\n");
  return 2;
}
