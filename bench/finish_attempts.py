"""Many learners finishing their quiz attempts at the same moment, over HTTP.

    .venv/bin/python bench/finish_attempts.py --db sqlite
    .venv/bin/python bench/finish_attempts.py --db postgres [--database-url URL]

Prepares N learners (enrolled in the tiny test course, an open attempt each with
every answer saved and correct) through the app's own services, serves the app
with gunicorn on 127.0.0.1, signs every learner in, then has all client threads
POST "finish" together (a threading.Barrier releases them). Afterwards it counts
in the database: graded attempts, attempts scored 100 % and stored answers.

Prints one line such as
    finish x200 on sqlite: 200 graded, 0 errors, 0 lost answers; p50=… ms p95=… ms max=… ms
and exits non-zero when an attempt was not graded, a request failed or an answer
was lost. The gunicorn log is kept in a temporary instance folder; its errors are
printed when something failed (--keep keeps the folder).

WARNING for --db postgres: the target database is wiped (DROP SCHEMA public
CASCADE). The default is a separate database, lms_bench, created if missing, so
a test suite running against `test` at the same time is not disturbed.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
COURSE_DIR = ROOT / "tests" / "fixtures" / "course_files" / "good" / "tiny-course"
POSTGRES_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "lms_bench"
POSTGRES_URL = f"postgresql://root@127.0.0.1:5432/{POSTGRES_BENCH_DB}"
HOST = "127.0.0.1"
PASSWORD = "bench-passphrase-" + "correct-horse"
HTTP_TIMEOUT = 60.0
STARTUP_TIMEOUT = 60.0
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"'
                     r'|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Learner:
    email: str
    attempt_id: int
    revision: int = 0  # the attempt's, after its answers were saved
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    token: str = ""


@dataclass
class Outcome:
    learner: Learner
    latency_ms: float
    status: int
    problem: str | None  # None: redirected to the result page as expected


@dataclass
class Counts:
    graded: int
    perfect: int
    answers: int
    expected_answers: int


# --- arguments and environment ---------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", default=POSTGRES_URL,
                        help="PostgreSQL database to WIPE and use (with --db postgres)")
    parser.add_argument("--attempts", type=int, default=200, help="learners finishing at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=50, help="client threads")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    args = parser.parse_args(argv)
    if args.attempts < 1 or args.workers < 1 or args.threads < 1:
        parser.error("--attempts, --workers and --threads must be at least 1")
    return args


def bench_environment(instance: Path, database_url: str) -> dict[str, str]:
    """The LMS_* variables the app reads; set in this process and passed to gunicorn."""
    return {
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_SECRET_KEY": secrets.token_hex(32),
        "LMS_DATABASE_URL": database_url,
        "LMS_LOGIN_LIMIT_PER_ADDRESS": "100000",
        "LMS_BASE_URL": f"http://{HOST}",
    }


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def prepare_postgres(url: str) -> None:
    """Create the bench database if missing, then empty it like tests/fixtures/app.py."""
    import sqlalchemy as sa

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = sa.create_engine(psycopg_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": name})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    engine = sa.create_engine(psycopg_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


# --- data, through the app's own services -----------------------------------------------

def correct_form(attempt) -> dict[str, list[str]]:
    """Every question of the attempt answered correctly, as the attempt form posts it."""
    form: dict[str, list[str]] = {}
    for qid in attempt.draw["questions"]:
        snap = attempt.draw["specs"][str(qid)]
        spec = snap["spec"]
        if snap["type"] == "true_false":
            form[f"q-{qid}"] = ["true" if spec["answer"] else "false"]
        else:  # options carry per-attempt labels, not the author's keys
            labels = attempt.draw["order"][str(qid)]["labels"]
            form[f"q-{qid}"] = [labels[o["key"]] for o in spec["options"] if o.get("correct")]
    return form


def load_course():
    """Sync the tiny course; return its final quiz."""
    import sqlalchemy as sa

    from lms.assessment.models import Quiz
    from lms.catalog.models import Course
    from lms.content.loader import load_courses
    from lms.content.sync import sync_courses
    from lms.core.db import db

    specs, errors = load_courses(COURSE_DIR)
    if errors:
        raise SystemExit("course files have errors: " + "; ".join(map(str, errors)))
    sync_courses(specs, archive_missing=False)
    course = db.session.scalar(sa.select(Course).where(Course.slug == specs[0].slug))
    return db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id,
                                                   Quiz.kind == "final"))


def create_learners(n: int) -> list:
    """One learner through create_user (one slow hash), the rest sharing its hash."""
    from lms.accounts.models import User
    from lms.accounts.services import create_user
    from lms.core.db import db

    first = create_user(email="learner0000@bench.example.org", name="Bench Learner 0",
                        password=PASSWORD)
    users = [first]
    for i in range(1, n):
        user = User(email=f"learner{i:04d}@bench.example.org", name=f"Bench Learner {i}",
                    role="learner", password_hash=first.password_hash)
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def prepare_data(app, n: int) -> list[Learner]:
    """Migrate, sync the course, and give N learners an open attempt with all answers saved."""
    from flask_migrate import upgrade

    from lms.assessment.services import save_answers, start_attempt
    from lms.core.db import db
    from lms.learning.services import enrol

    with app.app_context():
        upgrade()
        quiz = load_course()
        learners = []
        for user in create_learners(n):
            enrol(user.id, quiz.course)
            attempt = start_attempt(user.id, quiz)
            save_answers(attempt, correct_form(attempt), revision=attempt.revision)
            learners.append(Learner(email=user.email, attempt_id=attempt.id,
                                    revision=attempt.revision))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return learners


def count_results(app, learners: list[Learner]) -> Counts:
    import sqlalchemy as sa

    from lms.assessment.models import Answer, Attempt
    from lms.core.db import db

    ids = [learner.attempt_id for learner in learners]
    with app.app_context():
        attempts = list(db.session.scalars(sa.select(Attempt).where(Attempt.id.in_(ids))))
        answers = db.session.scalar(
            sa.select(sa.func.count()).select_from(Answer).where(Answer.attempt_id.in_(ids)))
        counts = Counts(
            graded=sum(a.status == "finished" and a.score is not None for a in attempts),
            perfect=sum(a.score == 100 for a in attempts),
            answers=answers or 0,
            expected_answers=sum(len(a.draw["questions"]) for a in attempts))
        db.session.remove()
        db.engine.dispose()
    return counts


# --- gunicorn ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict[str, str],
                   log_path: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "--no-control-socket", "-w", str(workers),
               "-k", "gthread", "--threads", "4", "-b", f"{HOST}:{port}", "wsgi:app"]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env},
                                stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer 200 within {STARTUP_TIMEOUT:.0f} s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def log_problems(log_path: Path, limit: int = 60) -> list[str]:
    """The gunicorn log lines that say what went wrong (tracebacks, errors, warnings)."""
    lines = log_path.read_text(errors="replace").splitlines()
    keep = [i for i, line in enumerate(lines)
            if re.search(r"Traceback|Error|error|Exception|WARNING|CRITICAL", line)]
    if not keep:
        return []
    start = keep[0]
    return lines[start:start + limit]


# --- HTTP client -------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx reaches the caller as an HTTPError


def opener_for(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def request(jar: http.cookiejar.CookieJar, url: str,
            data: dict[str, str] | None = None) -> tuple[int, str, str]:
    """GET (or POST a form) without following redirects: (status, Location, body)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener_for(jar).open(urllib.request.Request(url, data=body),
                                  timeout=HTTP_TIMEOUT) as response:
            return response.status, "", response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            text = error.read().decode("utf-8", "replace")
            return error.code, error.headers.get("Location", ""), text


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no csrf_token in the page")
    return match.group(1) or match.group(2)


