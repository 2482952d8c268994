"""A class signing in at once: N distinct learners arriving within a few seconds, over HTTP.

    .venv/bin/python bench/signin_burst.py [--learners 300] [--within 5] [--size M]
        [--workers 2] [--shared-address] [--db URL] [--seed-file FILE]

Uses the data set that --seed-file (default /tmp/lms-bench-seed.json) describes when
the database (--db, default lms_bench) still holds it and it has enough learners;
otherwise runs bench/seed.py --size first, which WIPES that database. Serves the
platform as deployed, in the scaled profile: gunicorn -c deploy/gunicorn.conf.py
--no-control-socket --workers 2 (gthread, 4 threads each), PostgreSQL, Redis for the
rate limits (a queue name of its own, its keys deleted afterwards). Warms both workers
up with a few sign-ins of other learners, then learner1 … learnerN@bench.example.org
(password Bench-passphrase-2026!, argon2id) arrive evenly spread over --within seconds,
one thread each, with nothing but http.client: GET /login (the csrf_token field and
the session cookie), POST /login, then GET where the 302 leads (/dashboard). A new
connection per request.

Addresses. The platform counts sign-ins per address (LOGIN_LIMIT_PER_ADDRESS, 10 a
minute; a success gives its count back) and takes the address from REMOTE_ADDR, which
gunicorn sets to the socket's peer: forwarded_allow_ips only lets a trusted proxy set
the scheme headers. Only with LMS_PROXY_HOPS=1 does werkzeug's ProxyFix take the
client from X-Forwarded-For. Behind a real proxy each learner has an address of its
own, so by default the server gets LMS_PROXY_HOPS=1 and each learner sends
X-Forwarded-For 198.18.x.y (the benchmarking range). --shared-address sends none:
everyone is 127.0.0.1, a room behind one NAT.

Prints p50/p95/p99/max of each step and of the whole flow, the errors (a status that
is not 2xx/3xx, a sign-in that did not redirect, a socket error), the duration from
the first arrival to the last response, and the sign-ins the audit log recorded.
Target: sign-in p95 under 3 s, no errors. Exits 1 when it is missed.
"""
from __future__ import annotations

import argparse
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import throughput  # noqa: E402
from finish_attempts import POSTGRES_URL, csrf_from, psycopg_url  # noqa: E402
from seed import reuse_or_seed  # noqa: E402

from tests.gunicorn import app_env  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
WARM_UP = 6  # sign-ins before the burst, by learners outside it
TARGET_P95_S = 3.0
STEPS = ("GET /login", "POST /login", "GET /dashboard", "whole flow")


@contextmanager
def serve(env: dict[str, str], workers: int, log: Path):
    """gunicorn as deployed (deploy/gunicorn.conf.py); yields host:port and the pid."""
    started: list[int] = []
    options = ["-c", "deploy/gunicorn.conf.py", "--no-control-socket", "--workers",
               str(workers)]
    with throughput.serve("wsgi:app", env, log, "/healthz", options, started) as base:
        yield base.removeprefix("http://"), started[0]


class Visitor:
    """One browser: its cookies, its address (X-Forwarded-For when given)."""

    def __init__(self, netloc: str, address: str | None):
        self.netloc, self.address, self.cookies = netloc, address, {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if not self.cookies:
            del headers["Cookie"]
        if self.address:
            headers["X-Forwarded-For"] = self.address
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.netloc, timeout=60)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            data = response.read().decode()
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), data


@dataclass
class Flow:
    number: int
    times: dict[str, float] = field(default_factory=dict)  # step → seconds
    error: str | None = None
    ended: float = 0.0  # perf_counter at the last response


def sign_in_flow(base: str, number: int, email: str, password: str, address: str | None,
                 at: float) -> Flow:
    """Wait until `at`, then the three requests; the first problem ends the flow."""
    time.sleep(max(0.0, at - time.perf_counter()))
    flow, visitor, began = Flow(number), Visitor(base, address), time.perf_counter()

    def step(name: str, method: str, path: str, form: dict | None = None):
        start = time.perf_counter()
        answer = visitor.request(method, path, form)
        flow.times[name] = time.perf_counter() - start
        return answer

    try:
        status, _, page = step("GET /login", "GET", "/login")
        if status != 200:
            raise ValueError(f"GET /login answered {status}")
        form = {"csrf_token": csrf_from(page), "email": email, "password": password}
        status, location, _ = step("POST /login", "POST", "/login", form)
        if status != 302:
            raise ValueError(f"POST /login answered {status}")
        path = urllib.parse.urlsplit(location).path or "/"
        if path == "/login":
            raise ValueError("POST /login redirected back to /login")
        status, _, _ = step("GET /dashboard", "GET", path)
        if not 200 <= status < 300:
            raise ValueError(f"GET {path} answered {status}")
        flow.times["whole flow"] = time.perf_counter() - began
    except (OSError, http.client.HTTPException, RuntimeError, ValueError) as error:
        flow.error = str(error) if isinstance(error, ValueError) else type(error).__name__
    flow.ended = time.perf_counter()
    return flow


def run_flows(base: str, numbers: list[int], password: str, within: float,
              shared: bool) -> tuple[list[Flow], float]:
    """One thread per learner, arrivals evenly spread over `within` seconds."""
    flows: list[Flow] = []
    start = time.perf_counter() + 0.5  # every thread started before the first arrival
    gap = within / max(1, len(numbers) - 1) if len(numbers) > 1 else 0.0

    def one(i: int, n: int) -> None:
        address = None if shared else f"198.18.{n // 256}.{n % 256}"
        flows.append(sign_in_flow(base, n, f"learner{n}@bench.example.org", password,
                                  address, start + i * gap))

    threads = [threading.Thread(target=one, args=(i, n)) for i, n in enumerate(numbers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return flows, start


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value that at least p % of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)] if ordered else float("nan")


