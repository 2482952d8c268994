"""Who may follow a cohort: admins, its instructors, and the staff of its courses."""
# A cohort's instructors (CohortInstructor) see every course of the cohort and send its
# reminders; the staff of a course (owner, editor, grader) see that course's tracking in
# every cohort taking it, and nothing else of the cohort. Learners see none of it.
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g

from lms.accounts.permissions import has_role
from lms.catalog.models import CourseStaff
from lms.catalog.permissions import staff_role
from lms.core.db import db
from lms.learning.cohorts import Cohort, CohortCourse, CohortInstructor


def is_cohort_instructor(user: Any, cohort: Cohort) -> bool:
    """Named an instructor of the cohort (read once per request)."""
    if not has_role(user, "instructor", "admin"):
        return False
    held = g.setdefault("lms_cohort_instructor", {})
    key = (user.id, cohort.id)
    if key not in held:
        held[key] = db.session.scalar(sa.select(sa.literal(True)).where(
            CohortInstructor.cohort_id == cohort.id,
            CohortInstructor.user_id == user.id)) is not None
    return held[key]


def trackable_course_ids(user: Any, cohort: Cohort) -> set[int] | None:
    """The cohort's courses the user may follow; None for all of them (admins and the
    cohort's instructors)."""
    if has_role(user, "admin") or is_cohort_instructor(user, cohort):
        return None
    if not has_role(user, "instructor"):
        return set()
    return set(db.session.scalars(
        sa.select(CohortCourse.course_id).join(
            CourseStaff, CourseStaff.course_id == CohortCourse.course_id)
        .where(CohortCourse.cohort_id == cohort.id, CourseStaff.user_id == user.id)))


def can_track_cohort(user: Any, cohort: Cohort) -> bool:
    """See the cohort's tracking index (at least one of its courses)."""
    allowed = trackable_course_ids(user, cohort)
    return allowed is None or bool(allowed)


def can_track_course(user: Any, cohort: Cohort, course_id: int) -> bool:
    """See (and export) the cohort's tracking table for one of its courses."""
    if has_role(user, "admin") or is_cohort_instructor(user, cohort):
        return True
    return has_role(user, "instructor") and staff_role(user, course_id) is not None


def can_send_reminders(user: Any, cohort: Cohort) -> bool:
    """Send or schedule reminders to the cohort's members: an admin or its instructor."""
    return has_role(user, "admin") or is_cohort_instructor(user, cohort)


def visible_cohorts_query(user: Any) -> sa.Select:
    """The cohorts the user may follow (admins: every one), newest first."""
    query = sa.select(Cohort).order_by(Cohort.created_at.desc(), Cohort.id.desc())
    if has_role(user, "admin"):
        return query
    if not has_role(user, "instructor"):
        return query.where(sa.false())
    instructs = sa.select(CohortInstructor.cohort_id).where(CohortInstructor.user_id == user.id)
    teaches = (sa.select(CohortCourse.cohort_id)
               .join(CourseStaff, CourseStaff.course_id == CohortCourse.course_id)
               .where(CourseStaff.user_id == user.id))
    return query.where(sa.or_(Cohort.id.in_(instructs), Cohort.id.in_(teaches)))