def sign_in(base: str, learner: Learner) -> None:
    """Sign in, then open the attempt page for a token of the signed-in session."""
    status, _loc, html = request(learner.jar, f"{base}/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    form = {"email": learner.email, "password": PASSWORD, "csrf_token": csrf_from(html)}
    status, _loc, _html = request(learner.jar, f"{base}/login", form)
    if status != 302:
        raise RuntimeError(f"POST /login for {learner.email} answered {status}")
    # Sign-in starts a fresh session, so the token from /login is no longer valid.
    status, _loc, html = request(learner.jar, f"{base}/attempts/{learner.attempt_id}")
    if status != 200:
        raise RuntimeError(f"GET /attempts/{learner.attempt_id} answered {status}")
    learner.token = csrf_from(html)


def sign_in_all(base: str, learners: list[Learner], threads: int) -> None:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda learner: sign_in(base, learner), learners))


def finish(base: str, learner: Learner) -> Outcome:
    url = f"{base}/attempts/{learner.attempt_id}"
    form = {"csrf_token": learner.token, "action": "finish", "page": "1",
            "revision": str(learner.revision)}
    start = time.perf_counter()
    try:
        status, location, _body = request(learner.jar, url, form)
    except OSError as error:  # refused, reset, timed out
        return Outcome(learner, (time.perf_counter() - start) * 1000, 0,
                       f"{type(error).__name__}: {error}")
    latency = (time.perf_counter() - start) * 1000
    expected = f"/attempts/{learner.attempt_id}/result"
    if status == 302 and urllib.parse.urlsplit(location).path == expected:
        return Outcome(learner, latency, status, None)
    problem = f"HTTP {status}" + (f" to {location}" if location else "")
    return Outcome(learner, latency, status, problem)