def recorded_sign_ins(url: str, since: float) -> int:
    engine = sa.create_engine(psycopg_url(url))
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text(
                "SELECT count(*) FROM audit_event WHERE action = 'auth.login_succeeded' "
                "AND at >= to_timestamp(:since)"), {"since": since})
    finally:
        engine.dispose()


def cpu_seconds(master: int) -> dict[str, float]:
    """CPU time so far (user + system) of the gunicorn workers, this client, PostgreSQL
    and Redis, and of the whole machine (all CPUs) from /proc: who had the cores."""
    workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    seconds = {"gunicorn workers": 0.0, "this client": 0.0, "PostgreSQL": 0.0, "Redis": 0.0}
    for pid in (p.name for p in Path("/proc").iterdir() if p.name.isdigit()):
        with suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat.rsplit(")")[-1].split()
            group = ("gunicorn workers" if pid in workers else "this client"
                     if int(pid) == os.getpid() else {"postgres": "PostgreSQL",
                                                      "redis-server": "Redis"}.get(name))
            if group:
                seconds[group] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    seconds["machine"] = (sum(total) - total[3] - total[4]) / os.sysconf("SC_CLK_TCK")
    return seconds


def report(flows: list[Flow], start: float, server_errors: list[str]) -> bool:
    print(f"\n{'step':<16} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'n':>5}")
    for name in STEPS:
        times = [f.times[name] * 1000 for f in flows if name in f.times]
        if times:
            print(f"{name:<16} {percentile(times, 50):>8.0f} {percentile(times, 95):>8.0f} "
                  f"{percentile(times, 99):>8.0f} {max(times):>8.0f} {len(times):>5}")
    errors = Counter(f.error for f in flows if f.error)
    duration = max(f.ended for f in flows) - start
    print(f"\nerrors: {sum(errors.values())}"
          + "".join(f"\n  {count} x {kind}" for kind, count in errors.most_common()))
    print(f"duration: {duration:.2f} s from the first arrival to the last response")
    if server_errors:
        print(f"{len(server_errors)} error lines in the server's log, the first: "
              f"{server_errors[0]}")
    signed = [f.times["POST /login"] for f in flows if "POST /login" in f.times]
    met = bool(signed) and percentile(signed, 95) < TARGET_P95_S and not errors
    print(f"target: sign-in p95 < {TARGET_P95_S:g} s and 0 errors: "
          f"{'met' if met else 'MISSED'}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--within", type=float, default=5.0, help="seconds of arrivals")
    parser.add_argument("--size", default="M", help="data set to seed when none fits")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shared-address", action="store_true",
                        help="no X-Forwarded-For: every learner is 127.0.0.1")
    parser.add_argument("--seed-file", default="/tmp/lms-bench-seed.json")
    parser.add_argument("--db", default=POSTGRES_URL,
                        help="PostgreSQL database of the seed (WIPED when seeding)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stops the server too
    # learner{n} for n in 1 … learners + WARM_UP must exist (learner 0 is learner@)
    info = reuse_or_seed(args.size, args.db, args.seed_file,
                         learners=args.learners + WARM_UP + 1)
    queue = f"bench{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="lms-signin-") as folder:
        log = Path(folder) / "gunicorn.log"
        env = app_env(info["db"], LMS_INSTANCE_PATH=folder, LMS_REDIS_URL=REDIS_URL,
                      LMS_JOBS_QUEUE=queue, LMS_SECRET_KEY="bench-" + uuid.uuid4().hex,
                      LMS_PROXY_HOPS="0" if args.shared_address else "1")
        load, commit = os.getloadavg(), subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
            text=True).stdout.strip()
        print(f"sign-in burst at commit {commit}: {args.learners} learners within "
              f"{args.within:g} s, data set "
              f"{info['size']} on {info['db']} + Redis; gunicorn -c deploy/gunicorn.conf.py "
              f"--workers {args.workers}; addresses: "
              + ("all 127.0.0.1" if args.shared_address
                 else "one X-Forwarded-For each, LMS_PROXY_HOPS=1")
              + f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
              f"{os.cpu_count()} CPUs shared by client and server")
        try:
            with serve(env, args.workers, log) as (base, master):
                warm = range(args.learners + 1, args.learners + WARM_UP + 1)
                warmed, _ = run_flows(base, list(warm), info["password"], 0.5,
                                      args.shared_address)
                if bad := [f.error for f in warmed if f.error]:
                    raise SystemExit(f"the warm-up failed: {bad}")
                since, cpu = time.time(), cpu_seconds(master)
                flows, start = run_flows(base, list(range(1, args.learners + 1)),
                                         info["password"], args.within, args.shared_address)
                cpu = {k: v - cpu[k] for k, v in cpu_seconds(master).items()}
            server_errors = [line for line in log.read_text().splitlines()
                             if "Traceback" in line or "[ERROR]" in line]
        finally:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"*{queue}*"):
                client.delete(key)
    met = report(flows, start, server_errors)
    wall = max(f.ended for f in flows) - start + 0.5  # the threads' start included
    others = cpu["machine"] - sum(v for k, v in cpu.items() if k != "machine")
    print(f"CPU during the burst, of {os.cpu_count()} x {wall:.1f} s: " + ", ".join(
        f"{k} {v:.1f} s" for k, v in cpu.items() if k != "machine")
        + f", everything else {others:.1f} s; per flow, gunicorn "
        f"{cpu['gunicorn workers'] * 1000 / len(flows):.0f} ms")
    print(f"audit log: {recorded_sign_ins(info['db'], since)} sign-ins recorded "
          f"during the burst")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
