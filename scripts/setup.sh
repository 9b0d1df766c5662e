#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages (only
# what is missing, so a second run is quick), then configures and builds
# certd in Release. Idempotent. Usage: scripts/setup.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config
  # libraries of the design card, and the well-kept ones we use
  libcpprest-dev libhpdf-dev libqrencode-dev libssl-dev libyaml-cpp-dev
  libsqlitecpp-dev libsqlite3-dev libcurl4-openssl-dev libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libkainjow-mustache-dev libqpdf-dev libcsv-dev
  libgtest-dev libgmock-dev libbenchmark-dev libharfbuzz-dev
  # fonts the demo templates use
  fonts-dejavu-core fonts-ipafont-gothic fonts-nanum
  # test tools: real servers and checkers the tests start or call
  python3-aiosmtpd poppler-utils zbar-tools qpdf sqlite3 clang libclang-rt-14-dev
  chromium wrk curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir=${CERTD_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" > /dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
