#!/usr/bin/env bash
# Installs what is missing, builds, checks the demo school's configuration
# and runs the demo: a simulated Moodle school, the daemon, signed PDFs,
# e-mails in an outbox folder. Usage: scripts/demo.sh [certd demo options,
# e.g. --json, --serve, --students 200, --smtp smtp://127.0.0.1:2525]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh run
./build/certd check-config --config examples/certd.yaml
./build/certd demo "$@"
