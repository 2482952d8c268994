"""Cohort tracking: each member's progress in a cohort's course, aggregated in SQL."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import to_user_timezone

from lms.accounts.models import User
from lms.assessment.models import Attempt, Quiz
from lms.catalog.models import Course, Lesson, Module
from lms.certification.models import Certificate
from lms.core.db import db, utcnow
from lms.learning.cohorts import Cohort, CohortCourse, CohortMember
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.queries import Progress

# One statement gives the summary and a page of members, whatever the cohort's size:
# lessons done, attempts opened and certificates are grouped per member in subqueries
# (each narrowed to the cohort's members), joined to the members and their enrolments in
# one CTE; the summary and the page are both read from that CTE, so the database
# computes each member's figures once. The scores are those `record_scores` keeps on
# the enrolment (first pre-test, best final, the gain between them), as the gradebook.
#
# Paging is by page number (OFFSET): every order here is by an aggregate, so the
# database computes and sorts every member on every page anyway, and skipping the first
# rows of that sorted set costs nothing next to it; a page number lets the page say
# "page 3 of 40". 2,000 members are 40 pages of 50.

STATES = ("not_started", "in_progress", "completed")
# The filters: a state, or one of the flags that cut across states.
FILTERS = ("not_started", "in_progress", "not_completed", "overdue", "completed", "certified")
SORTS = ("name", "-progress", "progress", "-final", "final", "-active", "active")
PER_PAGE = 50
SEARCH_LENGTH = 100
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Filters:
    """What the tracking page's GET form asks for; anything unknown is ignored."""

    show: str = ""
    q: str = ""
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        show, sort, page = (args.get(name, "") for name in ("show", "sort", "page"))
        number = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1
        return cls(show=show if show in FILTERS else "",
                   q=" ".join(args.get("q", "").split())[:SEARCH_LENGTH],
                   sort=sort if sort in SORTS else "name", page=min(max(number, 1), MAX_PAGE))

    def as_args(self, *, page: int | None = None) -> dict[str, str | int]:
        """The non-default values as query arguments (exports, other pages)."""
        found: dict[str, str | int] = {k: v for k, v in (
            ("show", self.show), ("q", self.q),
            ("sort", "" if self.sort == "name" else self.sort)) if v}
        if page and page > 1:
            found["page"] = page
        return found


@dataclass(frozen=True)
class TrackingRow:
    user_id: int
    name: str
    email: str
    organisation: str | None
    enrolled_at: datetime | None  # None: a member not (yet) enrolled in the course
    # The account's last activity or the latest lesson or test in the course, if later.
    last_active_at: datetime | None
    lessons_done: int
    lessons_total: int
    pre_score: float | None
    final_score: float | None
    knowledge_gain: float | None
    completed_at: datetime | None
    state: str  # not_started | in_progress | completed
    overdue: bool
    certified_at: datetime | None  # the issued certificate's date
    certificates: int  # issued, revoked or expired

    @property
    def progress(self) -> Progress:
        return Progress(self.lessons_done, self.lessons_total)

    @property
    def certificate_lapsed(self) -> bool:
        """Had a certificate for the course that is no longer valid (revoked, expired)."""
        return self.certified_at is None and self.certificates > 0


@dataclass(frozen=True)
class Summary:
    members: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    overdue: int = 0
    certified: int = 0
    matching: int = 0  # members the filters find

    def count(self, show: str) -> int:
        """How many members a filter (or "" for everyone) finds."""
        if show == "not_completed":
            return self.not_started + self.in_progress
        return getattr(self, show) if show in FILTERS else self.members


SUMMARY_FIELDS = ("members", "not_started", "in_progress", "completed", "overdue",
                  "certified", "matching")


@dataclass(frozen=True)
class TrackingPage:
    summary: Summary
    items: list[TrackingRow]
    page: int
    pages: int


def local_today(zone_of: User | None = None) -> date:
    """Today's date where the viewer is (or `zone_of` is, outside a request)."""
    now = utcnow()
    if zone_of is None:
        return to_user_timezone(now).date()
    return now.astimezone(ZoneInfo(zone_of.timezone_name)).date()


def is_past_due(cohort: Cohort, today: date) -> bool:
    """Overdue means: not completed and today (in the viewer's zone) after the due date."""
    return cohort.due_on is not None and today > cohort.due_on


def _live_lessons() -> sa.ColumnElement[bool]:
    return sa.and_(Module.archived_at.is_(None), Lesson.archived_at.is_(None))


