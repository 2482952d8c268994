"""The reporting bench's query plans and proposed indexes (bench/bench_reports.py).

`PROPOSED` are the statistics and indexes proposed for the reporting migration, each
with its DROP; `apply(url, "create" | "drop")` adds or removes them on the large database
(then ANALYZE). `explain_queries(url)` runs the report's own functions (lms/reporting)
once with a statement recorder, then prints EXPLAIN (ANALYZE, BUFFERS) of each statement
they sent, run again on a connection of its own and rolled back: the aggregate behind
every table, the same narrowed to one organisation and to one cohort, the period
choices, the learner extract and the feedback comments.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from admin_pages import explain
from finish_attempts import psycopg_url
from sqlalchemy import event

MONTH_KEY = ("(EXTRACT(year FROM timezone('UTC', enrolled_at))), "
             "(EXTRACT(month FROM timezone('UTC', enrolled_at)))")
# name → (CREATE, DROP). See bench/README.md, "Reporting (issue 11)", for the plans.
PROPOSED = {
    # The cube groups by the month of enrolment. Without statistics on that expression
    # PostgreSQL guesses one group per enrolment (300,000 instead of ~1,600): it sorts
    # every joined row on disk (work_mem 4 MB) and JIT-compiles (cost over 100,000).
    # With them: a partial hash aggregate in each worker, no sort of the rows, no JIT.
    # (An expression index on the same two expressions gives the same statistics and
    # plan, at the cost of index upkeep on every enrolment.)
    "st_enrolment_enrolled_month": (
        f"CREATE STATISTICS IF NOT EXISTS st_enrolment_enrolled_month (ndistinct) ON "
        f"{MONTH_KEY} FROM enrolment",
        "DROP STATISTICS IF EXISTS st_enrolment_enrolled_month"),
    # period_choices' min and max, and the extract's period filter: two index reads,
    # not a scan of every enrolment.
    "ix_enrolment_enrolled_at": (
        "CREATE INDEX IF NOT EXISTS ix_enrolment_enrolled_at ON enrolment (enrolled_at)",
        "DROP INDEX IF EXISTS ix_enrolment_enrolled_at"),
    # The organisation filter compares lower(trim(organisation)): an index scan of that
    # organisation's people (the trigram index on lower(organisation) cannot serve it).
    "ix_users_organisation_key": (
        "CREATE INDEX IF NOT EXISTS ix_users_organisation_key "
        "ON users (lower(trim(organisation)))",
        "DROP INDEX IF EXISTS ix_users_organisation_key"),
}


def apply(url: str, action: str) -> None:
    engine = sa.create_engine(psycopg_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for create, drop in PROPOSED.values():
                started = time.perf_counter()
                conn.execute(sa.text(create if action == "create" else drop))
                print(f"  {create if action == 'create' else drop}  "
                      f"({time.perf_counter() - started:.1f} s)")
            conn.execute(sa.text("ANALYZE users"))
            conn.execute(sa.text("ANALYZE enrolment"))
    finally:
        engine.dispose()


def present(url: str) -> list[str]:
    """Which of PROPOSED the database holds now."""
    engine = sa.create_engine(psycopg_url(url))
    try:
        with engine.connect() as conn:
            return [name for name in PROPOSED if conn.scalar(sa.text(
                "SELECT to_regclass(:n) IS NOT NULL OR EXISTS (SELECT 1 FROM "
                "pg_statistic_ext WHERE stxname = :n)"), {"n": name})]
    finally:
        engine.dispose()


def _recorded(app, work) -> list[tuple[str, object]]:
    """The statements `work()` sends, with their parameters."""
    from lms.core.db import db

    log: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        log.append((statement, parameters))

    with app.test_request_context("/reports/"):
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
            db.session.rollback()
            db.session.remove()
    return log


def explain_queries(app, url: str, info: dict) -> None:
    from lms.reporting import cube, extract
    from lms.reporting.dimensions import DIMENSIONS
    from lms.reporting.filters import Filters
    from lms.reporting.periods import parse_period, period_choices

    sex, country = DIMENSIONS["sex"], DIMENSIONS["country"]

    def first_rows():
        rows = extract.extract_rows(Filters(course_id=info["courses"][0]["id"]))
        next(rows)
        rows.close()

    work = {
        "aggregate, sex x country (every table, the overview, the exports, the PDF)":
            lambda: cube.aggregate(Filters(), sex, country),
        "aggregate, one organisation": lambda: cube.aggregate(
            Filters(organisation=info["organisation"].lower()), sex, country),
        "aggregate, largest cohort": lambda: cube.aggregate(
            Filters(cohort_id=info["cohorts"][0]["id"]), sex, country),
        "period_choices": period_choices,
        "extract, one course (server-side cursor, first rows)": first_rows,
        "extract, 2026-Q3": lambda: next(extract.extract_rows(
            Filters(period=parse_period("2026-Q3")))),
        "comments, 2026-Q3": lambda: extract.comments(
            Filters(period=parse_period("2026-Q3")), 5),
    }
    engine = sa.create_engine(psycopg_url(url))
    print(f"\nproposed statistics and indexes present: {present(url) or 'none'}")
    try:
        for name, job in work.items():
            for statement, parameters in _recorded(app, job):
                if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    print(f"\n--- {name}\n{statement}\n{parameters}\n")
                    print(explain(engine, statement, parameters))
    finally:
        engine.dispose()
