"""The gradebook of a course with 2,000 learners: SQL statements and time per request.

    .venv/bin/python bench/gradebook.py [--db sqlite,postgres] [-n 20]
        [--sqlite-file /tmp/lms-bench-gradebook.sqlite3] [--seed-file-sqlite FILE]
        [--pg-url URL] [--seed-file-pg FILE]

For each database: the seed of size M (bench/seed.py: 2,000 learners, each enrolled in
the three shipped courses, ten finished attempts each; instructor@ owns every course),
reused when the database still holds it, else seeded afresh, which WIPES the database
(PostgreSQL: lms_bench by default, shared with the other benches; SQLite: its own file).
The app runs in-process (embedded profile on SQLite; PostgreSQL with Redis for the
limits when Redis answers) and the Flask test client signs instructor@ in like a browser.
Each page of the first course is requested once to warm up, then -n times: p50 and p95
in ms, SQL statements per request (a before_cursor_execute counter), the p50 of the
time in SQL, and the response size. The CSV export is read whole (every learner).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field

# lms.config reads the instance folder at import: a temporary one, not the repository's.
INSTANCE = tempfile.mkdtemp(prefix="lms-gradebook-bench-")
os.environ["LMS_INSTANCE_PATH"] = INSTANCE

import sqlalchemy as sa  # noqa: E402
from finish_attempts import POSTGRES_URL  # noqa: E402
from profile_pages import sign_in  # noqa: E402
from seed import reuse_or_seed  # noqa: E402
from sqlalchemy import event  # noqa: E402

SQLITE_FILE = "/tmp/lms-bench-gradebook.sqlite3"
REDIS_URL = "redis://127.0.0.1:6379/0"
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
LEARNER = re.compile(r'href="(/teach/courses/[^/]+/learners/\d+)"')


@dataclass
class Result:
    name: str
    path: str
    times: list[float] = field(default_factory=list)  # ms per request
    sql: list[float] = field(default_factory=list)  # ms in SQL per request
    statements: list[int] = field(default_factory=list)
    size: int = 0  # bytes of the last response


class Statements:
    """Every statement the app sends, counted, and the time until its cursor returned."""

    def __init__(self, engine: sa.Engine):
        self.log: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.log.append(time.perf_counter() - conn.info.pop("bench_started"))


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value that at least p % of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def measure(client, statements: Statements, name: str, path: str, n: int) -> Result:
    result = Result(name, path)
    for i in range(n + 1):
        statements.log.clear()
        start = time.perf_counter()
        response = client.get(path, buffered=True)  # the whole body, CSV included
        body = response.get_data()
        took = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        if i == 0:
            continue  # the warm-up
        result.times.append(took)
        result.sql.append(sum(statements.log) * 1000)
        result.statements.append(len(statements.log))
        result.size = len(body)
    return result


def run(info: dict, n: int) -> list[Result]:
    from lms import create_app
    from lms.catalog.models import Course
    from lms.core.db import db
    from lms.learning.models import Enrolment

    config = {"DATABASE_URL": info["db"], "SECRET_KEY": "bench-" + uuid.uuid4().hex,
              "BASE_URL": "http://lms.example.org"}
    if info["db"].startswith("postgresql") and redis_answers():
        config |= {"REDIS_URL": REDIS_URL, "JOBS_QUEUE": f"bench{uuid.uuid4().hex[:6]}"}
    app = create_app(config)
    teacher = sign_in(app, info["accounts"]["instructor"]["email"], info["password"])
    with app.app_context():
        statements = Statements(db.engine)
        slug, enrolled = db.session.execute(
            sa.select(Course.slug, sa.func.count(Enrolment.id)).join(Enrolment)
            .group_by(Course.id, Course.slug).order_by(Course.id).limit(1)).one()
    base = f"/teach/courses/{slug}"
    first = teacher.get(f"{base}/gradebook").get_data(as_text=True)
    following = NEXT.search(first).group(1).replace("&amp;", "&")
    learner = LEARNER.search(first).group(1)
    lines = teacher.get(f"{base}/gradebook.csv", buffered=True).get_data(as_text=True)
    print(f"{slug}: {enrolled:,} enrolled, {lines.count(chr(10)) - 1:,} CSV rows; "
          f"{redis_note(config)}")
    pages = [("gradebook, first page", f"{base}/gradebook"),
             ("gradebook, next page", following),
             ("gradebook, by final score, filtered", f"{base}/gradebook?sort=-final"
                                                     "&status=in_progress&result=not_passed"),
             ("gradebook, search", f"{base}/gradebook?q=court"),
             ("one learner's record", learner),
             ("CSV export, every learner", f"{base}/gradebook.csv")]
    results = []
    try:
        for name, path in pages:
            results.append(measure(teacher, statements, name, path, n))
            print(f"  {name}: p95 {percentile(results[-1].times, 95):.1f} ms", flush=True)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_note(config: dict) -> str:
    return "Redis for limits" if "REDIS_URL" in config else "no Redis"


def report(results: list[Result], label: str) -> None:
    print(f"\n{label}\n{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>7} {'stmts':>6} "
          f"{'bytes':>9}  path")
    for r in results:
        counts = sorted(set(r.statements))
        stmts = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        print(f"{r.name:<38} {percentile(r.times, 50):>8.1f} {percentile(r.times, 95):>8.1f} "
              f"{percentile(r.sql, 50):>7.1f} {stmts:>6} {r.size:>9}  {r.path}")


def bench_main(argv: list[str] | None, *, description: str, run, sqlite_file: str,
               seed_files: tuple[str, str], pg_url: str) -> int:
    """The command line every page bench here shares: seed (or reuse) size M on each
    database named by --db, then time `run(info, n)` and print its report."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", default="sqlite,postgres",
                        help="sqlite, postgres or both, comma-separated")
    parser.add_argument("-n", type=int, default=20, help="timed requests per page")
    parser.add_argument("--sqlite-file", default=sqlite_file)
    parser.add_argument("--seed-file-sqlite", default=seed_files[0])
    parser.add_argument("--pg-url", default=pg_url,
                        help="PostgreSQL database of the seed (WIPED when seeding)")
    parser.add_argument("--seed-file-pg", default=seed_files[1])
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                            text=True, cwd=os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))).stdout.strip()
    targets = {"sqlite": (f"sqlite:///{args.sqlite_file}", args.seed_file_sqlite),
               "postgres": (args.pg_url, args.seed_file_pg)}
    try:
        for name in args.db.split(","):
            url, seed_file = targets[name.strip()]
            info = reuse_or_seed("M", url, seed_file)
            load = os.getloadavg()
            label = (f"{name} ({url}), size M, commit {commit}, n={args.n} after one warm-up, "
                     f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
                     f"{os.cpu_count()} CPUs")
            print(label)
            report(run(info, args.n), label)
    finally:
        shutil.rmtree(INSTANCE, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    return bench_main(argv, description=__doc__.split("\n\n")[0], run=run,
                      sqlite_file=SQLITE_FILE, pg_url=POSTGRES_URL,
                      seed_files=("/tmp/lms-bench-gradebook-sqlite.json",
                                  "/tmp/lms-bench-seed.json"))


if __name__ == "__main__":
    sys.exit(main())
