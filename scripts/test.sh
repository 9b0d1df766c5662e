#!/usr/bin/env bash
# Installs what is missing, builds (warnings are errors), runs the fuzz
# targets for a bounded time, then every test through ctest; ctest's
# summary is the last thing printed. Usage: scripts/test.sh [ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh test -DCERTD_WERROR=ON
scripts/fuzz.sh "${CERTD_FUZZ_SECONDS:-20}"

cd build
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
