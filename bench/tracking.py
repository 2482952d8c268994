"""Cohort tracking of a 2,000-person cohort: SQL statements and time per request.

    .venv/bin/python bench/tracking.py [--db sqlite,postgres] [-n 20]
        [--sqlite-file /tmp/lms-bench-tracking.sqlite3] [--seed-file-sqlite FILE]
        [--pg-url postgresql://root@127.0.0.1:5432/lms_bench_tracking] [--seed-file-pg FILE]

For each database: the seed of size M (bench/seed.py: 2,000 learners, each enrolled in
the three shipped courses with ten finished attempts, partial lesson progress, 400
certificates), reused when the database still holds it, else seeded afresh, which WIPES
that database (PostgreSQL: lms_bench_tracking, created if missing, used by no other
bench; SQLite: its own file). Then one cohort holds every learner and the three courses,
due 30 days ago (so the unfinished are overdue), with instructor@ as its instructor.

The app runs in-process and the Flask test client signs instructor@ in like a browser.
Each page is requested once to warm up, then -n times: p50 and p95 in ms, SQL
statements per request, the p50 of the time in SQL, and the response size. The exports
are read whole (every member). Last, a reminder to every member is delivered -n times
(rendering 2,000 messages in each one's language and queueing them; the claim, the
count and the audit event in one commit), timed the same way.
"""
from __future__ import annotations

import sys
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

# gradebook sets LMS_INSTANCE_PATH (a temporary folder) before anything imports lms.
from gradebook import (
    INSTANCE,
    REDIS_URL,
    Result,
    Statements,
    bench_main,
    measure,
    percentile,
    redis_answers,
    redis_note,
)
from profile_pages import sign_in

SQLITE_FILE = "/tmp/lms-bench-tracking.sqlite3"
POSTGRES_URL = "postgresql://root@127.0.0.1:5432/lms_bench_tracking"
COHORT = "Bench cohort: 2,000 people, three courses"


def ensure_cohort(app, info: dict) -> tuple[int, int, int]:
    """The bench cohort (made once): every learner, every course; (id, members, course)."""
    from lms.accounts.models import User
    from lms.catalog.models import Course
    from lms.core.db import db, utcnow
    from lms.learning.cohorts import Cohort, CohortCourse, CohortInstructor, CohortMember

    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == COHORT))
        if cohort is None:
            cohort = Cohort(name=COHORT, starts_on=(utcnow() - timedelta(days=90)).date(),
                            due_on=(utcnow() - timedelta(days=30)).date(), country="TH")
            db.session.add(cohort)
            db.session.flush()
            db.session.execute(sa.insert(CohortCourse).from_select(
                ["cohort_id", "course_id"], sa.select(sa.literal(cohort.id), Course.id)))
            now = utcnow()
            db.session.execute(sa.insert(CohortMember), [
                {"cohort_id": cohort.id, "user_id": user_id, "added_at": now}
                for user_id in db.session.scalars(sa.select(User.id).where(
                    User.role == "learner"))])
            db.session.add(CohortInstructor(cohort_id=cohort.id,
                                            user_id=info["accounts"]["instructor"]["id"]))
            db.session.commit()
            if db.engine.dialect.name == "postgresql":  # as autovacuum would, soon after
                with db.engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(sa.text("ANALYZE cohort, cohort_course, cohort_member, "
                                         "cohort_instructor"))
        members = db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember)
                                    .where(CohortMember.cohort_id == cohort.id))
        course_id = db.session.scalar(sa.select(sa.func.min(CohortCourse.course_id)).where(
            CohortCourse.cohort_id == cohort.id))
        result = (cohort.id, members, course_id)
        db.session.remove()
    return result


def time_reminders(app, statements: Statements, cohort_id: int, course_id: int, actor: int,
                   n: int) -> Result:
    """Deliver a reminder to every member n times (+1 warm-up): render, queue, claim."""
    from lms.core.db import db, utcnow
    from lms.learning.cohorts import Reminder
    from lms.reporting import tasks

    result = Result("reminder to every member (deliver)", "(task)")
    with app.app_context():  # as a worker runs it: no request
        for i in range(n + 1):
            reminder = Reminder(cohort_id=cohort_id, course_id=course_id, audience="all",
                                message="Bench", send_at=utcnow(), created_by_id=actor)
            db.session.add(reminder)
            db.session.commit()
            statements.log.clear()
            start = time.perf_counter()
            sent = tasks.deliver_and_commit(reminder.id)
            took = (time.perf_counter() - start) * 1000
            if i == 0:
                print(f"  reminder reached {sent:,} members", flush=True)
                continue
            result.times.append(took)
            result.sql.append(sum(statements.log) * 1000)
            result.statements.append(len(statements.log))
        db.session.remove()
    return result


def run(info: dict, n: int) -> list[Result]:
    from lms import create_app
    from lms.core.db import db

    config = {"DATABASE_URL": info["db"], "SECRET_KEY": "bench-" + uuid.uuid4().hex,
              "BASE_URL": "http://lms.example.org", "MAIL_OUTBOX": f"{INSTANCE}/outbox",
              "JOBS_FILE": f"{INSTANCE}/jobs.sqlite3"}
    if info["db"].startswith("postgresql") and redis_answers():
        config |= {"REDIS_URL": REDIS_URL, "JOBS_QUEUE": f"bench{uuid.uuid4().hex[:6]}"}
    app = create_app(config)
    cohort_id, members, course_id = ensure_cohort(app, info)
    teacher = sign_in(app, info["accounts"]["instructor"]["email"], info["password"])
    with app.app_context():
        statements = Statements(db.engine)
    base = f"/cohorts/{cohort_id}/courses/{course_id}/tracking"
    lines = teacher.get(f"{base}.csv", buffered=True).get_data(as_text=True)
    print(f"cohort {cohort_id}: {members:,} members, {lines.count(chr(10)) - 1:,} CSV rows; "
          f"{redis_note(config)}")
    pages = [("tracking, first page", base),
             ("tracking, page 21 of 40", f"{base}?page=21"),
             ("tracking, in progress, by final score", f"{base}?show=in_progress&sort=-final"),
             ("tracking, overdue, by last active", f"{base}?show=overdue&sort=-active"),
             ("tracking, search", f"{base}?q=learner12"),
             ("cohort index (3 courses)", f"/cohorts/{cohort_id}/tracking"),
             ("CSV export, every member", f"{base}.csv"),
             ("XLSX export, every member", f"{base}.xlsx")]
    results = []
    try:
        for name, path in pages:
            results.append(measure(teacher, statements, name, path, n))
            print(f"  {name}: p95 {percentile(results[-1].times, 95):.1f} ms", flush=True)
        results.append(time_reminders(app, statements, cohort_id, course_id,
                                      info["accounts"]["instructor"]["id"], max(3, n // 4)))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    return bench_main(argv, description=__doc__.split("\n\n")[0], run=run,
                      sqlite_file=SQLITE_FILE, pg_url=POSTGRES_URL,
                      seed_files=("/tmp/lms-bench-tracking-sqlite.json",
                                  "/tmp/lms-bench-tracking-pg.json"))


if __name__ == "__main__":
    sys.exit(main())
