"""Importing 10,000 people into a cohort from a CSV: the preview and the confirmation.

    .venv/bin/python bench/cohort_import.py [--rows 10000] [--db sqlite|postgres|both]
        [--postgres postgresql://root@127.0.0.1:5432/lms_bench_import]

Each database is made afresh: SQLite in a temporary folder, PostgreSQL by dropping the
public schema of `lms_bench_import` (created if missing). The migrations run, one course
and one admin are added, and a cohort takes the course. The app runs in-process with
JOBS_IMMEDIATE (the job runs at the end of the confirming request, as a worker would
run it at once) and the embedded outbox (emails are files in a temporary folder).

Through the Flask test client, signed in as the admin, like a browser:
- upload: POST the file (stored for the preview; nothing else written);
- preview: GET the first preview page (the file read, every email looked up, 200 lines
  rendered);
- confirm: POST confirm, which runs the job: every row in one transaction (people,
  memberships, enrolments, audit), then the emails in batches of 200 (a token each,
  rendered in three parts, queued). Printed apart: the transaction, and the emails.
The CSV: every script of the region in the names, 1 in 10 rows an existing account.
Then the largest file the page takes (50,000 rows, just under 20 MB): its upload, its
first preview page, and the peak memory of reading and checking it (tracemalloc).
"""
from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

INSTANCE = tempfile.mkdtemp(prefix="lms-cohort-import-")
os.environ["LMS_INSTANCE_PATH"] = INSTANCE
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from tests.fixtures.csv.make_fixtures import (  # noqa: E402
    HEADER,
    big_file,
    csv_text,
    people_rows,
)

POSTGRES = "postgresql://root@127.0.0.1:5432/lms_bench_import"
ADMIN = "admin@bench.example.org"
PASSWORD = "Bench-passphrase-2026, long enough"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def fresh_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(url.rsplit("/", 1)[0].replace("postgresql://",
                                                            "postgresql+psycopg://") + "/postgres",
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def set_up(app, rows: int) -> tuple[int, bytes]:
    """Schema, an admin, a course, a cohort taking it, 1 in 10 people with an account
    already; returns the cohort's id and the CSV."""
    from flask_migrate import upgrade

    from lms.accounts.models import User
    from lms.accounts.services import create_user
    from lms.catalog.models import Course
    from lms.core.db import db
    from lms.learning import cohort_services

    with app.app_context():
        upgrade()
        create_user(email=ADMIN, name="Admin", password=PASSWORD, role="admin")
        course = Course(slug="bench", title="Bench course", cpd_hours=1, content_hash="x")
        db.session.add(course)
        db.session.flush()
        cohort = cohort_services.create_cohort(cohort_services.CohortDetails(
            name="Bench cohort", course_ids=(course.id,)), actor_id=None)
        people = people_rows(rows)
        db.session.execute(sa.insert(User), [
            {"email": row[0], "name": row[1], "password_hash": "!x", "role": "learner"}
            for row in people[::10]])
        db.session.commit()
        cohort_id = cohort.id
        db.session.remove()
    return cohort_id, csv_text([HEADER, *people]).encode()


def signed_in(app, cohort_id: int):
    """The admin's browser (a test client) and a CSRF token of its session."""
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"csrf_token": token, "email": ADMIN, "password": PASSWORD})
    page = client.get(f"/cohorts/{cohort_id}/import").get_data(as_text=True)
    return client, CSRF.search(page).group(1)


def timed(timings: dict[str, float], name: str, action):
    start = time.perf_counter()
    result = action()
    timings[name] = time.perf_counter() - start
    return result


def upload(client, token: str, cohort_id: int, data: bytes, name: str) -> str:
    response = client.post(f"/cohorts/{cohort_id}/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")
    return response.headers["Location"]


def run(url: str, rows: int) -> dict[str, float]:
    from lms import create_app
    from lms.core.db import db
    from lms.learning import import_services
    from lms.learning.cohorts import CohortMember
    from lms.learning.models import Enrolment

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "JOBS_IMMEDIATE": True,
                      "BASE_URL": "http://lms.example.org", "LOGIN_LIMIT_PER_ADDRESS": 1000,
                      "MAIL_OUTBOX": tempfile.mkdtemp(prefix="outbox-", dir=INSTANCE)})
    cohort_id, data = set_up(app, rows)
    # Each request in an app context of its own, as in production.
    client, token = signed_in(app, cohort_id)
    timings: dict[str, float] = {}
    preview = timed(timings, "upload", lambda: upload(client, token, cohort_id, data, "a.csv"))
    page = timed(timings, "preview (first page)", lambda: client.get(preview))
    assert page.status_code == 200 and "Import all" in page.get_data(as_text=True)

    spent = {"apply_import": 0.0, "send_import_mail": 0.0}
    originals = {name: getattr(import_services, name) for name in spent}

    def clocked(name):
        def wrapper(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return originals[name](*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - begin
        return wrapper

    for name in spent:
        setattr(import_services, name, clocked(name))
    done = timed(timings, "confirm (the whole job)",
                 lambda: client.post(preview + "/confirm", data={"csrf_token": token}))
    for name, original in originals.items():
        setattr(import_services, name, original)
    assert done.status_code == 302, done.status_code
    timings["confirm: the rows, one transaction"] = spent["apply_import"]
    timings["confirm: the emails, batches of 200"] = spent["send_import_mail"]
    with app.app_context():
        members = db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember))
        enrolments = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment))
        assert members == rows and enrolments == rows, (members, enrolments)
        timings["emails written"] = len(list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml")))
        db.session.remove()

    # The largest file the page takes: 50,000 rows, just under 20 MB.
    big = big_file(50_000, 20 * 1024 * 1024 - 64 * 1024, start=50_000)
    preview = timed(timings, "20 MB, 50,000 rows: upload",
                    lambda: upload(client, token, cohort_id, big, "big.csv"))
    page = timed(timings, "20 MB, 50,000 rows: preview page", lambda: client.get(preview))
    assert page.status_code == 200 and "Import all 50,000 rows" in page.get_data(as_text=True)
    with app.app_context():
        tracemalloc.start()
        import_services.preview(cohort_id, big)
        timings["20 MB, 50,000 rows: preview peak MB"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        db.session.remove()
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("SQLite", f"sqlite:///{INSTANCE}/bench.sqlite3"))
    if args.db in ("postgres", "both"):
        fresh_postgres(args.postgres)
        targets.append(("PostgreSQL", args.postgres))
    for label, url in targets:
        timings = run(url, args.rows)
        print(f"{label}, {args.rows:,} rows ({args.rows // 10:,} with an account already):")
        for name, value in timings.items():
            shown = (f"{int(value):,}" if name == "emails written" else
                     f"{value:6.0f} MB" if name.endswith("MB") else f"{value:6.2f} s")
            print(f"  {name:<40} {shown}")


if __name__ == "__main__":
    main()
