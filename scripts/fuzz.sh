#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (own build folder) and runs each
# for a bounded time on its seed corpus. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address" -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address" \
  -DCERTD_BUILD_FUZZ=ON -DCERTD_BUILD_TESTS=OFF -DCERTD_BUILD_BENCH=OFF > /dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target certd_fuzzers

shopt -s nullglob
targets=(build-fuzz/fuzz/*/fuzz_*)
for target in "${targets[@]}"; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus_seed="fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  [ -d "$corpus_seed" ] && cp -r "$corpus_seed"/. "$work"/
  echo "fuzz: $name for ${seconds}s"
  "$target" -artifact_prefix="$work/" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 "$work" \
    > "$work.log" 2>&1 || { tail -n 40 "$work.log"; echo "fuzz: $name FAILED"; exit 1; }
  rm -rf "$work" "$work.log"
done
echo "fuzz: ${#targets[@]} target(s) ran clean"
