#!/usr/bin/env bash
# Installs what is missing, builds, checks the demo school's configuration
# and runs the demo. Usage: scripts/demo.sh [certd demo options, e.g. --json]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
./build/certd check-config --config examples/certd.yaml
# `certd demo` arrives with the daemon (issue #7); until then the demo
# stops after the configuration check.
