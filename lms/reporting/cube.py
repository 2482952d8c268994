"""The one aggregate query behind every report: additive sums per (row category, column
category, month of enrolment), read in a single GROUP BY over enrolments.

Sums and counts add up, so totals over rows, columns, quarters and years are computed from
these few hundred groups exactly; no learner's row ever reaches Python. Months (not the
chosen period) are grouped so that suppression can see the whole period hierarchy.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace

import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.core.db import db
from lms.learning.cohorts import CohortCourse, CohortMember
from lms.learning.models import Enrolment
from lms.learning.survey_models import FeedbackResponse, FollowUpResponse
from lms.reporting.dimensions import COURSE_COLUMN, Dimension
from lms.reporting.filters import Filters
from lms.reporting.periods import ALL_TIME, quarter_of

SUMS = ("enrolled", "started", "completed", "passed", "certified", "took_final", "took_pre",
        "pre_sum", "final_sum", "paired", "paired_pre", "paired_final", "cpd_hours",
        "feedback", "relevance_sum", "clarity_sum", "confidence_sum", "follow_up",
        "follow_up_used")

Key = tuple[str, str, str]  # (row category, column category, '2026-Q3')


def zero() -> dict[str, float]:
    return dict.fromkeys(SUMS, 0)


def _utc(column):
    """The column's calendar in UTC whatever the session's time zone (PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.timezone("UTC", column)
    return column


def _measures() -> list:
    e, fb, fu = Enrolment, FeedbackResponse, FollowUpResponse
    both = sa.and_(e.pre_score.is_not(None), e.final_score.is_not(None))
    count = sa.func.count
    total = sa.func.sum
    return [
        count().label("enrolled"),
        count(e.started_at).label("started"),
        count(e.completed_at).label("completed"),
        count(e.passed_at).label("passed"),
        count(Certificate.id).label("certified"),
        count(e.final_score).label("took_final"),
        count(e.pre_score).label("took_pre"),
        total(e.pre_score).label("pre_sum"),
        total(e.final_score).label("final_sum"),
        count(sa.case((both, 1))).label("paired"),
        total(sa.case((both, e.pre_score))).label("paired_pre"),
        total(sa.case((both, e.final_score))).label("paired_final"),
        total(sa.case((e.completed_at.is_not(None), Course.cpd_hours))).label("cpd_hours"),
        count(fb.id).label("feedback"),
        total(fb.relevance).label("relevance_sum"),
        total(fb.clarity).label("clarity_sum"),
        total(fb.confidence).label("confidence_sum"),
        count(fu.id).label("follow_up"),
        count(sa.case((fu.used.in_(("yes", "partly")), 1))).label("follow_up_used"),
    ]


def filtered(query: sa.Select, filters: Filters) -> sa.Select:
    """Learners' enrolments matching the filters (the period is applied by the caller)."""
    query = query.where(User.role == "learner")
    if filters.course_id is not None:
        query = query.where(Enrolment.course_id == filters.course_id)
    if filters.cohort_id is not None:
        # A cohort's figures: its members, in the courses the cohort takes.
        query = query.where(
            Enrolment.user_id.in_(sa.select(CohortMember.user_id).where(
                CohortMember.cohort_id == filters.cohort_id)),
            Enrolment.course_id.in_(sa.select(CohortCourse.course_id).where(
                CohortCourse.cohort_id == filters.cohort_id)))
    if filters.country is not None:
        query = query.where(User.country == filters.country)
    if filters.sector is not None:
        query = query.where(User.sector == filters.sector)
    if filters.organisation is not None:
        query = query.where(sa.func.lower(sa.func.trim(User.organisation))
                            == filters.organisation.lower())
    return query


def joined(query: sa.Select) -> sa.Select:
    """Enrolments with their learner, course, valid certificate and survey answers; each
    join matches at most one row (unique keys, one issued certificate per course)."""
    return (query.select_from(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .join(Course, Course.id == Enrolment.course_id)
            .outerjoin(Certificate, sa.and_(Certificate.user_id == Enrolment.user_id,
                                            Certificate.course_id == Enrolment.course_id,
                                            Certificate.status == "issued"))
            .outerjoin(FeedbackResponse, FeedbackResponse.enrolment_id == Enrolment.id)
            .outerjoin(FollowUpResponse, FollowUpResponse.enrolment_id == Enrolment.id))


def _group(dimension: Dimension):
    if dimension.column is None:
        return sa.literal("")
    if dimension.column == COURSE_COLUMN:
        return Enrolment.course_id
    return getattr(User, dimension.column)


# {(filters without the period, row dimension, column dimension): sums} while a page is
# built: its overview, its table and the unfiltered tables its suppression consults ask
# for the same sums, and a query at 300,000 enrolments is the page's whole cost.
_shared: ContextVar[dict | None] = ContextVar("report_aggregates", default=None)


@contextmanager
def shared_aggregates() -> Iterator[None]:
    """Within the block, each table's sums are read once, and a table whose dimensions
    are a subset of one already read (the overview, from the page's table) is added up
    from it instead of read again. Outside it, every call reads the database."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def aggregate(filters: Filters, rows: Dimension, cols: Dimension) -> dict[Key, dict]:
    """{(row, column, quarter): sums}, from one query (or from a wider table read in the
    same shared_aggregates block); values outside a dimension's choices count as "not
    recorded"."""
    shared = _shared.get()
    if shared is None:
        return _read(filters, rows, cols)
    whole = replace(filters, period=ALL_TIME)  # the sums cover every period
    found = _collapsed(shared, whole, rows, cols)
    if found is None:
        found = shared[(whole, rows.key, cols.key)] = _read(filters, rows, cols)
    return found


def _collapsed(shared: dict, filters: Filters, rows: Dimension, cols: Dimension):
    """The sums by (rows, cols), added up from a table already read whose dimensions
    include them, or None."""
    for (found_filters, first, second), base in shared.items():
        if found_filters != filters:
            continue
        for a, b, swap in ((first, second, False), (second, first, True)):
            if rows.column is not None and rows.key != a:
                continue
            if cols.column is not None and cols.key != b:
                continue
            cells: dict[Key, dict] = defaultdict(zero)
            for (r, c, quarter), sums in base.items():
                r, c = (c, r) if swap else (r, c)
                target = cells[(r if rows.column else "", c if cols.column else "", quarter)]
                for name in SUMS:
                    target[name] += sums[name]
            return dict(cells)
    return None


def _read(filters: Filters, rows: Dimension, cols: Dimension) -> dict[Key, dict]:
    when = _utc(Enrolment.enrolled_at)
    year, month = sa.extract("year", when), sa.extract("month", when)
    row, col = _group(rows).label("r"), _group(cols).label("c")
    query = filtered(joined(sa.select(row, col, year.label("y"), month.label("m"),
                                      *_measures())), filters)
    query = query.group_by(row, col, year, month)
    cells: dict[Key, dict] = defaultdict(zero)
    for found in db.session.execute(query).mappings():
        key = (rows.bucket(found["r"]) if rows.column else "",
               cols.bucket(found["c"]) if cols.column else "",
               quarter_of(int(found["y"]), int(found["m"])))
        target = cells[key]
        for name in SUMS:
            target[name] += found[name] or 0
    return dict(cells)
