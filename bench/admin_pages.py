"""Instructor and admin pages on a large data set: time, SQL statements and size per page.

    .venv/bin/python bench/admin_pages.py --size L|XL [-n 20] [--explain] [--db URL]
        [--seed-file FILE]

Uses the data set that --seed-file (default /tmp/lms-bench-seed.json) describes when
the database (--db, default lms_bench) still holds it (same size, same row counts);
otherwise runs bench/seed.py --size first, which WIPES that database (XL: about 5
minutes and 10 GB). The app runs in-process, in the scaled profile (PostgreSQL, Redis
with a queue name of its own), and the Flask test client signs instructor@ and
admin@bench.example.org in like a browser (GET /login, its CSRF token, POST). Each page
is requested once to warm up, then -n times; printed: p50 and p95 in ms, SQL statements
per request (a SQLAlchemy before_cursor_execute counter), the SQL time's p50, the
slowest statement, and the response size.

The pages: /teach/, the item analysis of the quiz with the most attempts, its "check"
(a POST that queues a dry-run regrade: past 300 attempts it runs as a job) and the
report showing a finished check, /admin/certificates (also with 2,000 open regrade
flags, the flags list it shows), its next page, a course's ready list, /admin/users
(first page, the page its "Next page" link leads to, and a page half-way down the
?after= cursor) and /admin/support. The check jobs and flags are added for the run
and deleted afterwards; the seed is otherwise left as it was.

Target: p95 under 300 ms at S, M and L, under 1 s at XL. For a page over target (for
every page with --explain) the slowest statement is printed with its EXPLAIN (ANALYZE,
BUFFERS), run again on a connection of its own and rolled back (SELECTs only).
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
INSTANCE = tempfile.mkdtemp(prefix="lms-admin-pages-")
os.environ["LMS_INSTANCE_PATH"] = INSTANCE

import sqlalchemy as sa  # noqa: E402
from finish_attempts import POSTGRES_URL, csrf_from  # noqa: E402
from profile_pages import sign_in  # noqa: E402
from seed import reuse_or_seed  # noqa: E402
from sqlalchemy import event  # noqa: E402

TARGET_MS = {"S": 300, "M": 300, "L": 300, "XL": 1000}
REDIS_URL = "redis://127.0.0.1:6379/0"
FLAGS = 2000  # open regrade flags added for the flags-list measurement
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


@dataclass
class Result:
    name: str
    path: str
    times: list[float] = field(default_factory=list)  # ms per request
    sql: list[float] = field(default_factory=list)  # ms in SQL per request
    statements: list[int] = field(default_factory=list)
    size: int = 0  # bytes of the last response
    slowest: tuple = (0.0, "", None)  # (seconds, statement, parameters)


class Statements:
    """Every statement the app sends, counted before it runs and timed after it."""

    def __init__(self, engine: sa.Engine):
        self.log: list[tuple[float, str, object]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        self.log.append((took, statement, parameters))


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value that at least p % of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def measure(client, statements: Statements, name: str, path: str, n: int,
            form: dict | None = None) -> Result:
    """One warm-up, then `n` requests: a GET, or a POST of `form` (answered 302)."""
    expected, result = (302 if form else 200), Result(name, path)
    for i in range(n + 1):
        statements.log.clear()
        start = time.perf_counter()
        response = client.post(path, data=form) if form else client.get(path)
        body = response.get_data()
        took = (time.perf_counter() - start) * 1000
        if response.status_code != expected:
            raise RuntimeError(f"{name}: {path} answered {response.status_code}, "
                               f"not {expected}")
        if i == 0:
            continue  # the warm-up
        result.times.append(took)
        result.sql.append(sum(s[0] for s in statements.log) * 1000)
        result.statements.append(len(statements.log))
        result.size = len(body)
        result.slowest = max([result.slowest, *statements.log], key=lambda s: s[0])
    return result


def explain(engine: sa.Engine, statement: str, parameters) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a statement the app ran, rolled back."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()


def add_check(info: dict, quiz_id: int) -> int:
    """A finished check of the quiz, as a regrade dry run leaves it; the job's id."""
    from lms.assessment import tasks
    from lms.assessment.models import Attempt
    from lms.core.db import db
    from lms.core.jobs import Job

    attempts = db.session.execute(sa.select(Attempt.id, Attempt.score).where(
        Attempt.quiz_id == quiz_id).order_by(Attempt.id).limit(tasks.SAMPLE)).all()
    sample = [[a.id, a.score, max(0.0, a.score - 12.5), i % 5 == 0]
              for i, a in enumerate(attempts)]
    job = Job(kind=tasks.REGRADE, status="done", total=len(sample), done=len(sample),
              created_by_id=info["accounts"]["instructor"]["id"],
              params={"quiz_id": quiz_id, "dry_run": True, "after": sample[-1][0],
                      "changed": len(sample), "flips": len(sample) // 5, "sample": sample})
    db.session.add(job)
    db.session.commit()
    return job.id


def add_flags(info: dict, quiz_id: int) -> None:
    """FLAGS open regrade flags on the quiz's first attempts, as a large regrade raises."""
    from lms.core.db import db

    db.session.execute(sa.text(
        "INSERT INTO regrade_flag (attempt_id, user_id, course_id, old_score, new_score,"
        " old_passed, new_passed, created_at, created_by_id)"
        " SELECT a.id, a.user_id, q.course_id, a.score, a.score - 10, a.passed,"
        " NOT a.passed, now(), :actor FROM attempt a JOIN quiz q ON q.id = a.quiz_id"
        " WHERE a.quiz_id = :quiz ORDER BY a.id LIMIT :n"),
        {"actor": info["accounts"]["instructor"]["id"], "quiz": quiz_id, "n": FLAGS})
    db.session.commit()


def remove_rows(first: dict[str, int], queue: str) -> None:
    """The jobs and flags this run made (ids from `first` on), and its keys in Redis."""
    import redis

    from lms.core.db import db

    for table in ("regrade_flag", "job"):
        db.session.execute(sa.text(f"DELETE FROM {table} WHERE id >= :id"), {"id": first[table]})
    db.session.commit()
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)


def next_link(client, path: str) -> str:
    """Where the page's "Next page" link leads (the ?after= cursor)."""
    found = NEXT.search(client.get(path).get_data(as_text=True))
    if not found:
        raise RuntimeError(f"{path} has no next page")
    return found.group(1).replace("&amp;", "&")


def run(info: dict, n: int) -> list[Result]:
    from lms import create_app
    from lms.assessment.models import Attempt
    from lms.catalog.models import Course
    from lms.core.db import db

    queue = f"bench{uuid.uuid4().hex[:6]}"  # huey drops dashes from its keys
    app = create_app({"DATABASE_URL": info["db"], "SECRET_KEY": "bench-" + uuid.uuid4().hex,
                      "BASE_URL": "http://lms.example.org", "REDIS_URL": REDIS_URL,
                      "JOBS_QUEUE": queue})
    teacher = sign_in(app, info["accounts"]["instructor"]["email"], info["password"])
    admin = sign_in(app, info["accounts"]["admin"]["email"], info["password"])
    results: list[Result] = []
    # Requests run outside any app context: inside one, the test client would reuse it,
    # and with it flask-login's user and the session of the request before.
    with app.app_context():
        statements = Statements(db.engine)
        quiz, attempts = db.session.execute(
            sa.select(Attempt.quiz_id, sa.func.count()).group_by(Attempt.quiz_id)
            .order_by(sa.func.count().desc()).limit(1)).one()
        slug = db.session.scalar(sa.select(Course.slug).order_by(Course.id).limit(1))
        middle = db.session.scalar(sa.text("SELECT max(id) / 2 FROM users"))
        first = {table: (db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0) + 1
                 for table in ("job", "regrade_flag")}
    print(f"quiz {quiz} has the most attempts: {attempts:,}; {info['counts']['users']:,} "
          f"users; the ready list of {slug}")

    def page(name: str, client, path: str, **form: str) -> None:
        results.append(measure(client, statements, name, path, n, form or None))
        print(f"  {name}: p95 {percentile(results[-1].times, 95):.1f} ms")

    try:
        report = f"/teach/quizzes/{quiz}"
        token = csrf_from(teacher.get(report).get_data(as_text=True))
        page("teach", teacher, "/teach/")
        page("teach-quiz (item analysis)", teacher, report)
        page("teach-quiz check (POST)", teacher, f"{report}/check", csrf_token=token)
        with app.app_context():
            check = add_check(info, quiz)
        page("teach-quiz ?check= (preview)", teacher, f"{report}?check={check}")
        page("admin-certificates", admin, "/admin/certificates")
        page("admin-certificates next page", admin, next_link(admin, "/admin/certificates"))
        with app.app_context():
            add_flags(info, quiz)
        page(f"admin-certificates +{FLAGS} flags", admin, "/admin/certificates")
        page("admin-ready", admin, f"/admin/courses/{slug}/certificates/ready")
        page("admin-users", admin, "/admin/users")
        page("admin-users next page", admin, next_link(admin, "/admin/users"))
        page("admin-users half-way", admin, f"/admin/users?after={middle}")
        page("admin-support", admin, "/admin/support")
    finally:
        with app.app_context():
            remove_rows(first, queue)
            db.session.remove()
            db.engine.dispose()
    return results


def report(results: list[Result], size: str, url: str, explain_all: bool) -> int:
    target = TARGET_MS[size]
    print(f"\n{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>7} {'max st':>7} "
          f"{'stmts':>6} {'bytes':>8}  path")
    for r in results:
        counts = sorted(set(r.statements))
        stmts = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        print(f"{r.name:<34} {percentile(r.times, 50):>8.1f} {percentile(r.times, 95):>8.1f} "
              f"{percentile(r.sql, 50):>7.1f} {r.slowest[0] * 1000:>7.1f} {stmts:>6} "
              f"{r.size:>8}  {r.path}")
    print("SQL ms: p50 of the time in SQL per request; max st: the slowest statement seen")
    slow = [r for r in results if percentile(r.times, 95) >= target]
    print(f"\ntarget: p95 < {target} ms at {size}: "
          + (f"{len(slow)} page(s) over" if slow else "every page within it"))
    for r in results if explain_all else slow:
        took, statement, parameters = r.slowest
        print(f"\n--- {r.name}: slowest statement {took * 1000:.1f} ms, parameters "
              f"{parameters}\n{statement}\n")
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # never a write
            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
            print(explain(engine, statement, parameters))
            engine.dispose()
    return 1 if slow else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("L", "XL"), default="L",
                        help="L or XL: smaller sets have too little to page through")
    parser.add_argument("-n", type=int, default=20, help="timed requests per page")
    parser.add_argument("--seed-file", default="/tmp/lms-bench-seed.json")
    parser.add_argument("--db", default=POSTGRES_URL,
                        help="PostgreSQL database of the seed (WIPED when seeding)")
    parser.add_argument("--explain", action="store_true",
                        help="explain every page's slowest statement, not only those over")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    try:
        info = reuse_or_seed(args.size, args.db, args.seed_file)
        load, commit = os.getloadavg(), subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout.strip()
        print(f"admin pages at {args.size}, commit {commit}, on {info['db']}, n={args.n} "
              "after one warm-up; "
              f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
              f"{os.cpu_count()} CPUs")
        return report(run(info, args.n), args.size, info["db"], args.explain)
    finally:
        shutil.rmtree(INSTANCE, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
