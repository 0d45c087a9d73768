"""A bounded load run against a local server: ``python bench/load.py --plan plan.json``.

Each simulated user (one thread, one cookie jar) signs in through the real login form
(CSRF included), then, until the time is up, requests one of its pages (80%) or posts a
check-in on one of its key results (20%), back to back. Only 127.0.0.1 is ever contacted.
Writes ``--out`` as JSON: requests, req/s, p50/p95/p99, errors, check-ins accepted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HOST = "127.0.0.1"
CHECKIN_SHARE = 0.2


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Browser:
    """One user's connection and cookies."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response.status, content

    def login(self, login_url: str, email: str, password: str) -> bool:
        status, content = self.request("GET", login_url)
        token = self.cookies.get("csrftoken")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if match:
            token = match.group(1).decode()
        status, _ = self.request(
            "POST",
            login_url,
            {"email": email, "password": password, "csrfmiddlewaretoken": token or ""},
        )
        return status in (302, 303) and "sessionid" in self.cookies


class Clock:
    """Released once everyone has signed in; the run ends at ``deadline``."""

    def __init__(self):
        self.go = threading.Event()
        self.deadline = float("inf")


def user_loop(user, args, clock, results, lock, rng):
    browser = Browser(args.port)
    if not browser.login(args.login_url, user["email"], user["password"]):
        with lock:
            results["login_failures"] += 1
        return
    with lock:
        results["ready"] += 1
    clock.go.wait()
    local = []
    while time.monotonic() < clock.deadline:
        post = user["checkins"] and rng.random() < CHECKIN_SHARE
        if post:
            path = rng.choice(user["checkins"])
            form = {
                "value": str(rng.randrange(0, 500)),
                "confidence": rng.choice(["on_track", "at_risk", "off_track"]),
                "note": "load test",
                "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
            }
        else:
            path, form = rng.choice(user["pages"]), None
        started = time.perf_counter()
        try:
            status, _ = browser.request("POST" if post else "GET", path, form)
        except (http.client.HTTPException, OSError) as error:
            status = f"{type(error).__name__}"
        elapsed = (time.perf_counter() - started) * 1000
        local.append(("post" if post else "get", status, elapsed, path))
    with lock:
        results["samples"] += local


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args(argv)
    plan = json.loads(Path(args.plan).read_text())
    args.login_url = plan["login_url"]
    users = plan["users"][: args.users]
    # Users beyond the plan's distinct people reuse them (each still its own session).
    while len(users) < args.users and plan["users"]:
        users.append(plan["users"][len(users) % len(plan["users"])])
    results = {"samples": [], "login_failures": 0, "ready": 0}
    lock = threading.Lock()
    clock = Clock()
    threads = [
        threading.Thread(
            target=user_loop,
            args=(user, args, clock, results, lock, random.Random(i)),
            daemon=True,
        )
        for i, user in enumerate(users)
    ]
    # Everyone signs in first (password hashing is deliberately slow); then the clock starts.
    login_started = time.monotonic()
    for thread in threads:
        thread.start()
    while results["ready"] + results["login_failures"] < len(users):
        if time.monotonic() - login_started > 300:
            break
        time.sleep(0.05)
    login_seconds = time.monotonic() - login_started
    started = time.monotonic()
    clock.deadline = started + args.seconds
    clock.go.set()
    for thread in threads:
        thread.join(timeout=args.seconds + 120)
    duration = max(time.monotonic() - started, 0.001)

    samples = results["samples"]
    times = [s[2] for s in samples]
    errors = [s for s in samples if not isinstance(s[1], int) or s[1] >= 400]
    checkins_sent = sum(
        1 for s in samples if s[0] == "post" and isinstance(s[1], int) and s[1] < 400
    )
    by_status: dict[str, int] = {}
    for s in samples:
        by_status[f"{s[0]} {s[1]}"] = by_status.get(f"{s[0]} {s[1]}", 0) + 1
    out = {
        "users": len(users),
        "login_failures": results["login_failures"],
        "login_seconds": round(login_seconds, 1),
        "seconds": round(duration, 1),
        "requests": len(samples),
        "rps": round(len(samples) / duration, 1),
        "p50_ms": round(percentile(times, 50) or 0, 1),
        "p95_ms": round(percentile(times, 95) or 0, 1),
        "p99_ms": round(percentile(times, 99) or 0, 1),
        "errors": len(errors) + results["login_failures"],
        "error_examples": [f"{s[0].upper()} {s[3]} -> {s[1]}" for s in errors[:5]],
        "by_status": by_status,
        "page_views": sum(1 for s in samples if s[0] == "get"),
        "checkins_posted": sum(1 for s in samples if s[0] == "post"),
        "checkins_sent": checkins_sent,
    }
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps({k: v for k, v in out.items() if k != "by_status"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
