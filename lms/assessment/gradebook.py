"""Gradebook queries: each learner's progress and results in a course, aggregated in SQL."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.assessment.models import Attempt, Quiz
from lms.catalog.models import Course, Lesson, Module
from lms.core.db import db
from lms.core.paging import PAGE_SIZE, Page
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.queries import Progress

# One statement gives a page of learners whatever their number, attempts or lessons: the
# attempts and the lessons done are grouped per learner in subqueries, joined to the
# course's enrolments, then filtered, sorted and cut to a page by the database.
#
# The figures are those `services.record_scores` keeps on the enrolment and the learner's
# result page shows: the pre-test score is the first finished pre-test attempt (the
# baseline, before the course), the final score the best finished final attempt, and the
# knowledge gain the difference when both exist. Attempts at archived quizzes count for
# neither, as there.

STATUSES = ("not_started", "in_progress", "completed")
RESULTS = ("passed", "not_passed")
# name; progress and final score, lowest first or (with "-") highest first
SORTS = ("name", "progress", "-progress", "final", "-final")
SEARCH_LENGTH = 100


@dataclass(frozen=True)
class Filters:
    """What the gradebook's GET form asks for; anything unknown is ignored."""

    q: str = ""
    status: str = ""
    result: str = ""
    country: str = ""
    sort: str = "name"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        def pick(name: str, allowed: tuple[str, ...], default: str = "") -> str:
            value = args.get(name, default)
            return value if value in allowed else default

        country = args.get("country", "").strip().upper()
        return cls(q=" ".join(args.get("q", "").split())[:SEARCH_LENGTH],
                   status=pick("status", STATUSES), result=pick("result", RESULTS),
                   country=country if len(country) == 2 and country.isalpha() else "",
                   sort=pick("sort", SORTS, "name"))

    def as_args(self) -> dict[str, str]:
        """The non-default values, as query arguments (links to the CSV, the next page)."""
        return {k: v for k, v in (("q", self.q), ("status", self.status),
                                  ("result", self.result), ("country", self.country),
                                  ("sort", "" if self.sort == "name" else self.sort)) if v}


@dataclass(frozen=True)
class GradebookRow:
    user_id: int
    name: str
    email: str
    organisation: str | None
    country: str | None
    status: str  # the enrolment's: active | completed
    enrolled_at: datetime
    completed_at: datetime | None
    lessons_done: int
    lessons_total: int
    pre_score: float | None
    final_score: float | None
    attempts: int  # finished attempts at the course's quizzes
    passed: bool
    knowledge_gain: float | None

    @property
    def progress(self) -> Progress:
        return Progress(self.lessons_done, self.lessons_total)


@dataclass(frozen=True)
class Summary:
    enrolled: int
    completed: int
    passed: int
    mean_pre: float | None
    mean_final: float | None
    mean_gain: float | None


def _learner_rows(course_id: int, name: str, user_id: int | sa.ColumnElement | None = None
                  ) -> sa.Subquery:
    """Every enrolment of the course with its learner's figures, one row each (or only
    `user_id`'s, narrowed inside each subquery so that only their rows are read)."""
    live_quiz = sa.and_(Quiz.course_id == course_id, Quiz.archived_at.is_(None))
    if user_id is not None:
        live_quiz = sa.and_(live_quiz, Attempt.user_id == user_id)
    # One pass over the course's attempts: each numbered within its learner, quiz kind and
    # status, so that the first finished pre-test attempt is the one numbered 1; then one
    # row per learner. (A separate subquery filtered on "rank = 1" is estimated at a few
    # rows by PostgreSQL, which then joins it in a nested loop: quadratic in learners.)
    rank = sa.func.row_number().over(
        partition_by=(Attempt.user_id, Quiz.kind, Attempt.status),
        order_by=(Attempt.number, Attempt.id))
    ranked = (sa.select(Attempt.user_id, Attempt.status, Attempt.score, Attempt.passed,
                        Quiz.kind, rank.label("rank"))
              .join(Quiz, Quiz.id == Attempt.quiz_id).where(live_quiz)
              .subquery(f"{name}_ranked"))
    finished = ranked.c.status == "finished"
    final = sa.and_(finished, ranked.c.kind == "final")
    first_pre = sa.and_(finished, ranked.c.kind == "pre", ranked.c.rank == 1)
    attempts = (
        sa.select(ranked.c.user_id,
                  sa.func.count().label("opened"),
                  sa.func.count(sa.case((finished, 1))).label("attempts"),
                  sa.func.max(sa.case((final, ranked.c.score))).label("final_score"),
                  sa.func.max(sa.case((sa.and_(final, ranked.c.passed.is_(True)), 1),
                                      else_=0)).label("passed"),
                  sa.func.max(sa.case((first_pre, ranked.c.score))).label("pre_score"))
        .group_by(ranked.c.user_id).subquery(f"{name}_attempts"))
    live_lesson = sa.and_(Module.course_id == course_id, Module.archived_at.is_(None),
                          Lesson.archived_at.is_(None))
    done = (sa.select(LessonProgress.enrolment_id, sa.func.count().label("done"))
            .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(Module, Module.id == Lesson.module_id)
            .where(*_enrolments(course_id, user_id), live_lesson)
            .group_by(LessonProgress.enrolment_id).subquery(f"{name}_done"))
    total = (sa.select(sa.func.count()).select_from(Lesson)
             .join(Module, Module.id == Lesson.module_id).where(live_lesson)
             .scalar_subquery())
    return (
        sa.select(User.id.label("user_id"), User.name, User.email, User.organisation,
                  User.country, Enrolment.status, Enrolment.enrolled_at,
                  Enrolment.completed_at,
                  sa.func.coalesce(done.c.done, 0).label("lessons_done"),
                  total.label("lessons_total"),
                  attempts.c.pre_score, attempts.c.final_score,
                  sa.func.coalesce(attempts.c.attempts, 0).label("attempts"),
                  sa.func.coalesce(attempts.c.opened, 0).label("opened"),
                  sa.func.coalesce(attempts.c.passed, 0).label("passed"),
                  (attempts.c.final_score - attempts.c.pre_score).label("knowledge_gain"))
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id)
        .outerjoin(attempts, attempts.c.user_id == Enrolment.user_id)
        .outerjoin(done, done.c.enrolment_id == Enrolment.id)
        .where(*_enrolments(course_id, user_id)).subquery(name))


