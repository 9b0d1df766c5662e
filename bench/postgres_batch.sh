#!/usr/bin/env bash
# A CSV batch (10,000 rows by default) issued by `certd run` workers: 1 and 2
# workers on one PostgreSQL 15 store, then 1 and 2 on SQLite for comparison.
# Each worker is held to one render thread (--render-threads 1), so the
# figure shows how the work is shared and not how many cores this machine
# has. Prints seconds, certificates per second, the speed-up and duplicate
# certificates; asserts nothing.
# Usage: bench/postgres_batch.sh [ROWS]   (from the source root, after scripts/setup.sh test)
set -euo pipefail
rows=${1:-10000}
certd=$(realpath "${CERTD:-build/certd}")
dir=$(mktemp -d /tmp/certd-pg-batch.XXXXXX)
chmod 755 "$dir"
workers=()
cleanup() {
  for pid in "${workers[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -f "$dir/pg/postmaster.pid" ] && as_server "$bindir/pg_ctl" -D "$dir/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

# A scratch PostgreSQL server, durable as a real one (fsync on), with its
# socket in $dir and no TCP port. As root the server runs as `postgres`.
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir "$dir/pg" "$dir/sock" "$dir/server"
[ "$(id -u)" = 0 ] && chown postgres "$dir/pg" "$dir/sock" "$dir/server"
as_server "$bindir/initdb" -D "$dir/pg" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log"
as_server "$bindir/pg_ctl" -D "$dir/pg" -l "$dir/server/pg.log" -w \
  -o "-k $dir/sock -c listen_addresses='' -c max_connections=50" start >/dev/null
psql() { "$bindir/psql" -X -q -t -A "postgresql:///$1?host=$dir/sock&user=postgres" -c "$2"; }

# CPU seconds (user + system) of processes: of the given pids, or of the
# PostgreSQL server and its backends. Read before the workers stop, while
# their backends still live.
cpu_of() { ps -o times= -p "$(echo "$@" | tr ' ' ',')" | awk '{s += $1} END {print s + 0}'; }
server_cpu() {
  local postmaster
  postmaster=$(head -1 "$dir/pg/postmaster.pid")
  cpu_of "$postmaster" $(ps -o pid= --ppid "$postmaster")
}

/usr/bin/python3 - "$dir/rows.csv" "$rows" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("student,name,course,notes\n")
    for i in range(int(sys.argv[2])):
        out.write(f"pupil{i}@families.example,Pupil {i},Lifeguard Basics,Row {i}\n")
PY

# One school per run: its config, data dir and (for PostgreSQL) database.
school() {  # name kind
  local name=$1 kind=$2 store=""
  if [ "$kind" = postgresql ]; then
    psql postgres "CREATE DATABASE $name ENCODING 'UTF8'"
    store="store: { kind: postgresql, url_env: CERTD_STORE_URL }"
  fi
  mkdir -p "$dir/$name"
  cat > "$dir/$name/certd.yaml" <<YAML
lms: { url: "http://127.0.0.1:9", token_env: CERTD_LMS_TOKEN, poll_interval: 3600s }
portal: { listen: "127.0.0.1:0", public_url: "https://certs.example" }
issuer: { name: Bench School, email: office@bench.example }
$store
data_dir: $dir/$name/data
rules_dir: $PWD/examples/rules
templates_dir: $PWD/examples/templates
log_level: warn
YAML
}

batch_status() {  # name kind
  if [ "$2" = postgresql ]; then
    psql "$1" "SELECT status FROM batches WHERE id = 1"
  else
    /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT status FROM batches WHERE id = 1").fetchone()[0])' \
      "$dir/$1/data/certd.sqlite"
  fi
}

counts() {  # name kind -> "certificates distinct_rows"
  local sql="SELECT count(*) || ' ' || count(DISTINCT student_id) FROM certificates WHERE batch_id = 1"
  if [ "$2" = postgresql ]; then psql "$1" "$sql"; else
    /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
      "$dir/$1/data/certd.sqlite" "$sql"
  fi
}

export CERTD_LMS_TOKEN=bench-token-0123456789abcdef
declare -A took
run() {  # kind workers
  local kind=$1 n=$2 name="${1}_$2"
  school "$name" "$kind"
  export CERTD_STORE_URL="postgresql:///$name?host=$dir/sock&user=postgres"
  "$certd" batch import "$dir/rows.csv" --template encouragement --detach --teacher Bench \
    --config "$dir/$name/certd.yaml" >/dev/null
  local start end server_before=0 server_after=0 workers_cpu
  [ "$kind" = postgresql ] && server_before=$(server_cpu)
  start=$(date +%s.%N)
  workers=()
  for w in $(seq 1 "$n"); do
    "$certd" run --config "$dir/$name/certd.yaml" --worker "w$w" --render-threads 1 2>>"$dir/$name/workers.log" &
    workers+=($!)
  done
  until [ "$(batch_status "$name" "$kind")" = done ]; do sleep 0.2; done
  end=$(date +%s.%N)
  workers_cpu=$(cpu_of "${workers[@]}")
  [ "$kind" = postgresql ] && server_after=$(server_cpu)
  for pid in "${workers[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
  workers=()
  read -r certificates distinct <<<"$(counts "$name" "$kind")"
  local seconds
  seconds=$(echo "$end - $start" | bc -l)
  took[$name]=$seconds
  printf '%-10s %d worker(s): %6d rows in %7.1f s = %6.1f certificates/s; %d certificates, %d duplicates\n' \
    "$kind" "$n" "$rows" "$seconds" "$(echo "$rows / $seconds" | bc -l)" "$certificates" \
    "$((certificates - distinct))"
  printf '           CPU: workers %.0f s, PostgreSQL %.0f s; %.1f ms a certificate, %.0f %% of %d cores\n' \
    "$workers_cpu" "$((server_after - server_before))" \
    "$(echo "($workers_cpu + $server_after - $server_before) * 1000 / $rows" | bc -l)" \
    "$(echo "($workers_cpu + $server_after - $server_before) * 100 / $seconds / $(nproc)" | bc -l)" "$(nproc)"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); PostgreSQL $("$bindir/postgres" --version | awk '{print $3}'), fsync on"
run postgresql 1
run postgresql 2
printf 'PostgreSQL: 2 workers are %.2fx one\n' "$(echo "${took[postgresql_1]} / ${took[postgresql_2]}" | bc -l)"
run sqlite 1
run sqlite 2
printf 'SQLite: 2 workers are %.2fx one\n' "$(echo "${took[sqlite_1]} / ${took[sqlite_2]}" | bc -l)"
