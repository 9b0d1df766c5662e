#!/usr/bin/env bash
# Installs what is missing from Debian's packages, then configures and
# builds certd in build/ (Release). Idempotent: a second run installs
# nothing and rebuilds only what changed.
#
#   scripts/setup.sh run  [extra cmake args]   what building and running need
#   scripts/setup.sh test [extra cmake args]   that, plus what the tests need
#
# `run` builds only the certd executable (no tests, no benchmarks), so a
# school's machine gets no test tool chain.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
  run | test) shift ;;
  *) echo "usage: scripts/setup.sh run|test [cmake args]" >&2; exit 2 ;;
esac

run_packages=(
  # tool chain
  build-essential cmake ninja-build ccache pkg-config
  # libraries of the design card, and the well-kept ones we use
  libcpprest-dev libhpdf-dev libqrencode-dev libssl-dev libyaml-cpp-dev
  libsqlitecpp-dev libsqlite3-dev libcurl4-openssl-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libkainjow-mustache-dev libqpdf-dev libcsv-dev
  libharfbuzz-dev libfribidi-dev libboost-dev libargon2-dev
  # Type=notify and the watchdog under systemd (sd_notify)
  libsystemd-dev
  # the PostgreSQL store (store/postgres_store.cpp; libpqxx 6.4 over libpq)
  libpqxx-dev
  # fonts the example templates print with (Noto: Latin, Greek, Cyrillic, Arabic,
  # Hebrew, Devanagari, Thai; IPAGothic: Japanese/Chinese; NanumGothic: Korean)
  fonts-dejavu-core fonts-dejavu-extra fonts-noto-core fonts-ipafont-gothic fonts-nanum
)
test_packages=(
  # test and benchmark frameworks
  libgtest-dev libgmock-dev libbenchmark-dev
  # libFuzzer and its sanitizer runtime
  clang libclang-rt-14-dev
  # real servers the tests start, and independent readers of our output
  python3-aiosmtpd poppler-utils zbar-tools qpdf sqlite3 curl python3-jwt
  # an independent reader of /metrics (tests/e2e/read_metrics.py)
  python3-prometheus-client
  # load generator of bench/webhook_ingest.sh
  wrk
  # the portal's pages in a real browser (tests/browser: playwright-core, axe-core)
  chromium nodejs
  # the Moodle plugin's PHP (moodle/local_certd): php -l and tests/moodle_plugin
  php-cli
  # the PostgreSQL server the store's tests start in a scratch folder (tests/store/postgres_cluster.hpp)
  postgresql-15
)

packages=("${run_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs comes without npm; some builds of nodejs carry their own.
[ "$mode" = test ] && ! command -v npm > /dev/null 2>&1 && missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache keys on paths relative to the checkout, so a second clone (CI, a
# fresh-clone check) reuses what the first one compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

build_dir=${CERTD_BUILD_DIR:-build}
if [ "$mode" = run ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCERTD_BUILD_TESTS=OFF -DCERTD_BUILD_BENCH=OFF "$@" > /dev/null
  cmake --build "$build_dir" --parallel "$(nproc)" --target certd
else
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCERTD_BUILD_TESTS=ON -DCERTD_BUILD_BENCH=ON "$@" > /dev/null
  cmake --build "$build_dir" --parallel "$(nproc)"
fi
