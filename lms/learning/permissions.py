"""Who may see and run cohorts; also Jinja globals, so templates hide what views forbid."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from lms.accounts.permissions import has_role
from lms.catalog.models import CourseStaff
from lms.core.db import db
from lms.learning.cohorts import Cohort, CohortCourse, CohortInstructor


def can_manage_cohorts(user: Any) -> bool:
    """Create and edit cohorts, change members, import, resend invitations: admins."""
    return has_role(user, "admin")


def can_view_cohort(user: Any, cohort: Cohort) -> bool:
    """See a cohort and its members: admins, the cohort's instructors, and the staff of
    a course the cohort takes (instructors see the cohorts of their courses)."""
    if has_role(user, "admin"):
        return True
    if not has_role(user, "instructor"):
        return False
    instructs = sa.exists().where(CohortInstructor.cohort_id == cohort.id,
                                  CohortInstructor.user_id == user.id)
    teaches = sa.exists().where(CohortCourse.cohort_id == cohort.id,
                                CourseStaff.course_id == CohortCourse.course_id,
                                CourseStaff.user_id == user.id)
    return bool(db.session.scalar(sa.select(sa.or_(instructs, teaches))))


def visible_cohorts_clause(user: Any) -> sa.ColumnElement[bool]:
    """The WHERE clause of the cohorts `user` may see (for lists)."""
    if has_role(user, "admin"):
        return sa.true()
    if not has_role(user, "instructor"):
        return sa.false()
    instructs = sa.exists().where(CohortInstructor.cohort_id == Cohort.id,
                                  CohortInstructor.user_id == user.id)
    teaches = sa.exists().where(CohortCourse.cohort_id == Cohort.id,
                                CourseStaff.course_id == CohortCourse.course_id,
                                CourseStaff.user_id == user.id)
    return sa.or_(instructs, teaches)
