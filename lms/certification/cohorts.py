"""Cohorts as certification sees them: the ones a batch can be issued to, and the second
language a cohort chooses for its members' certificates."""
from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog import certificate_policy as policy
from lms.catalog.models import Course
from lms.certification.render import printable_locale
from lms.core.db import db
from lms.learning.cohorts import Cohort, CohortCourse, CohortMember
from lms.learning.models import Enrolment


def second_locale(course: Course, user: User, cohort_language: str | None) -> str | None:
    """The holder's cohort's language, else the course's: a code, or the learner's own
    ("learner"); printed only where a catalogue exists."""
    chosen = cohort_language or policy.second_language(course)
    return printable_locale(user.locale if chosen == policy.LEARNER else chosen)


def cohort_languages(pairs: list[tuple[Enrolment, User]]) -> dict[tuple[int, int], str]:
    """(user id, course id) → the certificate language of the first cohort (by id) that
    the learner belongs to, takes the course and sets one; one query for a batch."""
    rows = db.session.execute(sa.select(
        CohortMember.user_id, CohortCourse.course_id, Cohort.certificate_language).join(
        CohortMember, CohortMember.cohort_id == Cohort.id).join(
        CohortCourse, CohortCourse.cohort_id == Cohort.id).where(
        CohortMember.user_id.in_({u.id for _e, u in pairs}),
        CohortCourse.course_id.in_({e.course_id for e, _u in pairs}),
        Cohort.certificate_language.is_not(None)).order_by(Cohort.id.desc())).all()
    return {(user_id, course_id): language for user_id, course_id, language in rows}


def cohorts_of(course_id: int) -> list[Cohort]:
    """The live cohorts that take this course (the ones a batch can be issued to)."""
    return list(db.session.scalars(sa.select(Cohort).join(
        CohortCourse, CohortCourse.cohort_id == Cohort.id).where(
        CohortCourse.course_id == course_id, Cohort.archived_at.is_(None))
        .order_by(Cohort.name)))