def tracked_rows(cohort_id: int, course_id: int | None, past_due: bool) -> sa.Select:
    """One row per member and cohort course (or only `course_id`) with its figures."""
    members = sa.select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
    courses = sa.select(CohortCourse.course_id).where(CohortCourse.cohort_id == cohort_id)
    if course_id is not None:
        courses = courses.where(CohortCourse.course_id == course_id)

    def of_courses(column: sa.ColumnElement) -> sa.ColumnElement[bool]:
        return column == course_id if course_id is not None else column.in_(courses)

    done = (sa.select(LessonProgress.enrolment_id, sa.func.count().label("done"),
                      sa.func.max(LessonProgress.completed_at).label("last_lesson"))
            .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(Module, sa.and_(Module.id == Lesson.module_id,
                                  Module.course_id == Enrolment.course_id))
            .where(of_courses(Enrolment.course_id), Enrolment.user_id.in_(members),
                   _live_lessons())
            .group_by(LessonProgress.enrolment_id).subquery("done"))
    opened = (sa.select(Attempt.user_id, Quiz.course_id, sa.func.count().label("opened"),
                        sa.func.max(sa.func.coalesce(Attempt.finished_at, Attempt.started_at))
                        .label("last_attempt"))
              .join(Quiz, Quiz.id == Attempt.quiz_id)
              .where(of_courses(Quiz.course_id), Quiz.archived_at.is_(None),
                     Attempt.user_id.in_(members))
              .group_by(Attempt.user_id, Quiz.course_id).subquery("opened"))
    issued = Certificate.status == "issued"
    certs = (sa.select(Certificate.user_id, Certificate.course_id,
                       sa.func.max(sa.case((issued, Certificate.issued_at)))
                       .label("certified_at"),
                       sa.func.count().label("certificates"))
             .where(of_courses(Certificate.course_id), Certificate.user_id.in_(members))
             .group_by(Certificate.user_id, Certificate.course_id).subquery("certs"))
    totals = (sa.select(Module.course_id, sa.func.count(Lesson.id).label("total"))
              .join(Lesson, Lesson.module_id == Module.id)
              .where(of_courses(Module.course_id), _live_lessons())
              .group_by(Module.course_id).subquery("totals"))
    completed = sa.func.coalesce(Enrolment.status, "") == "completed"
    lessons_done = sa.func.coalesce(done.c.done, 0)
    started = sa.or_(lessons_done > 0, sa.func.coalesce(opened.c.opened, 0) > 0)
    overdue = sa.case((completed, 0), else_=1) if past_due else sa.literal(0)
    return (
        sa.select(CohortCourse.course_id, User.id.label("user_id"), User.name, User.email,
                  User.organisation, Enrolment.enrolled_at,
                  _latest(User.last_active_at, done.c.last_lesson, opened.c.last_attempt)
                  .label("last_active_at"),
                  lessons_done.label("lessons_done"),
                  sa.func.coalesce(totals.c.total, 0).label("lessons_total"),
                  Enrolment.pre_score, Enrolment.final_score, Enrolment.knowledge_gain,
                  Enrolment.completed_at,
                  sa.case((completed, "completed"), (started, "in_progress"),
                          else_="not_started").label("state"),
                  overdue.label("overdue"), certs.c.certified_at,
                  sa.func.coalesce(certs.c.certificates, 0).label("certificates"))
        .select_from(CohortMember)
        .join(CohortCourse, CohortCourse.cohort_id == CohortMember.cohort_id)
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(Enrolment, sa.and_(Enrolment.user_id == CohortMember.user_id,
                                      Enrolment.course_id == CohortCourse.course_id))
        .outerjoin(done, done.c.enrolment_id == Enrolment.id)
        .outerjoin(opened, sa.and_(opened.c.user_id == CohortMember.user_id,
                                   opened.c.course_id == CohortCourse.course_id))
        .outerjoin(certs, sa.and_(certs.c.user_id == CohortMember.user_id,
                                  certs.c.course_id == CohortCourse.course_id))
        .outerjoin(totals, totals.c.course_id == CohortCourse.course_id)
        .where(CohortMember.cohort_id == cohort_id, of_courses(CohortCourse.course_id)))


def _latest(*moments: sa.ColumnElement) -> sa.ColumnElement:
    """The latest of some nullable times (GREATEST, which SQLite lacks, ignoring NULLs)."""
    latest = moments[0]
    for moment in moments[1:]:
        latest = sa.case((latest.is_(None), moment), (moment.is_(None), latest),
                         (moment > latest, moment), else_=latest)
    return sa.type_coerce(latest, User.last_active_at.type)


def matches(rows, show: str, q: str = "") -> list[sa.ColumnElement[bool]]:
    """The conditions of a filter (and a name or email search) on tracked rows."""
    found: list[sa.ColumnElement[bool]] = []
    if show in STATES:
        found.append(rows.c.state == show)
    elif show == "not_completed":
        found.append(rows.c.state != "completed")
    elif show == "overdue":
        found.append(rows.c.overdue == 1)
    elif show == "certified":
        found.append(rows.c.certified_at.is_not(None))
    if q:
        needle = q.lower()
        found.append(sa.or_(*(sa.func.lower(column).contains(needle, autoescape=True)
                              for column in (rows.c.name, rows.c.email))))
    return found


