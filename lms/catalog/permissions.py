"""Who may do what with a course: its staff (owner, editor, grader) and admins.

One rule each, called by views and, as Jinja globals, by templates. The user's role on
a course is read once per request.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g

from lms.accounts.permissions import has_role
from lms.catalog.models import Course, CourseStaff
from lms.core.db import db

EDITORS = ("owner", "editor")


def staff_role(user: Any, course_id: int) -> str | None:
    """The user's role on the course, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = g.setdefault("lms_staff_roles", {})
    key = (user.id, course_id)
    if key not in roles:
        roles[key] = db.session.scalar(sa.select(CourseStaff.role).where(
            CourseStaff.course_id == course_id, CourseStaff.user_id == user.id))
    return roles[key]


def can_grade_course(user: Any, course: Course) -> bool:
    """See the course's learners and results: any of its staff, or an admin."""
    return has_role(user, "admin") or (
        has_role(user, "instructor") and staff_role(user, course.id) is not None)


def can_edit_course(user: Any, course: Course) -> bool:
    """Change content or answer keys, and regrade: its owner or an editor, or an admin."""
    return has_role(user, "admin") or (
        has_role(user, "instructor") and staff_role(user, course.id) in EDITORS)


def can_manage_staff(user: Any, course: Course) -> bool:
    return has_role(user, "admin") or (
        has_role(user, "instructor") and staff_role(user, course.id) == "owner")


def can_publish_course(user: Any, course: Course) -> bool:
    """Publish a version, roll back, take a file course into the studio: its owner."""
    return can_manage_staff(user, course)


def can_create_course(user: Any) -> bool:
    return has_role(user, "admin") or has_role(user, "instructor")


def taught_course_ids(user: Any) -> set[int] | None:
    """The courses the user is staff of; None for an admin (every course)."""
    if has_role(user, "admin"):
        return None
    if not has_role(user, "instructor"):
        return set()
    return set(db.session.scalars(sa.select(CourseStaff.course_id).where(
        CourseStaff.user_id == user.id)))
