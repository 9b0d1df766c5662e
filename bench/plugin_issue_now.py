#!/usr/bin/env python3
"""A teacher's "issue now" tick in Moodle -> the certificate committed in
certd, through the Moodle plugin's own payload code and certd's webhook
path, on loopback. Prints figures, asserts nothing.

The simulated Moodle (`certd simulate-lms`) and `certd run` (polling once an
hour, so no poll helps) run as processes of their own. For each of MARKS
students of First Aid (not completed, so only the mark can issue):
  1. the teacher's tick: POST /_sim/issue-now, what Moodle's activity
     completion report stores (the clock starts here);
  2. the plugin's work after the request: `php tests/moodle_plugin/sign_webhook.php`
     builds and signs the webhook with classes/payload.php, as the plugin's
     shutdown sender does;
  3. the POST to certd's /hooks/moodle, answered once the event is committed;
  4. certd reads the mark back from Moodle, forces the certificate, and the
     clock stops when its row is in certd's SQLite file.
Marks are made one after another (a teacher clicking), MARKS of them.

Usage: bench/plugin_issue_now.py [MARKS]   (from the source root, after
scripts/setup.sh test; CERTD=path/to/certd, default build/certd)
"""
import base64
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

MARKS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
CERTD = os.environ.get("CERTD", "build/certd")
FIRST_ID = 300000
FA_101 = "3"  # the course id of FA-101 in examples/school.yaml
SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
TOKEN = "c3a7d0e5f1b2493c8d6e0f1a2b3c4d5e"  # examples/school.yaml's simulator token


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit(f"nothing listens on {port} after {seconds} s")


def post(url, body, headers=None):
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.read().decode()


def percentile(values, p):
    values = sorted(values)
    return values[int(p * (len(values) - 1))] if values else 0.0


def main():
    work = tempfile.mkdtemp(prefix="certd-issue-now-")
    school = os.path.join(work, "school.yaml")
    with open("examples/school.yaml") as demo, open(school, "w") as out:
        out.write(demo.read())
        for i in range(MARKS):
            out.write(f"  - id: {FIRST_ID + i}\n    username: mark{i}\n    firstname: Mark\n"
                      f"    lastname: \"Student {i}\"\n    email: mark{i}@families.example\n"
                      f"    courses:\n      FA-101: {{ grade: 55 }}\n")
    lms_port, portal_port = free_port(), free_port()
    examples = os.path.abspath("examples")
    config = os.path.join(work, "certd.yaml")
    with open(config, "w") as out:
        out.write(f"lms:\n  url: http://127.0.0.1:{lms_port}\n  token_env: CERTD_LMS_TOKEN\n"
                  f"  poll_interval: 3600s\n  max_requests_per_second: 10000\n"
                  f"portal:\n  listen: 127.0.0.1:{portal_port}\n  public_url: http://127.0.0.1:{portal_port}\n"
                  f"webhooks:\n  sources:\n    moodle: {{ secret_env: CERTD_WEBHOOK_SECRET }}\n"
                  f"issuer:\n  name: Riverside Swim School\n"
                  f"data_dir: {work}/data\nrules_dir: {examples}/rules\ntemplates_dir: {examples}/templates\n")
    env = dict(os.environ, CERTD_LMS_TOKEN=TOKEN, CERTD_WEBHOOK_SECRET=SECRET)
    quiet = subprocess.DEVNULL
    simulator = subprocess.Popen([CERTD, "simulate-lms", "--port", str(lms_port), "--data", school],
                                 stdout=quiet, stderr=quiet)
    certd = None
    try:
        wait_for_port(lms_port)
        certd = subprocess.Popen([CERTD, "run", "--config", config, "--log-level", "error"], env=env,
                                 stdout=quiet, stderr=quiet)
        wait_for_port(portal_port)
        time.sleep(3)  # its first poll and the demo school's own certificates
        store = sqlite3.connect(f"file:{work}/data/certd.sqlite?mode=ro", uri=True, timeout=5)
        total, plugin, answered, certd_part = [], [], [], []
        lms = f"http://127.0.0.1:{lms_port}"
        hook = f"http://127.0.0.1:{portal_port}/hooks/moodle"
        for i in range(MARKS):
            student = str(FIRST_ID + i)
            start = time.monotonic()
            post(f"{lms}/_sim/issue-now",
                 json.dumps({"username": f"mark{i}", "course": "FA-101", "teacher": "teacher1"}))
            marked = time.monotonic()
            signed = subprocess.run(["php", "tests/moodle_plugin/sign_webhook.php", SECRET, "issue-now", student,
                                     FA_101, "FA-101", str(i + 1), str(int(time.time()))],
                                    capture_output=True, text=True, check=True)
            webhook = json.loads(signed.stdout)
            headers = dict(h.split(": ", 1) for h in webhook["headers"])
            headers.pop("Content-Type", None)
            built = time.monotonic()
            status, _ = post(hook, webhook["body"], headers)
            if status != 200:
                sys.exit(f"certd answered {status} to mark {i}")
            sent = time.monotonic()
            deadline = sent + 30
            while time.monotonic() < deadline:
                row = store.execute("SELECT 1 FROM certificates WHERE student_id = ? AND kind = 'forced'",
                                    (student,)).fetchone()
                if row:
                    break
                time.sleep(0.002)
            else:
                sys.exit(f"no certificate for mark {i} after 30 s")
            done = time.monotonic()
            total.append((done - start) * 1000)
            plugin.append((built - marked) * 1000)
            answered.append((sent - built) * 1000)
            certd_part.append((done - built) * 1000)
        print(f"issue now: {MARKS} marks, one after another, simulated Moodle and certd run as processes, "
              f"{os.cpu_count()} cores")
        for name, values in (("tick -> certificate committed", total),
                             ("  of which the plugin's payload (php)", plugin),
                             ("  of which certd, webhook posted -> committed", certd_part),
                             ("    of which certd's answer to the webhook", answered)):
            print(f"  {name + ':':48} p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms, "
                  f"max {max(values):.0f} ms")
        print("  (php here starts a process per webhook; in Moodle the payload is built in the request's own PHP)")
        print("  by polling alone a mark waits for the next poll: lms.poll_interval, 60 s by default")
    finally:
        for process in (certd, simulator):
            if process:
                process.terminate()
                process.wait(timeout=30)
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
