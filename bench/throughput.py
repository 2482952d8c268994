"""Requests per second of the main pages, against a bare Flask "hello world".

    .venv/bin/python bench/throughput.py [--db sqlite|postgres] [--duration 10]
        [--connections 16] [--learners 300] [--pages home,lesson,...]

Builds a database through the app's own services: migrations, the shipped courses,
an admin, an instructor, a learner who read every lesson of one course, passed its
final test, holds a certificate and has the pre-test open, and --learners learners
who completed that course, each with a certificate. Serves the platform and
bench/hello.py with the same gunicorn options (2 sync workers, 1 thread, no worker
recycling), signs in over HTTP like a browser, checks that every URL answers 200
(not followed: a redirect to /login is not a 200), then loads each for --duration
seconds with wrk, or a small Python keep-alive client when wrk is not on PATH.

Prints req/s, p50 and p99 latency, responses that were not 2xx/3xx plus socket
errors, and the ratio to hello (measured first and last; the mean is used) as
"1/N": one page request costs as much as N hello requests. The machine is shared
and noisy: compare figures from one run, not across runs.

--db sqlite: a fresh file and the embedded job queue in a temporary folder.
--db postgres: the scaled profile, PostgreSQL and Redis (a queue name of its own).
WARNING: it wipes the lms_bench database (see finish_attempts.py).
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finish_attempts import POSTGRES_URL, prepare_postgres  # noqa: E402
from seed import migrate_and_sync, own_every_course  # noqa: E402

from tests.gunicorn import GUNICORN, Browser, app_env, free_port  # noqa: E402

PASSWORD = "bench-passphrase-" + "correct-horse"
EMAILS = {"learner": "learner@bench.example.org", "instructor": "teacher@bench.example.org",
          "admin": "admin@bench.example.org"}
# Not deploy/gunicorn.conf.py: its gthread workers and max_requests (a worker restart
# every ~2,000 requests, mid-run) would make the platform's figures unlike hello's.
GUNICORN_OPTIONS = ["--no-control-socket", "-w", "2", "-k", "sync", "--threads", "1",
                    "--max-requests", "0", "--timeout", "60"]
SLUG = "non-punishment-principle"
PAGES = {  # name: (path, who is signed in)
    "home": ("/", None), "verify": ("/verify/{code}", None),
    "outline": ("/courses/{slug}", None), "outline-learner": ("/courses/{slug}", "learner"),
    "lesson": ("/courses/{slug}/lessons/{lesson}", "learner"),
    "dashboard": ("/dashboard", "learner"), "attempt": ("/attempts/{open_attempt}", "learner"),
    "result": ("/attempts/{finished_attempt}/result", "learner"),
    "teach-quiz": ("/teach/quizzes/{quiz}", "instructor"),
    "admin-certificates": ("/admin/certificates", "admin"),
    "admin-users": ("/admin/users", "admin"), "healthz": ("/healthz", None),
}


@dataclass
class Data:
    slug: str
    lesson: str
    quiz: int  # the final test, passed by the learner
    finished_attempt: int
    open_attempt: int  # the pre-test, left open
    code: str  # the learner's certificate
    learners: int

    def path(self, name: str) -> str:
        return PAGES[name][0].format(**vars(self))


def build_data(app, learners: int) -> Data:
    """Migrate, sync the courses, create the people and their records (commits)."""
    import sqlalchemy as sa

    from lms.accounts.services import create_user
    from lms.assessment.models import Quiz
    from lms.assessment.services import finish_attempt, save_answers, start_attempt
    from lms.catalog.queries import get_course_or_404, live_lessons
    from lms.certification import services as certs
    from lms.certification.render import template_meta
    from lms.core.db import db, utcnow
    from lms.learning.services import complete_lesson, enrol
    from tests.bulk import completed_learners
    from tests.helpers import correct_answers

    with app.app_context():
        migrate_and_sync(app)
        users = {role: create_user(email=email, name=f"Bench {role.title()}",
                                   password=PASSWORD, role=role)
                 for role, email in EMAILS.items()}
        own_every_course(users["instructor"])
        db.session.commit()
        course = get_course_or_404(SLUG)
        completed_learners(course, learners)
        learner = users["learner"].id
        enrolment = enrol(learner, course)
        lessons = live_lessons(course.id)
        for lesson in lessons:
            complete_lesson(enrolment, lesson)
        quizzes = {q.kind: q for q in db.session.scalars(
            sa.select(Quiz).where(Quiz.course_id == course.id, Quiz.archived_at.is_(None)))}
        attempt = start_attempt(learner, quizzes["final"])
        form = {k: v if isinstance(v, list) else [v]
                for k, v in correct_answers(attempt.id).items()}
        save_answers(attempt, form, revision=attempt.revision)
        finish_attempt(attempt)
        if not attempt.passed or enrolment.status != "completed":
            raise SystemExit(f"the bench learner did not pass ({attempt.score} %)")
        open_attempt = start_attempt(learner, quizzes["pre"])
        meta = template_meta(app.config["CERTIFICATES_DIR"], "default")
        context = certs.IssueContext(
            actor_id=users["admin"].id, prefix=app.config["CERTIFICATE_PREFIX"],
            template=certs.TemplateInfo(meta["name"], meta["version"]),
            base_url=app.config["BASE_URL"])
        code = certs.issue_certificate(enrolment, context).code
        while certs.issue_next_batch(course.id, utcnow(), context, app.config["ISSUE_BATCH"]):
            pass
        data = Data(SLUG, lessons[0].slug, quizzes["final"].id, attempt.id, open_attempt.id,
                    code, learners)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return data


def prepare(db: str, learners: int, folder: Path) -> tuple[dict, Data]:
    """This run's settings (typed, as create_app overrides) and the data built with them."""
    url = POSTGRES_URL if db == "postgres" else f"sqlite:///{folder / 'bench.sqlite3'}"
    values = {"DATABASE_URL": url, "SECRET_KEY": "bench-" + uuid.uuid4().hex,
              "BASE_URL": "http://lms.example.org", "JOBS_FILE": str(folder / "jobs.sqlite3")}
    if db == "postgres":
        values |= {"REDIS_URL": "redis://127.0.0.1:6379/0",
                   "JOBS_QUEUE": f"bench-{uuid.uuid4().hex[:6]}"}
        prepare_postgres(url)  # wiped
    os.environ["LMS_INSTANCE_PATH"] = str(folder)  # lms.config reads it at import

    from lms import create_app

    return values, build_data(create_app(values), learners)


