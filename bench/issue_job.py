"""'Issue to all' as a background job: time for N certificates and the worker's memory.

    .venv/bin/python bench/issue_job.py [--learners 3000]

For each profile — embedded (SQLite, the Huey queue in a SQLite file) and scaled
(PostgreSQL, Huey on Redis) — prepares a database with N learners who completed a
course, starts one `flask jobs worker`, queues the job exactly as the admin page does
(lms.certification.tasks.start_issue_all) and waits until the job row says done.
Prints the wall time from queueing to done, certificates per second, and the
worker's resident memory (VmRSS) before the job and after it.

WARNING: the PostgreSQL run wipes the lms_bench database (see finish_attempts.py).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finish_attempts import POSTGRES_URL, prepare_postgres  # noqa: E402

from tests.gunicorn import app_env  # noqa: E402

COURSE = ROOT / "tests" / "fixtures" / "course_files" / "good" / "tiny-course"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_app(database_url: str, env: dict[str, str]):
    from lms import create_app

    overrides = {"SECRET_KEY": "bench", "DATABASE_URL": database_url,
                 "BASE_URL": "https://learn.example.org"}
    for key in ("LMS_JOBS_FILE", "LMS_REDIS_URL", "LMS_JOBS_QUEUE"):
        if key in env:
            overrides[key[4:]] = env[key]
    return create_app(overrides)


def prepare(app, learners: int) -> None:
    from flask_migrate import upgrade

    from lms.accounts.services import create_user
    from lms.catalog.queries import get_course_or_404
    from lms.content.loader import load_catalogue
    from lms.content.sync import sync_courses
    from lms.core.db import db
    from tests.bulk import completed_learners

    with app.app_context():
        upgrade()
        specs, _shared, _errors = load_catalogue(COURSE)
        sync_courses(specs, archive_missing=False)
        create_user(email="admin@example.org", name="Bench Admin",
                    password="a long bench passphrase 42", role="admin")
        db.session.commit()
        completed_learners(get_course_or_404("tiny-course"), learners)


def start_job(app) -> int:
    from lms.accounts.models import User
    from lms.catalog.queries import get_course_or_404
    from lms.certification.render import template_meta
    from lms.certification.services import IssueContext, TemplateInfo
    from lms.certification.tasks import start_issue_all
    from lms.core.db import db

    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.role == "admin"))
        meta = template_meta(app.config["CERTIFICATES_DIR"], "default")
        job = start_issue_all(get_course_or_404("tiny-course"), IssueContext(
            actor_id=admin.id, prefix="CoE", base_url=app.config["BASE_URL"],
            template=TemplateInfo(meta["name"], meta["version"])))
        db.session.commit()  # queued now, as at the end of the admin's request
        return job.id


def job_state(app, job_id: int) -> tuple[str, int]:
    from lms.core.db import db
    from lms.core.jobs import Job

    with app.app_context():
        job = db.session.get(Job, job_id)
        state = (job.status, job.done)
        db.session.remove()
        return state


def run(name: str, database_url: str, learners: int, env: dict[str, str]) -> None:
    app = make_app(database_url, env)
    prepare(app, learners)
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
        env=app_env(database_url, **env), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(3)  # booted and idle
        before = rss_mib(worker.pid)
        start = time.perf_counter()
        job_id = start_job(app)
        while (state := job_state(app, job_id))[0] not in ("done", "failed"):
            time.sleep(0.05)
        wall = time.perf_counter() - start
        after = rss_mib(worker.pid)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    print(f"{name:<33} {state[1]} certificates ({state[0]}) in {wall:.1f} s "
          f"({state[1] / wall:.0f}/s); worker RSS {before:.0f} MiB before, {after:.0f} MiB "
          f"after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("embedded (SQLite + SQLite queue)", f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            args.learners, {"LMS_JOBS_FILE": str(Path(folder) / "jobs.sqlite3")})
    prepare_postgres(POSTGRES_URL)
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    run("scaled (PostgreSQL + Redis)", POSTGRES_URL, args.learners,
        {"LMS_REDIS_URL": "redis://127.0.0.1:6379/0", "LMS_JOBS_QUEUE": queue})


if __name__ == "__main__":
    main()
