"""The M&E report pages and exports at 100,000 learners: time, SQL statements, memory.

    .venv/bin/python bench/bench_reports.py [--db URL] [--small-db URL] [-n 10]
        [--n-large 3] [--explain] [--explain-pages] [--indexes keep|create|drop]
        [--no-memory] [--reset] [--only WORD,WORD]

--db (else $LMS_BENCH_REPORTS_URL, else postgresql://root@127.0.0.1:5432/bench_reports)
and --small-db (default bench_reports_small) are seeded by bench/seed_reporting.py at
scale 1 (100,000 learners, 300,000 enrolments, 1,000,000 attempts) and 0.01 (1/100 of
it) when they do not hold that seed yet; --reset seeds both again (WIPES them).

The app runs in-process (PostgreSQL; limits and jobs in the database) and the Flask test
client signs me@bench.example.org (M&E officer) and admin@bench.example.org in like a
browser. Each page's path is url_for(endpoint): a view that does not exist yet is
skipped and named. Each page or download: one warm-up, then -n requests (--n-large for the
learner extract and the PDF), the body consumed chunk by chunk as it streams (never held
whole): median and max ms, SQL statements per request (a before_cursor_execute counter;
a server-side cursor's fetches are not statements) on the large and on the small
database, the SQL time's median, the slowest statement and the bytes. Each export is
also run once in a child process of its own: signed in and warmed up, its peak RSS
reset (/proc/self/clear_refs), it reports its RSS before the download and the peak RSS
(VmHWM) the download reached, the whole process's memory included.

Target (issue 11): every page under 1 s, an export of 100,000 rows under 200 MB, and
statement counts that are the same on both databases. --explain prints EXPLAIN
(ANALYZE, BUFFERS) of the report's queries (bench/report_plans.py: the aggregate, the
period choices, the extract, the comments), --explain-pages that of each page's slowest
statement, each run again on a connection of its own and rolled back. --indexes create
adds report_plans.PROPOSED to the large database (then ANALYZE), drop removes them, keep
(the default) leaves it as it is: the before/after numbers in bench/README.md were
measured that way.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

import admin_pages  # noqa: F401  (sets LMS_INSTANCE_PATH to a temporary folder first)
import report_plans
import seed_reporting
import sqlalchemy as sa
from admin_pages import Statements, explain
from finish_attempts import psycopg_url
from profile_pages import sign_in

SMALL_DB = "postgresql://root@127.0.0.1:5432/bench_reports_small"
TARGET_MS, TARGET_MB = 1000, 200


@dataclass
class Page:
    name: str
    endpoint: str  # the path is url_for(endpoint, **args): whatever URL the view has
    args: dict = field(default_factory=dict)
    who: str = "me"  # me (M&E officer) or admin
    large: bool = False  # a long download: --n-large runs
    memory: bool = False  # also measured in a child process
    path: str = ""  # set by paths()


@dataclass
class Result:
    page: Page
    times: list[float] = field(default_factory=list)  # ms
    sql: list[float] = field(default_factory=list)  # ms in SQL per request
    statements: list[int] = field(default_factory=list)
    small: list[int] = field(default_factory=list)  # statements on the small database
    size: int = 0
    slowest: tuple = (0.0, "", None)  # (seconds, statement, parameters)
    memory: dict | None = None
    error: str = ""  # what the page answered instead of 200


def pages(info: dict) -> list[Page]:
    course = info["courses"][0]["id"]
    cohort = info["cohorts"][0]["id"]  # the largest
    table = {"figure": "enrolled", "rows": "sex", "cols": "country"}
    report, export, extract = "reporting.me_report", "reporting.me_export", \
        "reporting.me_extract"
    return [
        Page("report, default", report),
        Page("enrolled by sex x country", report, table),
        Page("mean gain by sector x disability", report,
             {"figure": "mean_gain", "rows": "sector", "cols": "disability"}),
        Page("completion rate by age x agency", report,
             {"figure": "completion_rate", "rows": "age_band", "cols": "agency_level"}),
        Page("normalised gain by country", report,
             {"figure": "normalised_gain", "rows": "country"}),
        Page("feedback clarity by sex", report, {"figure": "feedback_clarity", "rows": "sex"}),
        Page("follow-up use by sector", report, {"figure": "follow_up_used", "rows": "sector"}),
        Page("period 2026-Q3", report, table | {"period": "2026-Q3"}),
        Page("year 2025", report, {"figure": "certified", "rows": "country", "period": "2025"}),
        Page("one course", report, table | {"course": course}),
        Page("largest cohort", report, table | {"cohort": cohort}),
        Page("largest organisation", report, table | {"organisation": info["organisation"]}),
        Page("country + sector + Q3", report,
             {"figure": "pass_rate", "rows": "sex", "cols": "age_band", "country": "TH",
              "sector": "police", "period": "2026-Q3"}),
        Page("report, as admin", report, table, who="admin"),
        Page("help page", "reporting.me_help"),
        Page("table CSV", export, table | {"fmt": "csv"}, memory=True),
        Page("table XLSX", export, {"fmt": "xlsx", "figure": "mean_gain", "rows": "sector",
                                    "cols": "disability"}, memory=True),
        Page("quarterly PDF 2026-Q3", "reporting.me_quarterly", {"period": "2026-Q3"},
             large=True),
        Page("extract CSV, one course", extract, {"fmt": "csv", "course": course},
             who="admin", large=True, memory=True),
        Page("extract XLSX, one course", extract, {"fmt": "xlsx", "course": course},
             who="admin", large=True, memory=True),
        Page("extract CSV, everyone", extract, {"fmt": "csv"}, who="admin", large=True,
             memory=True),
    ]


def make_app(url: str):
    from lms import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-reports",
                       "BASE_URL": "http://lms.example.org"})


def paths(app, wanted: list[Page]) -> tuple[list[Page], list[str]]:
    """The pages whose view exists, each with its path; and the endpoints missing (a view
    another change has not added yet is skipped, not fatal)."""
    from flask import url_for

    found, missing = [], []
    with app.test_request_context("/"):
        for page in wanted:
            if page.endpoint not in app.view_functions:
                missing.append(page.endpoint)
                continue
            page.path = url_for(page.endpoint, **page.args)
            found.append(page)
    return found, sorted(set(missing))


def clients(app, info: dict) -> dict:
    return {"me": sign_in(app, info["accounts"]["me_officer"]["email"], info["password"]),
            "admin": sign_in(app, info["accounts"]["admin"]["email"], info["password"])}


def fetch(client, path: str) -> tuple[int, int, str]:
    """Status, bytes and type, the body read chunk by chunk as the app yields it."""
    response = client.get(path, buffered=False)
    size = 0
    try:
        for chunk in response.iter_encoded():
            size += len(chunk)
    finally:
        response.close()
    return response.status_code, size, response.mimetype


def measure(client, statements: Statements, page: Page, n: int) -> Result:
    result = Result(page)
    for i in range(n + 1):
        statements.log.clear()
        start = time.perf_counter()
        status, size, _type = fetch(client, page.path)
        took = (time.perf_counter() - start) * 1000
        if status != 200:  # noted, and the next page measured (a view still being written)
            result.error = f"{page.path} answered {status}"
            return result
        if i == 0:
            continue  # the warm-up
        result.times.append(took)
        result.sql.append(sum(s[0] for s in statements.log) * 1000)
        result.statements.append(len(statements.log))
        result.size = size
        result.slowest = max([result.slowest, *statements.log], key=lambda s: s[0])
    return result


def chosen(info: dict, only: str | None) -> list[Page]:
    """The pages whose name holds one of the comma-separated words of --only (all: None)."""
    words = [w.strip() for w in (only or "").split(",") if w.strip()]
    return [p for p in pages(info) if not words or any(w in p.name for w in words)]


def run(url: str, info: dict, n: int, n_large: int, only: str | None = None,
        only_count: bool = False) -> list[Result]:
    from lms.core.db import db

    app = make_app(url)
    found, missing = paths(app, chosen(info, only))
    if missing and not only_count:
        print("  skipped, no such view yet: " + ", ".join(missing))
    signed_in = clients(app, info)
    with app.app_context():
        statements = Statements(db.engine)
    results = []
    try:
        for page in found:
            runs = 1 if only_count else n_large if page.large else n
            results.append(measure(signed_in[page.who], statements, page, runs))
            r = results[-1]
            if r.error:
                print(f"  {page.name}: FAILED, {r.error}", flush=True)
            elif not only_count:
                print(f"  {page.name}: median {statistics.median(r.times):.1f} ms, "
                      f"{r.statements[-1]} statements", flush=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results


def status_mb(field_name: str) -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith(field_name + ":"))
    return int(line.split()[1]) / 1024


def child(url: str, who: str, path: str) -> None:
    """In a process of its own: sign in and warm up (one small page), reset the peak RSS
    (/proc/self/clear_refs), then one streamed download; JSON on stdout."""
    info = seed_reporting.info(url)
    app = make_app(url)
    client = clients(app, info)[who]
    fetch(client, "/reports/help" if "reporting.me_help" in app.view_functions else "/")
    before, peak_before = status_mb("VmRSS"), status_mb("VmHWM")
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # VmHWM := VmRSS (Linux 4.0+)
    start = time.perf_counter()
    status, size, mimetype = fetch(client, path)
    print(json.dumps({"status": status, "bytes": size, "type": mimetype,
                      "seconds": time.perf_counter() - start, "rss_before": before,
                      "peak_before": peak_before, "rss_after": status_mb("VmRSS"),
                      "peak": status_mb("VmHWM")}))


def memory_of(url: str, page: Page) -> dict:
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", page.who,
                          page.path, "--db", url], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.abspath(__file__)))
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: list[Result], url: str, explain_all: bool) -> int:
    print(f"\n{'page':<34} {'who':<5} {'median':>8} {'max':>8} {'SQL':>7} {'slowest':>8} "
          f"{'stmts':>5} {'small':>5} {'bytes':>11} {'RSS MB: now/peak before, peak':>29}")
    over = []
    for r in results:
        if r.error:
            over.append(f"{r.page.name}: {r.error}")
            print(f"{r.page.name:<34} {r.page.who:<5} FAILED: {r.error}")
            continue
        counts, small = sorted(set(r.statements)), sorted(set(r.small))
        stmts = "-".join(map(str, sorted({counts[0], counts[-1]})))
        mem = r.memory
        memory = (f"{mem['rss_before']:.0f} / {mem['peak_before']:.0f} / {mem['peak']:.0f}"
                  if mem else "")
        print(f"{r.page.name:<34} {r.page.who:<5} {statistics.median(r.times):>8.1f} "
              f"{max(r.times):>8.1f} {statistics.median(r.sql):>7.1f} "
              f"{r.slowest[0] * 1000:>8.1f} {stmts:>5} {'-'.join(map(str, small)):>5} "
              f"{r.size:>11,} {memory:>29}")
        if not r.page.large and max(r.times) >= TARGET_MS:
            over.append(f"{r.page.name}: max {max(r.times):.0f} ms")
        if small and small != counts:
            over.append(f"{r.page.name}: {stmts} statements, {small} on the small database")
        if mem and mem["peak"] >= TARGET_MB:
            over.append(f"{r.page.name}: peak RSS {mem['peak']:.0f} MB")
    print("\ntarget: every page < 1 s, an export < 200 MB peak RSS, the same statements "
          "on both databases: " + ("; ".join(over) if over else "all met"))
    engine = sa.create_engine(psycopg_url(url))
    for r in results if explain_all else []:
        took, statement, parameters = r.slowest
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            print(f"\n--- {r.page.name}: slowest statement {took * 1000:.1f} ms, parameters "
                  f"{parameters}\n{statement}\n")
            print(explain(engine, statement, parameters))
    engine.dispose()
    return 1 if over else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_REPORTS_URL",
                                                       seed_reporting.DEFAULT_DB))
    parser.add_argument("--small-db", default=SMALL_DB)
    parser.add_argument("-n", type=int, default=10, help="timed requests per page")
    parser.add_argument("--n-large", type=int, default=3, help="for the extract and PDF")
    parser.add_argument("--explain", action="store_true", help="plans of the queries")
    parser.add_argument("--explain-pages", action="store_true", help="of each slowest")
    parser.add_argument("--indexes", choices=("keep", "create", "drop"), default="keep")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--reset", action="store_true", help="seed both databases again")
    parser.add_argument("--only", help="pages whose name holds one of these words (a,b)")
    parser.add_argument("--child", nargs=2, metavar=("WHO", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    try:
        if args.child:
            child(args.db, *args.child)
            return 0
        info = seed_reporting.ensure(args.db, 1.0, reset=args.reset)
        small = seed_reporting.ensure(args.small_db, 0.01, reset=args.reset)
        if args.indexes != "keep":
            report_plans.apply(args.db, args.indexes)
        load, commit = os.getloadavg(), subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout.strip()
        print(f"report pages, commit {commit}, {info['counts']}; proposed statistics "
              f"and indexes present: {report_plans.present(args.db) or 'none'}; n={args.n} "
              f"(large downloads {args.n_large}) after one warm-up; load average "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs")
        results = run(args.db, info, args.n, args.n_large, args.only)
        for r, s in zip(results, run(args.small_db, small, 1, 1, args.only, only_count=True),
                        strict=True):
            r.small = s.statements
        for r in results if not args.no_memory else []:
            if r.page.memory and not r.error:
                r.memory = memory_of(args.db, r.page)
                print(f"  {r.page.name}: RSS {r.memory['rss_before']:.0f} MB before (peak "
                      f"{r.memory['peak_before']:.0f} MB), peak {r.memory['peak']:.0f} MB "
                      f"after, {r.memory['bytes']:,} bytes in "
                      f"{r.memory['seconds']:.1f} s", flush=True)
        status = report(results, args.db, args.explain_pages)
        if args.explain:
            report_plans.explain_queries(make_app(args.db), args.db, info)
        return status
    finally:
        shutil.rmtree(admin_pages.INSTANCE, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
