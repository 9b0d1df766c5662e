#pragma once
// What bench_app's benchmarks share: scratch folders, the school's config,
// percentiles and memory figures. Header-only; bench code only.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace certd::bench {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

inline constexpr const char* k_token = "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e";  // examples/school.yaml's

// certd, beside this benchmark in the build tree, or CERTD_BIN.
inline std::string certd_binary() {
  if (const char* bin = std::getenv("CERTD_BIN")) return bin;
  return (fs::read_symlink("/proc/self/exe").parent_path() / "../../certd").lexically_normal().string();
}

inline double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

inline long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

inline long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

inline fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("certd-bench-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// certd.yaml for the demo school's rules and templates against `lms_url`,
// polling once an hour (events are what is measured) and without a rate
// limit on LMS requests.
inline std::string write_config(const fs::path& dir, const std::string& lms_url, const std::string& extra = "") {
  std::string examples = fs::absolute("examples").string();
  std::string path = (dir / "certd.yaml").string();
  std::ofstream(path) << "lms:\n  url: " << lms_url << "\n  token_env: CERTD_LMS_TOKEN\n"
                      << "  poll_interval: 3600s\n  max_requests_per_second: 10000\n"
                      << "portal:\n  listen: 127.0.0.1:0\n  public_url: https://certs.riverside.example\n"
                      << "issuer:\n  name: Riverside Swim School\n"
                      << "data_dir: " << (dir / "data").string() << "\n"
                      << "rules_dir: " << examples << "/rules\ntemplates_dir: " << examples << "/templates\n"
                      << extra;
  return path;
}

inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * (values.size() - 1))];
}

}  // namespace certd::bench