def _order(rows, sort: str) -> list[sa.ColumnElement]:
    """The sort, then name and id (a stable order for paging); no score, no activity: last."""
    field, descending = sort.lstrip("-"), sort.startswith("-")
    name = [sa.func.lower(rows.c.name), rows.c.user_id]
    if field == "name":
        return name
    column = {"progress": rows.c.lessons_done, "final": rows.c.final_score,
              "active": rows.c.last_active_at}[field]
    keys = [sa.case((column.is_(None), 1), else_=0)] if field != "progress" else []
    return [*keys, column.desc() if descending else column, *name]


def _row(values) -> TrackingRow:
    gain = values.knowledge_gain
    return TrackingRow(
        values.user_id, values.name, values.email, values.organisation, values.enrolled_at,
        values.last_active_at, int(values.lessons_done), int(values.lessons_total),
        values.pre_score, values.final_score, round(gain, 2) if gain is not None else None,
        values.completed_at, values.state, bool(values.overdue), values.certified_at,
        int(values.certificates))


def tracking_page(cohort: Cohort, course_id: int, filters: Filters, *, today: date,
                  per_page: int = PER_PAGE) -> TrackingPage:
    """The summary of every member (with how many the filters find) and one page of
    the members the filters find, in one statement."""
    tracked = tracked_rows(cohort.id, course_id, is_past_due(cohort, today)).cte("tracked")
    wanted = matches(tracked, filters.show, filters.q)
    state = tracked.c.state

    def counted(condition) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    summary = sa.select(
        sa.func.count().label("members"), counted(state == "not_started").label("not_started"),
        counted(state == "in_progress").label("in_progress"),
        counted(state == "completed").label("completed"),
        counted(tracked.c.overdue == 1).label("overdue"),
        counted(tracked.c.certified_at.is_not(None)).label("certified"),
        counted(sa.and_(*wanted) if wanted else sa.true()).label("matching"),
    ).cte("summary")
    order = _order(tracked, filters.sort)
    page = (sa.select(tracked, sa.func.row_number().over(order_by=order).label("position"))
            .where(*wanted).order_by(*order)
            .limit(per_page).offset((filters.page - 1) * per_page).cte("page"))
    result = db.session.execute(
        sa.select(*(summary.c[name].label(f"summary_{name}") for name in SUMMARY_FIELDS),
                  page).select_from(summary.outerjoin(page, sa.true()))
        .order_by(page.c.position)).all()
    found = Summary(*(int(getattr(result[0], f"summary_{name}")) for name in SUMMARY_FIELDS))
    items = [_row(values) for values in result if values.user_id is not None]
    pages = max(1, -(-found.matching // per_page))
    return TrackingPage(found, items, filters.page, pages)


def iter_tracking_rows(cohort: Cohort, course_id: int, filters: Filters, *,
                       today: date) -> Iterator[TrackingRow]:
    """Every member the filters find, in the page's order, fetched in batches (exports)."""
    tracked = tracked_rows(cohort.id, course_id, is_past_due(cohort, today)).subquery("t")
    query = sa.select(tracked).where(*matches(tracked, filters.show, filters.q)).order_by(
        *_order(tracked, filters.sort))
    for values in db.session.execute(query, execution_options={"yield_per": 500}):
        yield _row(values)


@dataclass(frozen=True)
class CourseSummary:
    course_id: int
    title: str
    slug: str
    summary: Summary


def course_summaries(cohort: Cohort, course_ids: set[int] | None, *, today: date
                     ) -> list[CourseSummary]:
    """Each of the cohort's courses (or those in `course_ids`) with its members' counts
    by state, in one statement grouped by course."""
    tracked = tracked_rows(cohort.id, None, is_past_due(cohort, today)).subquery("t")
    state = tracked.c.state

    def counted(condition) -> sa.ColumnElement:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    per_course = (sa.select(
        tracked.c.course_id, sa.func.count().label("members"),
        counted(state == "not_started").label("not_started"),
        counted(state == "in_progress").label("in_progress"),
        counted(state == "completed").label("completed"),
        counted(tracked.c.overdue == 1).label("overdue"),
        counted(tracked.c.certified_at.is_not(None)).label("certified"))
        .group_by(tracked.c.course_id).subquery("per_course"))
    query = (sa.select(Course.id, Course.title, Course.slug, per_course)
             .select_from(CohortCourse).join(Course, Course.id == CohortCourse.course_id)
             .outerjoin(per_course, per_course.c.course_id == Course.id)
             .where(CohortCourse.cohort_id == cohort.id).order_by(Course.title, Course.id))
    if course_ids is not None:
        query = query.where(Course.id.in_(course_ids or {0}))
    found = []
    for values in db.session.execute(query):
        counts = [int(getattr(values, name) or 0) for name in SUMMARY_FIELDS[:-1]]
        found.append(CourseSummary(values.id, values.title, values.slug,
                                   Summary(*counts, matching=counts[0])))
    return found
