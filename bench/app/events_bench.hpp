#pragma once
// bench_app events: event -> committed certificate latency (events_bench.cpp).
namespace certd::bench {
int bench_events(int rate, int seconds);
}