@contextmanager
def serve(target: str, env: dict[str, str], log: Path, ready: str = "/",
          options: list[str] = GUNICORN_OPTIONS, started: list[int] | None = None):
    """gunicorn with `options`; yields its base URL; stops it afterwards. The master's
    pid is appended to `started` when given (to read its workers' CPU time)."""
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(GUNICORN), *options, "--bind", f"127.0.0.1:{port}", target],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    if started is not None:
        started.append(process.pid)
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"{target} did not start:\n{log.read_text()[-2000:]}")
            with suppress(OSError):  # refused while the workers boot
                if get_status(base + ready, "") == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{target} did not answer {ready} within 30 s")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def cookie_for(base: str, email: str) -> str:
    """Sign in like a browser (GET /login, its CSRF token, POST); the Cookie header."""
    browser = Browser(base)
    if (status := browser.sign_in(email, PASSWORD)) != 302:
        raise RuntimeError(f"sign-in of {email} answered {status}, not 302")
    return "; ".join(f"{c.name}={c.value}" for c in browser.jar)


def get_status(url: str, cookie: str) -> int:
    """The status of one GET, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    with closing(http.client.HTTPConnection(parts.netloc, timeout=30)) as conn:
        conn.request("GET", parts.path, headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status


@dataclass
class Load:
    rps: float
    p50: float  # ms
    p99: float
    bad: int  # responses not 2xx/3xx, plus socket errors


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url: str, cookie: str, duration: float, connections: int) -> Load:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--latency",
                          *headers, url], capture_output=True, text=True, check=True).stdout
    latency = {p: float(n) * UNIT_MS[u] for p, n, u in re.findall(
        r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if len(latency) != 2 or not rps:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    return Load(float(rps.group(1)), latency["50"], latency["99"],
                bad + (sum(map(int, errors.groups())) if errors else 0))


def python_load(url: str, cookie: str, duration: float, connections: int) -> Load:
    """Without wrk: a thread and a keep-alive connection per connection, same figures."""
    parts, headers = urllib.parse.urlsplit(url), {"Cookie": cookie} if cookie else {}
    deadline = time.perf_counter() + duration

    def run(_: int) -> tuple[list[float], int]:
        conn, latencies, failed = http.client.HTTPConnection(parts.netloc, timeout=30), [], 0
        while (start := time.perf_counter()) < deadline:
            try:
                conn.request("GET", parts.path, headers=headers)
                with conn.getresponse() as response:
                    response.read()
                    failed += not 200 <= response.status < 400
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
            latencies.append((time.perf_counter() - start) * 1000)
        conn.close()
        return latencies, failed

    began = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        runs = list(pool.map(run, range(connections)))
    latencies = sorted(ms for mine, _ in runs for ms in mine)
    n = len(latencies)
    return Load(n / (time.perf_counter() - began), latencies[n // 2],
                latencies[min(n - 1, int(n * 0.99))], sum(failed for _, failed in runs))


def load(url: str, cookie: str, duration: float, connections: int) -> Load:
    tool = wrk if shutil.which("wrk") else python_load
    tool(url, cookie, min(1.0, duration), connections)  # warm-up: every worker, every cache
    return tool(url, cookie, duration, connections)


def row(name: str, result: Load, ratio: str = "") -> str:
    return (f"{name:<20} {result.rps:>9.1f} {result.p50:>8.2f} {result.p99:>8.2f} "
            f"{result.bad:>8} {ratio:>8}")


def measure(args: argparse.Namespace, pages: list[str], folder: Path) -> int:
    values, data = prepare(args.db, args.learners, folder)
    env = app_env(values["DATABASE_URL"], LMS_INSTANCE_PATH=str(folder),
                  **{f"LMS_{k}": str(v) for k, v in values.items()})
    tool = "wrk -t2" if shutil.which("wrk") else "python threads (no wrk on PATH)"
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    print(f"throughput on {args.db}{' + Redis' if 'REDIS_URL' in values else ''}, "
          f"commit {commit}; {data.learners} background learners with certificates")
    print(f"server: gunicorn {' '.join(GUNICORN_OPTIONS)} (hello and platform alike)")
    print(f"load: {tool} -c{args.connections} -d{args.duration:g}s after a 1 s warm-up; "
          f"{os.cpu_count()} CPUs shared by client and servers")
    results = {}
    with ExitStack() as stack:  # stops both servers, also on Ctrl-C or an error
        hello = stack.enter_context(serve("bench.hello:app", env, folder / "hello.log"))
        lms = stack.enter_context(serve("wsgi:app", env, folder / "lms.log", "/healthz"))
        first = load(hello + "/", "", args.duration, args.connections)
        cookies = {role: cookie_for(lms, email) for role, email in EMAILS.items()}
        for name in pages:
            url, cookie = lms + data.path(name), cookies.get(PAGES[name][1], "")
            if (status := get_status(url, cookie)) != 200:
                print(f"SKIP {name}: {data.path(name)} answered {status}, not 200")
                continue
            results[name] = load(url, cookie, args.duration, args.connections)
            if (status := get_status(url, cookie)) != 200:
                print(f"NOTE {name}: {data.path(name)} answers {status} after the load")
        last = load(hello + "/", "", args.duration, args.connections)
    ceiling = (first.rps + last.rps) / 2
    print(f"\n{'page':<20} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
          f"{'ratio':>8}")
    print(row("hello (first)", first))
    for name, result in results.items():
        print(row(name, result, f"1/{ceiling / result.rps:.1f}" if result.rps else "-"))
    print(row("hello (last)", last))
    print(f"ratios against the mean of the two hello runs: {ceiling:.1f} req/s")
    if abs(first.rps - last.rps) > 0.25 * ceiling:
        print("hello changed by more than 25 % during the run: the machine was busy")
    errors = [line for line in (folder / "lms.log").read_text().splitlines()
              if "Traceback" in line or "ERROR" in line]
    if errors:
        print(f"{len(errors)} error lines in the platform's log, the first: {errors[0]}")
    return 1 if errors or any(r.bad for r in results.values()) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--learners", type=int, default=300, help="background volume")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated names")
    args = parser.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    if unknown := [p for p in pages if p not in PAGES]:
        parser.error(f"unknown pages {unknown}; choose from {', '.join(PAGES)}")
    sys.stdout.reconfigure(line_buffering=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stops the servers too
    folder = Path(tempfile.mkdtemp(prefix="lms-throughput-"))
    try:
        return measure(args, pages, folder)
    except KeyboardInterrupt:
        print("interrupted; the servers were stopped")
        return 130
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
