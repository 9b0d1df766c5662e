#include "core/metrics.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <mutex>

namespace certd::metrics {
namespace {

// Label sets as one sortable key: name="value",... in the caller's order.
std::string label_text(const Labels& labels) {
  std::string text;
  for (const auto& [name, value] : labels) {
    if (!text.empty()) text += ',';
    text += name + "=\"" + escape_label_value(value) + '"';
  }
  return text;
}

std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);
}

std::string series(std::string_view name, const std::string& labels) {
  return labels.empty() ? std::string(name) : fmt::format("{}{{{}}}", name, labels);
}

struct Histogram {
  std::vector<std::uint64_t> buckets;  // per bound, not cumulative
  std::uint64_t count = 0;
  double sum = 0;
};

struct Family {
  std::string help;
  bool histogram = false;
  std::vector<double> bounds;
  std::map<std::string, double> counters;       // by label text
  std::map<std::string, Histogram> histograms;  // by label text
};

}  // namespace

struct Registry::State {
  mutable std::mutex mutex;
  std::map<std::string, Family, std::less<>> families;  // Guarded by mutex.

  Family& family(std::string_view name, std::string_view help, bool histogram) {
    auto found = families.find(name);
    if (found == families.end()) {
      found = families.emplace(std::string(name), Family{}).first;
      found->second.help = std::string(help);
      found->second.histogram = histogram;
    }
    return found->second;
  }
};

Registry::Registry() : m_state(std::make_unique<State>()) {}
Registry::~Registry() = default;

void Registry::add(std::string_view name, std::string_view help, const Labels& labels, double value) {
  std::string key = label_text(labels);
  std::lock_guard<std::mutex> lock(m_state->mutex);
  Family& family = m_state->family(name, help, false);
  if (family.histogram) return;  // a name is one kind for the life of the process
  family.counters[key] += value;
}

void Registry::observe(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                       const Labels& labels, double value) {
  std::string key = label_text(labels);
  std::lock_guard<std::mutex> lock(m_state->mutex);
  Family& family = m_state->family(name, help, true);
  if (!family.histogram) return;
  if (family.bounds.empty()) family.bounds = bounds;
  Histogram& histogram = family.histograms[key];
  histogram.buckets.resize(family.bounds.size());
  for (std::size_t i = 0; i < family.bounds.size(); ++i)
    if (value <= family.bounds[i]) {
      ++histogram.buckets[i];
      break;
    }
  ++histogram.count;
  histogram.sum += value;
}

std::string Registry::text() const {
  std::string out;
  std::lock_guard<std::mutex> lock(m_state->mutex);
  for (const auto& [name, family] : m_state->families) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name,
                       family.histogram ? "histogram" : "counter");
    for (const auto& [labels, value] : family.counters) out += series(name, labels) + ' ' + number(value) + '\n';
    for (const auto& [labels, histogram] : family.histograms) {
      const std::string prefix = labels.empty() ? std::string() : labels + ',';
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < family.bounds.size(); ++i) {
        cumulative += histogram.buckets[i];
        out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix, number(family.bounds[i]), cumulative);
      }
      out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, prefix, histogram.count);
      out += series(std::string(name) + "_sum", labels) + ' ' + number(histogram.sum) + '\n';
      out += series(std::string(name) + "_count", labels) + ' ' + number(static_cast<double>(histogram.count)) + '\n';
    }
  }
  return out;
}

Registry& process() {
  static Registry* registry = new Registry;  // never destroyed: threads may still count at exit
  return *registry;
}

const std::vector<double>& seconds_buckets() {
  static const std::vector<double> bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return bounds;
}

std::string samples_text(std::string_view name, std::string_view help, std::string_view type,
                         const std::vector<Sample>& samples) {
  std::string out = fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  for (const Sample& sample : samples) out += series(name, label_text(sample.labels)) + ' ' + number(sample.value) + '\n';
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') escaped += "\\\\";
    else if (c == '"') escaped += "\\\"";
    else if (c == '\n') escaped += "\\n";
    else escaped += c;
  }
  return escaped;
}

}  // namespace certd::metrics