def _enrolments(course_id: int, user_id) -> list[sa.ColumnElement[bool]]:
    found = [Enrolment.course_id == course_id]
    return found if user_id is None else [*found, Enrolment.user_id == user_id]


def _conditions(rows: sa.Subquery, filters: Filters) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if filters.q:
        needle = filters.q.lower()
        found.append(sa.or_(*(sa.func.lower(column).contains(needle, autoescape=True)
                              for column in (rows.c.name, rows.c.email, rows.c.organisation))))
    started = sa.or_(rows.c.lessons_done > 0, rows.c.opened > 0)
    if filters.status == "completed":
        found.append(rows.c.status == "completed")
    elif filters.status == "in_progress":
        found.append(sa.and_(rows.c.status != "completed", started))
    elif filters.status == "not_started":
        found.append(sa.and_(rows.c.status != "completed", sa.not_(started)))
    if filters.result:
        found.append(rows.c.passed == (1 if filters.result == "passed" else 0))
    if filters.country:
        found.append(rows.c.country == filters.country)
    return found


def _sort_key(rows: sa.Subquery, sort: str) -> sa.ColumnElement:
    field = sort.lstrip("-")
    if field == "progress":
        return rows.c.lessons_done  # the same total for every row
    if field == "final":
        return sa.func.coalesce(rows.c.final_score, -1.0)  # no score: below every score
    return sa.func.lower(rows.c.name)


def _row(values: sa.Row) -> GradebookRow:
    gain = values.knowledge_gain
    return GradebookRow(
        values.user_id, values.name, values.email, values.organisation, values.country,
        values.status, values.enrolled_at, values.completed_at, values.lessons_done,
        values.lessons_total, values.pre_score, values.final_score, values.attempts,
        bool(values.passed), round(gain, 2) if gain is not None else None)


def _aggregates(rows: sa.Subquery) -> list[sa.ColumnElement]:
    """The summary's figures, in Summary's order."""
    return [sa.func.count(rows.c.user_id),
            sa.func.sum(sa.case((rows.c.status == "completed", 1), else_=0)),
            sa.func.sum(rows.c.passed), sa.func.avg(rows.c.pre_score),
            sa.func.avg(rows.c.final_score), sa.func.avg(rows.c.knowledge_gain)]


def _summary(values) -> Summary:
    return Summary(*(int(v or 0) for v in values[:3]),
                   *(float(v) if v is not None else None for v in values[3:]))


SUMMARY_COLUMNS = [f"summary_{f.name}" for f in fields(Summary)]


