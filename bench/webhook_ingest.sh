#!/usr/bin/env bash
# Webhook ingest: signed Standard Webhooks requests from wrk on loopback
# into `certd run`; counts the events that reached the database (durable
# before each 2xx). Prints figures, asserts nothing.
# Usage: bench/webhook_ingest.sh [SECONDS] [CONNECTIONS]   (from the source root, after scripts/setup.sh test)
set -euo pipefail
seconds=${1:-10}
connections=${2:-32}
certd=${CERTD:-build/certd}
dir=$(mktemp -d /tmp/certd-ingest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
cat > "$dir/certd.yaml" <<YAML
lms: { url: "http://127.0.0.1:9", token_env: CERTD_LMS_TOKEN, poll_interval: 3600s }
portal: { listen: "127.0.0.1:$port", public_url: "https://certs.example" }
webhooks: { sources: { moodle: { secret_env: CERTD_WEBHOOK_SECRET } } }
issuer: { name: Bench School }
data_dir: $dir/data
rules_dir: $PWD/examples/rules
templates_dir: $PWD/examples/templates
log_level: error
YAML

# Signed requests, each with its own webhook-id, made up front (wrk's Lua
# has no HMAC). The body names no student: the daemon records the event,
# then fails it cheaply, so the figure is ingest, not issuance.
/usr/bin/python3 - "$dir/requests.txt" "$secret" <<'PY'
import base64, hashlib, hmac, sys, time
path, secret = sys.argv[1], sys.argv[2]
key = base64.b64decode(secret[len("whsec_"):])
now = int(time.time())
body = '{"type":"ping","data":{}}'
with open(path, "w") as out:
    for i in range(400000):
        msg_id = "msg_%07d" % i
        sig = base64.b64encode(hmac.new(key, f"{msg_id}.{now}.{body}".encode(), hashlib.sha256).digest()).decode()
        out.write(f"{msg_id}\t{now}\tv1,{sig}\t{body}\n")
PY
cat > "$dir/hooks.lua" <<'LUA'
local requests = {}
local n = 0
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(args[1]) do
    local id, ts, sig, body = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)")
    requests[#requests + 1] = wrk.format("POST", "/hooks/moodle", {
      ["Content-Type"] = "application/json", ["webhook-id"] = id,
      ["webhook-timestamp"] = ts, ["webhook-signature"] = sig }, body)
  end
  -- Each wrk thread starts at its own offset so ids do not repeat.
  n = offset * math.floor(#requests / 2)
end
function request()
  n = n % #requests + 1
  return requests[n]
end
LUA

CERTD_LMS_TOKEN=x CERTD_WEBHOOK_SECRET=$secret "$certd" run --config "$dir/certd.yaml" 2>"$dir/daemon.log" &
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
echo "webhook ingest: wrk -t2 -c$connections -d${seconds}s against certd run on loopback ($(nproc) cores)"
wrk -t2 -c"$connections" -d"${seconds}s" -s "$dir/hooks.lua" "http://127.0.0.1:$port" -- "$dir/requests.txt" | sed 's/^/  /'
sleep 1
events=$(sqlite3 "$dir/data/certd.sqlite" "SELECT count(*) FROM events WHERE source = 'webhook:moodle'")
echo "  durable events recorded: $events ($((events / seconds))/s)"