def finish_all(base: str, learners: list[Learner], threads: int) -> tuple[list[Outcome], float]:
    """Every client thread waits at the barrier, then posts its share of learners."""
    threads = min(threads, len(learners))
    shares = [learners[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def run(share: list[Learner]) -> None:
        barrier.wait(timeout=HTTP_TIMEOUT)
        mine = [finish(base, learner) for learner in share]
        with lock:
            outcomes.extend(mine)

    workers = [threading.Thread(target=run, args=(share,)) for share in shares]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes, time.perf_counter() - start


# --- report ------------------------------------------------------------------------------

def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[round(fraction * (len(sorted_values) - 1))]


def report(args: argparse.Namespace, outcomes: list[Outcome], wall: float,
           counts: Counts) -> tuple[str, bool]:
    latencies = sorted(o.latency_ms for o in outcomes)
    errors = [o for o in outcomes if o.problem is not None] + [None] * (
        args.attempts - len(outcomes))
    lost = counts.expected_answers - counts.answers + (counts.graded - counts.perfect)
    line = (f"finish x{args.attempts} on {args.db}: {counts.graded} graded, "
            f"{len(errors)} errors, {lost} lost answers "
            f"({counts.perfect} scored 100%, {counts.answers}/{counts.expected_answers} "
            f"answer rows); p50={percentile(latencies, 0.5):.1f} ms "
            f"p95={percentile(latencies, 0.95):.1f} ms max={latencies[-1]:.1f} ms; "
            f"wall={wall:.2f} s, {args.workers} workers x 4 threads, "
            f"{min(args.threads, args.attempts)} clients")
    ok = counts.graded == args.attempts and not errors and lost == 0
    return line, ok


def print_failures(outcomes: list[Outcome], log_path: Path) -> None:
    problems = Counter(o.problem for o in outcomes if o.problem is not None)
    for problem, n in problems.most_common(10):
        print(f"  {n} x {problem}")
    problem_lines = log_problems(log_path)
    if problem_lines:
        print(f"gunicorn log ({log_path}):")
        for line in problem_lines:
            print(f"  {line}")


# --- main --------------------------------------------------------------------------------

def run(args: argparse.Namespace, instance: Path) -> bool:
    url = args.database_url if args.db == "postgres" else f"sqlite:///{instance / 'bench.db'}"
    if args.db == "postgres":
        prepare_postgres(url)
    env = bench_environment(instance, url)
    os.environ.update(env)  # before lms is imported: lms.config reads them at import

    from lms import create_app

    app = create_app()
    learners = prepare_data(app, args.attempts)
    port = free_port()
    base = f"http://{HOST}:{port}"
    log_path = instance / "gunicorn.log"
    server = start_gunicorn(port, args.workers, env, log_path)
    try:
        wait_healthy(base, server)
        sign_in_all(base, learners, args.threads)
        outcomes, wall = finish_all(base, learners, args.threads)
    except Exception:
        stop_gunicorn(server)
        print_failures([], log_path)
        raise
    stop_gunicorn(server)
    counts = count_results(app, learners)
    line, ok = report(args, outcomes, wall, counts)
    print(line)
    if not ok:
        print_failures(outcomes, log_path)
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    instance = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    try:
        ok = run(args, instance)
    finally:
        if args.keep:
            print(f"instance folder kept: {instance}")
        else:
            shutil.rmtree(instance, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
