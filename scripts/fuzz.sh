#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (own build folder) and runs each
# for a bounded time on a copy of its seed corpus (fuzz/corpus/<name>/),
# with its dictionary (fuzz/dict/<name>.dict) when it has one, then prints
# each target's executions and speed. docs/fuzzing.md says what each covers.
#
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]
#   SECONDS per target: the argument, else $CERTD_FUZZ_SECONDS, else 20
#   (nightly: CERTD_FUZZ_SECONDS=600 scripts/fuzz.sh); NAMEs pick targets
#   (e.g. "pdf moodle"), all by default.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so a second clone (CI, a
# fresh-clone check) reuses what the first one compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
seconds=${1:-${CERTD_FUZZ_SECONDS:-20}}
if [ $# -gt 0 ]; then shift; fi
wanted=("$@")

# AddressSanitizer and UndefinedBehaviorSanitizer; undefined behaviour
# aborts like a crash (it found two overflows the plain build hid).
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" \
  -DCERTD_BUILD_FUZZ=ON -DCERTD_BUILD_TESTS=OFF -DCERTD_BUILD_BENCH=OFF > /dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target certd_fuzzers

export UBSAN_OPTIONS=print_stacktrace=1

# "stat::average_exec_per_sec: 1234" from libFuzzer's -print_final_stats=1.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

shopt -s nullglob
summary=()
ran=0
for target in build-fuzz/fuzz/*/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  name=${name#fuzz_}
  if [ ${#wanted[@]} -gt 0 ] && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  work=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name"/. "$work"/
  options=(-artifact_prefix="$work/" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
           -print_final_stats=1)
  [ -f "fuzz/dict/$name.dict" ] && options+=(-dict="fuzz/dict/$name.dict")
  echo "fuzz: $name for ${seconds}s"
  "$target" "${options[@]}" "$work" > "$work.log" 2>&1 || {
    tail -n 40 "$work.log"
    echo "fuzz: $name FAILED (the input that failed is in $work)"
    exit 1
  }
  summary+=("$(printf '%-20s %12s runs %8s exec/s  %6s MB peak' "$name" \
    "$(final_stat number_of_executed_units "$work.log")" "$(final_stat average_exec_per_sec "$work.log")" \
    "$(final_stat peak_rss_mb "$work.log")")")
  ran=$((ran + 1))
  rm -rf "$work" "$work.log"
done
for line in "${summary[@]}"; do echo "fuzz: $line"; done
echo "fuzz: $ran target(s) ran clean for ${seconds}s each"
