#pragma once
// bench_app soak: does a daemon stay flat over many polls and webhooks
// (soak_bench.cpp)?
namespace certd::bench {
int bench_soak(int polls, int webhooks);
}
