#!/usr/bin/env bash
# Installs what is missing, builds (warnings are errors), runs the fuzz
# targets for a bounded time and every test through ctest, under
# AddressSanitizer and UndefinedBehaviorSanitizer. ctest's summary is the
# last thing printed.
#
#   scripts/test.sh [ctest args]           what CI runs: the fuzz targets
#       (scripts/fuzz.sh), then the sanitized build in build-asan/ (every
#       warning an error) and every test there; any sanitizer report fails
#       its test.
#   scripts/test.sh --plain [ctest args]   the Release build in build/ (what
#       the demo and a school run, and the benchmarks) and the fuzz targets,
#       then every test on the Release build: the quicker loop while
#       working, without sanitizers.
#   scripts/test.sh --sanitize [ctest args]  only the sanitized build and
#       its tests (no fuzzing).
#   scripts/test.sh --all [ctest args]     before a release: the Release
#       build, the fuzz targets, and every test on both builds.
#
# CI leaves the Release build out: on 2 cores it cost about twelve of CI's
# ninety minutes, and the sanitized build compiles the same sources (and the
# tests) with the same warnings as errors.
#
# CERTD_FUZZ_SECONDS sets each fuzz target's time (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

release=0      # build/ (Release, warnings as errors) and every test there
fuzz=1         # the fuzz targets (their own clang build)
sanitized=1    # build-asan/ and every test there
case "${1:-}" in
  --plain) release=1; sanitized=0; shift ;;
  --sanitize) fuzz=0; shift ;;
  --all) release=1; shift ;;
esac

# Every finding aborts, except the vptr check, which stays recoverable so
# that scripts/ubsan.supp can name the one type pun inside cpprestsdk's
# headers; halt_on_error below still stops at any vptr report not listed.
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-recover=vptr -fno-omit-frame-pointer"
build_sanitized() {
  # GCC 12 warns "may be used uninitialized" inside libstdc++ (std::regex,
  # std::function) when the sanitizers instrument it: false positives that
  # the plain build, with every warning an error, does not have.
  # Debug with -O1 -g1: assertions stay on, line numbers in every report,
  # and the build takes about half the time of -O2 -g on 2 cores.
  # -no-pie: the sanitizers' data for every check (source locations, type
  # descriptors, globals' redzones) is ~80 MB of pointers; in a PIE the
  # loader relocates all of it at every start, so `certd --version` took
  # 0.64 s of CPU instead of 0.33 s, and the suite starts thousands of
  # processes.
  CERTD_BUILD_DIR=build-asan scripts/setup.sh test -DCERTD_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DCERTD_BUILD_BENCH=OFF -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags -Wno-maybe-uninitialized" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined -no-pie"
}

# Each build installs what is missing first (scripts/setup.sh test), so the
# fuzz targets come after one of them.
[ "$release" = 1 ] && scripts/setup.sh test -DCERTD_WERROR=ON
[ "$sanitized" = 1 ] && build_sanitized
[ "$fuzz" = 1 ] && scripts/fuzz.sh "${CERTD_FUZZ_SECONDS:-20}"

if [ "$release" = 1 ]; then
  (cd build && ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@")
fi
if [ "$sanitized" = 1 ]; then
  # Children (certd run, simulate-lms) inherit these: a leak or undefined
  # behaviour in any process makes its exit code, and so the test, fail.
  export ASAN_OPTIONS="detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan.supp"
  export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
  export CERTD_SANITIZED=1
  echo "test: every test under ASan+UBSan (build-asan)"
  (cd build-asan && ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@")
fi
