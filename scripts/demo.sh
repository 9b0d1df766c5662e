#!/usr/bin/env bash
# Installs what is missing, builds, checks the demo school's configuration
# and runs the demo: a simulated Moodle school, the daemon, signed PDFs,
# e-mails in an outbox folder. Usage: scripts/demo.sh [certd demo options,
# e.g. --json, --serve, --students 200, --smtp smtp://127.0.0.1:2525]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh run
# check-config reads every secret `certd run` would, so it gets the demo's:
# the simulator's token (data, not a secret: examples/school.yaml) and, as
# the demo sends no webhook, a fresh Standard Webhooks secret.
CERTD_LMS_TOKEN=c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e \
CERTD_WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64 -w0)" \
  ./build/certd check-config --config examples/certd.yaml
./build/certd demo "$@"
