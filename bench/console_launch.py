"""LTI launches of the teacher console, as a browser makes them: the course
page's link on the simulated Moodle, its form to certd's /lti/login, the
redirect to the platform's auth endpoint, its form_post of the id_token to
/lti/launch, the redirect to the console page. Standard library only.

Usage: console_launch.py SIM_URL USERNAME COURSE COUNT
Prints the latency figures of COUNT launches, then on its last line the
session cookie of the last one ("cookie: NAME=VALUE") for wrk."""
import html
import http.cookiejar
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request


def form_of(page):
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', page).group(1))
    fields = [(html.unescape(n), html.unescape(v)) for n, v in
              re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]*)"[^>]*value="([^"]*)"', page)]
    return action, urllib.parse.urlencode(fields).encode()


def launch(sim, username, course):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{sim}/_sim/lti/launch?username={username}&course={course}").read().decode()
    action, body = form_of(page)              # to certd's /lti/login
    page = opener.open(action, body).read().decode()  # 302 to auth.php, followed
    action, body = form_of(page)              # id_token to certd's /lti/launch
    answer = opener.open(action, body)        # 303 to the console, followed
    page = answer.read().decode()
    if "/console/course/" not in answer.geturl() or "Certificates to be issued" not in page:
        raise SystemExit(f"the launch did not reach the console: {answer.geturl()}")
    cookie = next(c for c in jar if "certd_session" in c.name)
    return f"{cookie.name}={cookie.value}"


def main():
    sim, username, course, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    launch(sim, username, course)  # the first fetches the platform's keys
    times = []
    cookie = ""
    for _ in range(count):
        start = time.perf_counter()
        cookie = launch(sim, username, course)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"launch to console page, {count} launches: p50 {p(0.50):.1f} ms, p90 {p(0.90):.1f} ms, "
          f"p99 {p(0.99):.1f} ms, max {times[-1]:.1f} ms, mean {statistics.mean(times):.1f} ms")
    print(f"cookie: {cookie}")


main()
