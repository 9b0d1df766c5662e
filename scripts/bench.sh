#!/usr/bin/env bash
# Builds and runs every benchmark; prints figures, asserts nothing.
# Usage: scripts/bench.sh [name filter, e.g. render]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
filter=${1:-}
shopt -s nullglob
for bench in build/bench/*/bench_*; do
  [ -x "$bench" ] || continue
  case "$bench" in *"$filter"*) ;; *) continue ;; esac
  echo "== $(basename "$bench")"
  "$bench"
done
case "app" in *"$filter"*)
  for rate in 50 100 200 250; do
    echo "== bench_app events ($rate events/s for 20 s)"
    build/bench/app/bench_app events "$rate" 20
  done
  echo "== issue now: a teacher's tick -> certificate, through the Moodle plugin's payload (200 marks)"
  bench/plugin_issue_now.py 200
  echo "== webhook ingest"
  bench/webhook_ingest.sh 10 32
  # Long (about 40 min here): CERTD_SOAK_POLLS=0 leaves it out.
  polls=${CERTD_SOAK_POLLS:-10000}
  if [ "$polls" -gt 0 ]; then
    echo "== soak: $polls polls back to back and as many webhooks: RSS, fds, WAL every 1,000"
    build/bench/app/bench_app soak "$polls" "$polls"
  fi ;;
esac
case "postgres" in *"$filter"*)
  echo "== a 10,000-row batch: 1 and 2 workers on PostgreSQL, then on SQLite, one render thread each"
  bench/postgres_batch.sh 10000 ;;
esac
case "console" in *"$filter"*)
  echo "== teacher console: LTI launches and the queue page (500 rows) under wrk"
  bench/console_pages.sh 10 8 1500 200 ;;
esac
