// The /metrics registry: the Prometheus text format as its parsers read it
// (the end-to-end test reads a running certd's page with prometheus_client).
#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace certd::metrics {
namespace {

TEST(MetricsRegistry, CountersAddUpPerLabelSetAndAreSortedByName) {
  Registry registry;
  registry.add("certd_b_total", "B things", {{"source", "moodle"}, {"status", "200"}});
  registry.add("certd_b_total", "B things", {{"source", "moodle"}, {"status", "200"}}, 2);
  registry.add("certd_b_total", "B things", {{"source", "moodle"}, {"status", "401"}});
  registry.add("certd_a_total", "A things", {}, 5);
  EXPECT_EQ(registry.text(),
            "# HELP certd_a_total A things\n"
            "# TYPE certd_a_total counter\n"
            "certd_a_total 5\n"
            "# HELP certd_b_total B things\n"
            "# TYPE certd_b_total counter\n"
            "certd_b_total{source=\"moodle\",status=\"200\"} 3\n"
            "certd_b_total{source=\"moodle\",status=\"401\"} 1\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  const std::vector<double> bounds{0.1, 1};
  registry.observe("certd_x_seconds", "X time", bounds, {{"template", "fa"}}, 0.05);
  registry.observe("certd_x_seconds", "X time", bounds, {{"template", "fa"}}, 0.5);
  registry.observe("certd_x_seconds", "X time", bounds, {{"template", "fa"}}, 7);
  EXPECT_EQ(registry.text(),
            "# HELP certd_x_seconds X time\n"
            "# TYPE certd_x_seconds histogram\n"
            "certd_x_seconds_bucket{template=\"fa\",le=\"0.1\"} 1\n"
            "certd_x_seconds_bucket{template=\"fa\",le=\"1\"} 2\n"
            "certd_x_seconds_bucket{template=\"fa\",le=\"+Inf\"} 3\n"
            "certd_x_seconds_sum{template=\"fa\"} 7.55\n"
            "certd_x_seconds_count{template=\"fa\"} 3\n");
}

TEST(MetricsRegistry, ANameKeepsTheKindItWasFirstUsedAs) {
  Registry registry;
  registry.add("certd_y", "Y", {});
  registry.observe("certd_y", "Y", {1}, {}, 0.5);
  EXPECT_EQ(registry.text(), "# HELP certd_y Y\n# TYPE certd_y counter\ncertd_y 1\n");
}

TEST(MetricsRegistry, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Registry registry;
  registry.add("certd_z_total", "Z", {{"course", "SWIM \"L3\""}});
  EXPECT_NE(registry.text().find("certd_z_total{course=\"SWIM \\\"L3\\\"\"} 1\n"), std::string::npos);
}

TEST(MetricsRegistry, CountsFromManyThreadsAreAllKept) {
  Registry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&registry] {
      for (int i = 0; i < 1000; ++i) registry.add("certd_n_total", "N", {{"k", "v"}});
    });
  for (std::thread& t : threads) t.join();
  EXPECT_NE(registry.text().find("certd_n_total{k=\"v\"} 4000\n"), std::string::npos);
}

TEST(MetricsSamples, AFamilyReadElsewhereHasItsTypeAndOneLinePerSample) {
  EXPECT_EQ(samples_text("certd_events", "Events", "gauge", {{{{"state", "new"}}, 2}, {{{"state", "failed"}}, 0}}),
            "# HELP certd_events Events\n# TYPE certd_events gauge\n"
            "certd_events{state=\"new\"} 2\ncertd_events{state=\"failed\"} 0\n");
  EXPECT_EQ(samples_text("certd_q", "Q", "gauge", {{{}, 0.25}}), "# HELP certd_q Q\n# TYPE certd_q gauge\ncertd_q 0.25\n");
}

}  // namespace
}  // namespace certd::metrics
