// Usage (from the source root): bench_render [COUNT [TEMPLATE...]].
// Throughput of render_certificate (render + sign + save) per demo
// template: N certificates on one thread, then N per thread on every core.
// Names rotate through Latin, Polish, Cyrillic and Greek, as at a school.

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.hpp"
#include "render/certificate_number.hpp"
#include "render/renderer.hpp"

namespace {

using certd::render::CertificateData;
using certd::render::Signer;
using certd::render::Template;

const char* const k_names[] = {"Zoë Ångström-Łukasiewicz", "Oliver Smith",  "Алексей Смирнов", "Amelia Johnson",
                               "Νίκος Παπαδόπουλος",       "Jakub Wójcik",  "Chloé Lefèvre",   "Noah Williams"};

CertificateData data_for(const Template& loaded, int i) {
  CertificateData data;
  std::array<std::uint8_t, certd::render::k_number_random_bytes> random{};
  for (std::size_t k = 0; k < random.size(); ++k) random[k] = static_cast<std::uint8_t>(i * 7 + k * 13);
  data.number = *certd::render::make_certificate_number(loaded.spec().number_prefix, random);
  data.student_name = k_names[i % 8];
  data.course_name = "First Aid at Work";
  data.title = "First Aid at Work";  // the templates print {{title}}, which is never empty when issuing
  data.teacher_name = "Maria Kowalska";
  data.notes = "For steady, brave progress in deep water all term.";
  data.level = "Level 3";
  data.grade = "92%";
  data.skills = {"Front crawl 25 m", "Back crawl 25 m", "Treading water 1 min", "Surface dive"};
  data.issued_at = *certd::parse_iso8601("2026-11-23T12:00:00Z");
  data.expires_at = *certd::parse_iso8601("2028-11-23T12:00:00Z");
  data.issuer_name = "Riverside Swim School";
  data.verify_url = certd::render::make_verify_url("https://certs.example.edu", data.number);
  return data;
}

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

struct Rate {
  double per_wall_second = 0;
  double per_cpu_second = 0;  // unaffected by other processes on a shared machine
};

// Renders `count` certificates on each of `threads` threads.
Rate run(const Template& loaded, const Signer& signer, int threads, int count, std::size_t* bytes) {
  std::atomic<bool> failed{false};
  double cpu_start = process_cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < count; ++i) {
        auto rendered = certd::render::render_certificate(loaded, data_for(loaded, t * count + i), signer);
        if (!rendered) {
          std::fprintf(stderr, "render failed: %s\n", rendered.error().to_string().c_str());
          failed = true;
          return;
        }
        if (t == 0 && i == 0) *bytes = rendered->pdf.size();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = process_cpu_seconds() - cpu_start;
  if (failed) return Rate{};
  return Rate{threads * count / seconds, threads * count / cpu};
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 500;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::array<std::uint8_t, certd::render::k_ed25519_seed_bytes> seed{};
  seed.fill(7);
  Signer signer = std::move(Signer::from_seed(seed)).value();
  std::printf("bench_render: %d signed certificates per thread; %d cores\n", count, cores);
  std::printf("%-14s %8s %8s %11s %11s %12s %11s %8s %8s %8s\n", "template", "load ms", "load CPU", "1 thread/s", "per CPU-s",
              "all cores/s", "per CPU-s", "PDF KB", "bg KB", "peak MB");
  std::vector<std::string> ids = {"swim-level", "first-aid", "encouragement"};
  if (argc > 2) ids.assign(argv + 2, argv + argc);  // bench_render COUNT [TEMPLATE...]
  for (const std::string& id : ids) {
    std::string path = "examples/templates/" + id + ".yaml";
    auto load_start = std::chrono::steady_clock::now();
    double load_cpu_start = process_cpu_seconds();
    certd::render::TemplateLoad load = certd::render::load_template_file(path);
    double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start).count();
    double load_cpu_ms = (process_cpu_seconds() - load_cpu_start) * 1000;  // one thread loads: its CPU time
    if (!load.ok()) {
      std::fprintf(stderr, "%s\n", load.errors.front().to_string().c_str());
      return 1;
    }
    std::size_t bytes = 0;
    run(*load.loaded, signer, 1, std::max(1, count / 10), &bytes);  // warm up caches
    Rate one = run(*load.loaded, signer, 1, count, &bytes);
    Rate all = run(*load.loaded, signer, cores, count, &bytes);
    auto background = load.loaded->spec().background.empty()
                          ? 0
                          : std::filesystem::file_size(load.loaded->spec().background);
    std::printf("%-14s %8.1f %8.1f %11.1f %11.1f %12.1f %11.1f %8.1f %8.1f %8.1f\n", id.c_str(), load_ms, load_cpu_ms,
                one.per_wall_second,
                one.per_cpu_second, all.per_wall_second, all.per_cpu_second, bytes / 1024.0, background / 1024.0,
                peak_rss_kib() / 1024.0);
  }
  return 0;
}
