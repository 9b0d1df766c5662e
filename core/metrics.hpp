#pragma once
// One small registry of the process's own figures for /metrics, in the
// Prometheus text format (version 0.0.4): counters and histograms, each a
// family of series told apart by label values. Figures that live in the
// store (certificates, queues) are not kept here: they are read at scrape
// time and written with samples_text(), so they survive restarts and agree
// between processes.
//
// Thread-safe. Label values come from the config, the rules or fixed
// words; never put text a stranger sent (a URL, a header) in one.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certd::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds `value` to counter `name`{labels}; the first call for a name
  // fixes its help text.
  void add(std::string_view name, std::string_view help, const Labels& labels, double value = 1);
  // Counts `value` into histogram `name`{labels}; `bounds` are the upper
  // bounds of its buckets, ascending (+Inf is added), fixed by the first call.
  void observe(std::string_view name, std::string_view help, const std::vector<double>& bounds, const Labels& labels,
               double value);
  // Every family, sorted by name, each series sorted by its labels.
  std::string text() const;

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

// The process's registry.
Registry& process();

// Bucket bounds in seconds for things that take milliseconds to seconds.
const std::vector<double>& seconds_buckets();

struct Sample {
  Labels labels;
  double value = 0;
};
// A family read elsewhere (the store), in the same format: # HELP,
// # TYPE `type` ("gauge" or "counter"), one line per sample.
std::string samples_text(std::string_view name, std::string_view help, std::string_view type,
                         const std::vector<Sample>& samples);

// `value` as the format wants it inside the quotes of a label.
std::string escape_label_value(std::string_view value);

}  // namespace certd::metrics
