#!/usr/bin/env bash
# The teacher console under load. A demo school of STUDENTS students
# (1,500 queue about 500 rows in SWIM-L3) served by `certd demo --serve`;
# then COUNT LTI launches through the simulator, timed from the course
# page's link to the console page (bench/console_launch.py), and wrk on the
# queue page with one teacher's session cookie. Prints figures, asserts
# nothing.
# Usage: bench/console_pages.sh [SECONDS] [CONNECTIONS] [STUDENTS] [COUNT]
#        (from the source root, after scripts/setup.sh test)
set -euo pipefail
seconds=${1:-10}
connections=${2:-8}
students=${3:-1500}
count=${4:-200}
certd=${CERTD:-build/certd}
dir=$(mktemp -d /tmp/certd-console.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$certd" demo --out "$dir/demo" --students "$students" --port "$port" --serve --log-level error \
  > "$dir/demo.txt" 2> "$dir/demo.err" &
for _ in $(seq 1 600); do
  grep -q "_sim/lti/launch" "$dir/demo.err" 2>/dev/null && break
  sleep 0.5
done
sim=$(grep -o 'http://127.0.0.1:[0-9]*/_sim/lti/launch' "$dir/demo.err" | head -1 | sed 's|/_sim/lti/launch||')
[ -n "$sim" ] || { echo "the demo did not start:"; cat "$dir/demo.err"; exit 1; }
rows=$(sqlite3 "$dir/demo/data/certd.sqlite" "select count(*) from pending where course='SWIM-L3' and status='pending'")
echo "school: $students students, $rows rows in SWIM-L3's queue"

/usr/bin/python3 bench/console_launch.py "$sim" teacher1 SWIM-L3 "$count" | tee "$dir/launch.txt"
cookie=$(sed -n 's/^cookie: //p' "$dir/launch.txt")
bytes=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/console/course/SWIM-L3" | wc -c)
echo "queue page: $bytes bytes"
echo "wrk, $connections connections, ${seconds}s, GET /console/course/SWIM-L3:"
wrk -t 2 -c "$connections" -d "${seconds}s" --latency -H "Cookie: $cookie" \
  "http://127.0.0.1:$port/console/course/SWIM-L3" | sed -n '/Latency/,/Transfer/p'
