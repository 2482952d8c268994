"""'Issue to all' as a background job: time for N certificates and the worker's memory.

    .venv/bin/python bench/issue_job.py [--learners 1000] [--profiles embedded,scaled]

For each profile — embedded (SQLite, the Huey queue in a SQLite file) and scaled
(PostgreSQL, Huey on Redis) — prepares a database with N learners who completed a
course, starts one `flask jobs worker`, queues the job exactly as the admin page does
(lms.certification.tasks.start_issue_all, with the platform's signing key) and waits
until the job row says done: every certificate issued, its credential signed, its PDF
rendered (on the worker's render processes) and stored. Prints the wall time from
queueing to done, certificates per second, the worker's resident memory before and at
its peak (VmHWM), the render processes' peak, and then the peak memory of a fresh
process that streams the course's ZIP of N PDFs (and the ZIP's size).

WARNING: the PostgreSQL run wipes the lms_bench database (see finish_attempts.py).
"""
from __future__ import annotations

import argparse
import contextlib
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


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


# The ZIP download's own code (lms.certification.pdfs.stream_zip, as admin_zip runs it),
# in a fresh process, so its peak memory is the ZIP's and nothing else's.
ZIP_READER = """
import resource
import sqlalchemy as sa
from lms import create_app
from lms.certification import pdfs
from lms.certification.models import Certificate
app = create_app()
size = 0
with app.app_context():
    query = sa.select(Certificate).where(Certificate.status == "issued")
    chunks = pdfs.stream_zip(pdfs.certificate_batches(query))
    size += len(next(chunks))  # the first PDF: imports and connections are made
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for chunk in chunks:
        size += len(chunk)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{before:.0f} {size} {peak:.0f}")
"""


def make_app(database_url: str, env: dict[str, str]):
    from lms import create_app

    overrides = {"SECRET_KEY": "bench", "DATABASE_URL": database_url,
                 "BASE_URL": "https://learn.example.org"}
    for key in ("LMS_JOBS_FILE", "LMS_REDIS_URL", "LMS_JOBS_QUEUE", "LMS_CREDENTIAL_KEYS_DIR"):
        if key in env:
            overrides[key[4:]] = env[key]
    return create_app(overrides)


def prepare(app, learners: int) -> None:
    from flask_migrate import upgrade

    from lms.accounts.services import create_user
    from lms.catalog.queries import get_course_or_404
    from lms.certification.keys import ensure_key
    from lms.content.loader import load_catalogue
    from lms.content.sync import sync_courses
    from lms.core.db import db
    from tests.bulk import completed_learners

    ensure_key(Path(app.config["CREDENTIAL_KEYS_DIR"]))
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
        job = start_issue_all(get_course_or_404("tiny-course"), IssueContext.from_config(
            app.config, actor_id=admin.id,
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
        renderers: dict[int, float] = {}
        while (state := job_state(app, job_id))[0] not in ("done", "failed"):
            for child in children(worker.pid):
                with contextlib.suppress(FileNotFoundError):
                    renderers[child] = rss_mib(child, "VmHWM")
            time.sleep(0.05)
        wall = time.perf_counter() - start
        peak = rss_mib(worker.pid, "VmHWM")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    print(f"{name:<33} {state[1]} certificates ({state[0]}) in {wall:.1f} s "
          f"({state[1] / wall:.0f}/s); worker RSS {before:.0f} MiB before, peak {peak:.0f} "
          f"MiB; {len(renderers)} render processes, peak "
          f"{max(renderers.values(), default=0):.0f} MiB each")
    done = subprocess.run([sys.executable, "-c", ZIP_READER], cwd=ROOT,
                          env=app_env(database_url, **env), capture_output=True, text=True,
                          check=True)
    first, size, zip_peak = done.stdout.split()
    print(f"{'':<33} ZIP of {state[1]} PDFs: {int(size) / 2**20:.1f} MiB streamed by a "
          f"process at {first} MiB after its first PDF, {zip_peak} MiB at its peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--profiles", default="embedded,scaled")
    args = parser.parse_args()
    profiles = args.profiles.split(",")
    with tempfile.TemporaryDirectory() as folder:
        keys = {"LMS_CREDENTIAL_KEYS_DIR": str(Path(folder) / "keys")}
        if "embedded" in profiles:
            run("embedded (SQLite + SQLite queue)",
                f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.learners,
                {"LMS_JOBS_FILE": str(Path(folder) / "jobs.sqlite3"), **keys})
        if "scaled" in profiles:
            prepare_postgres(POSTGRES_URL)
            queue = f"bench-{uuid.uuid4().hex[:6]}"
            run("scaled (PostgreSQL + Redis)", POSTGRES_URL, args.learners,
                {"LMS_REDIS_URL": "redis://127.0.0.1:6379/0", "LMS_JOBS_QUEUE": queue,
                 **keys})


if __name__ == "__main__":
    main()
