"""Where the time goes on a page: cProfile over many requests, in-process.

    .venv/bin/python bench/profile_pages.py [--db sqlite|postgres] [--page lesson]
        [-n 300] [--learners 300] [--top 25]

Builds the same data as bench/throughput.py (its code, not a copy), creates the app
with lms.create_app({...}), signs the learner, the instructor and the admin in with
Flask's test client (GET /login, its CSRF token, POST), and for each page chosen
with --page (names as in throughput.py, comma-separated, or "all"): checks that it
answers 200, warms up, times -n requests without the profiler (mean ms per request),
then runs -n more under cProfile and prints the top --top functions by cumulative
and by own (total) time, per request. No gunicorn, sockets or HTTP parsing: the
app's own cost, with cProfile's overhead on top (many small calls cost more).

WARNING for --db postgres: it wipes the lms_bench database (see finish_attempts.py).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from finish_attempts import csrf_from
from throughput import EMAILS, PAGES, PASSWORD, ROOT, prepare

WARM_UP = 20
PREFIXES = [sysconfig.get_paths()["purelib"] + "/", sysconfig.get_paths()["stdlib"] + "/",
            str(ROOT) + "/"]  # site-packages first: the venv is inside ROOT


def sign_in(app, email: str, password: str = PASSWORD):
    """A test client signed in as `email`, like a browser."""
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": email,
                                           "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {email} answered {response.status_code}, not 302")
    return client


def run(client, path: str, n: int) -> float:
    """Seconds for `n` GETs of `path`; raises when one is not 200."""
    start = time.perf_counter()
    for _ in range(n):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        response.close()
    return time.perf_counter() - start


def where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":  # built-in
        return name
    for prefix in PREFIXES:
        if filename.startswith(prefix):
            filename = filename[len(prefix):]
            break
    return f"{filename}:{line}({name})"


def print_top(stats: pstats.Stats, order: str, n: int, top: int) -> None:
    """The `top` functions by `order` (this script's loop left out), per request."""
    stats.sort_stats(order)
    label = {"cumulative": "cumulative time", "tottime": "own time (tottime)"}[order]
    print(f"\n  top {top} by {label}; per request: calls, own ms, cumulative ms")
    print(f"  {'calls':>9} {'own ms':>8} {'cum ms':>8}  function")
    keys = [key for key in stats.fcn_list if key[0] != __file__]
    for key in keys[:top]:
        _primitive, calls, own, cumulative, _callers = stats.stats[key]
        print(f"  {calls / n:>9.1f} {own * 1000 / n:>8.3f} {cumulative * 1000 / n:>8.3f}"
              f"  {where(key)}")


def profile(client, name: str, path: str, n: int, top: int) -> None:
    run(client, path, WARM_UP)
    plain = run(client, path, n)
    profiler = cProfile.Profile()
    profiler.enable()
    profiled = run(client, path, n)
    profiler.disable()
    print(f"\n=== {name}: GET {path} — {plain * 1000 / n:.2f} ms per request without the "
          f"profiler, {profiled * 1000 / n:.2f} ms with it (n={n})")
    stats = pstats.Stats(profiler)
    print_top(stats, "cumulative", n, top)
    print_top(stats, "tottime", n, top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--page", default="lesson",
                        help=f"comma-separated, or all: {', '.join(PAGES)}")
    parser.add_argument("-n", type=int, default=300, help="requests per page and phase")
    parser.add_argument("--learners", type=int, default=300, help="background volume")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    pages = list(PAGES) if args.page == "all" else [p.strip() for p in args.page.split(",")]
    if unknown := [p for p in pages if p not in PAGES]:
        parser.error(f"unknown pages {unknown}; choose from {', '.join(PAGES)}")
    if args.n < 1:
        parser.error("-n must be at least 1")
    folder = Path(tempfile.mkdtemp(prefix="lms-profile-"))
    try:
        values, data = prepare(args.db, args.learners, folder)

        from lms import create_app

        app = create_app(values)
        clients = {role: sign_in(app, email) for role, email in EMAILS.items()}
        clients[None] = app.test_client()
        print(f"profile on {args.db}{' + Redis' if 'REDIS_URL' in values else ''}, "
              f"{data.learners} background learners; in-process, Flask test client")
        for name in pages:
            client, path = clients[PAGES[name][1]], data.path(name)
            status = client.get(path).status_code
            if status != 200:
                print(f"SKIP {name}: {path} answered {status}, not 200")
                continue
            profile(client, name, path, args.n, args.top)
        with app.app_context():
            from lms.core.db import db

            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