def _ordered(course_id: int, filters: Filters, after: int | None, *,
             with_summary: bool = False) -> sa.Select:
    """The filtered rows in the chosen order, from just after learner `after` (keyset:
    that learner's sort value, then the user id, so every page costs the same). With
    `with_summary`, each row also carries the summary of every filtered row (window
    aggregates, computed before the page is cut), saving a second pass."""
    rows = _learner_rows(course_id, "learners")
    extra = ([aggregate.over().label(name)
              for aggregate, name in zip(_aggregates(rows), SUMMARY_COLUMNS, strict=True)]
             if with_summary else [])
    shown = sa.select(rows, *extra).where(*_conditions(rows, filters)).subquery("shown")
    query = sa.select(shown)
    descending = filters.sort.startswith("-")
    key = _sort_key(shown, filters.sort)
    if after is not None:
        mark = _learner_rows(course_id, "mark", user_id=after)
        anchor = (sa.select(_sort_key(mark, filters.sort).label("key"), mark.c.user_id)
                  .subquery("anchor"))
        beyond = (sa.or_(key < anchor.c.key, sa.and_(key == anchor.c.key,
                                                     shown.c.user_id < anchor.c.user_id))
                  if descending else
                  sa.or_(key > anchor.c.key, sa.and_(key == anchor.c.key,
                                                     shown.c.user_id > anchor.c.user_id)))
        # An anchor no longer in the course (unenrolled since) starts from the top.
        query = query.outerjoin(anchor, sa.true()).where(
            sa.or_(anchor.c.user_id.is_(None), beyond))
    order = (key.desc(), shown.c.user_id.desc()) if descending else (key, shown.c.user_id)
    return query.order_by(*order)


@dataclass(frozen=True)
class GradebookPage(Page):
    summary: Summary | None = None  # of every learner the filters match, not just this page


def gradebook_rows(course: Course, *, filters: Filters, after: int | None = None,
                   per_page: int = PAGE_SIZE) -> GradebookPage:
    """One page of the course's learners (GradebookRow) matching `filters`, and their
    summary, in one statement. `after` is the user id the previous page ended with."""
    result = db.session.execute(_ordered(course.id, filters, after, with_summary=True)
                                .limit(per_page + 1)).all()
    items = [_row(values) for values in result[:per_page]]
    more = len(result) > per_page
    if result:
        summary = _summary([getattr(result[0], name) for name in SUMMARY_COLUMNS])
    elif after is None:
        summary = _summary([0, 0, 0, None, None, None])  # nobody matches
    else:
        summary = gradebook_summary(course, filters)  # past the last page
    return GradebookPage(items, after, items[-1].user_id if more else None, summary)


def iter_gradebook_rows(course: Course, filters: Filters) -> Iterator[GradebookRow]:
    """Every matching learner in order, fetched in batches (for the CSV export)."""
    result = db.session.execute(_ordered(course.id, filters, None),
                                execution_options={"yield_per": 500})
    for values in result:
        yield _row(values)


def gradebook_summary(course: Course, filters: Filters) -> Summary:
    """Counts and means over every learner matching `filters` (one statement)."""
    rows = _learner_rows(course.id, "learners")
    shown = sa.select(rows).where(*_conditions(rows, filters)).subquery("shown")
    return _summary(db.session.execute(sa.select(*_aggregates(shown))).one())


@dataclass(frozen=True)
class LessonLine:
    module: str
    title: str
    completed_at: datetime | None


@dataclass(frozen=True)
class AttemptLine:
    id: int
    quiz_id: int
    quiz_title: str
    kind: str
    pass_mark: int
    quiz_archived: bool
    number: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    score: float | None
    passed: bool | None


@dataclass(frozen=True)
class LearnerRecord:
    row: GradebookRow
    lessons: list[LessonLine]
    attempts: list[AttemptLine]


def learner_attempts(course: Course, user_id: int) -> LearnerRecord | None:
    """One learner's figures (as the gradebook shows them), lessons and attempts in the
    course, in three statements; None when they are not enrolled in it."""
    rows = _learner_rows(course.id, "learners", user_id=user_id)
    found = db.session.execute(sa.select(rows)).first()
    if found is None:
        return None
    enrolment_id = sa.select(Enrolment.id).where(
        Enrolment.course_id == course.id, Enrolment.user_id == user_id).scalar_subquery()
    lessons = [LessonLine(*values) for values in db.session.execute(
        sa.select(Module.title, Lesson.title, LessonProgress.completed_at)
        .select_from(Lesson).join(Module, Module.id == Lesson.module_id)
        .outerjoin(LessonProgress, sa.and_(LessonProgress.lesson_id == Lesson.id,
                                           LessonProgress.enrolment_id == enrolment_id))
        .where(Module.course_id == course.id, Module.archived_at.is_(None),
               Lesson.archived_at.is_(None))
        .order_by(Module.position, Lesson.position))]
    attempts = [AttemptLine(*values) for values in db.session.execute(
        sa.select(Attempt.id, Quiz.id, Quiz.title, Quiz.kind, Quiz.pass_mark,
                  Quiz.archived_at.is_not(None), Attempt.number, Attempt.status,
                  Attempt.started_at, Attempt.finished_at, Attempt.score, Attempt.passed)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Quiz.course_id == course.id, Attempt.user_id == user_id)
        .order_by(Attempt.started_at, Attempt.id))]
    return LearnerRecord(_row(found), lessons, attempts)
