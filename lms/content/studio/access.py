"""Loading a course for a studio page: not staff → 404 (nothing revealed), staff without
the right → 403, and edits only while the studio holds the course."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.models import Course
from lms.catalog.permissions import can_edit_course, can_grade_course
from lms.core.db import db


class NotInStudio(Exception):
    """A file course: its files are the truth until it is taken into the studio."""


def course_for(slug: str, rule: Callable[[Any, Course], bool] = can_grade_course) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None or not can_grade_course(current_user, course):
        abort(404)
    if not rule(current_user, course):
        abort(403)
    return course


def editable_course(slug: str) -> Course:
    """A studio course the current user may edit (404/403 otherwise); a file course
    raises NotInStudio, answered by `not_in_studio` with a way forward."""
    course = course_for(slug, can_edit_course)
    if course.source != "studio":
        raise NotInStudio(course.slug)
    return course


def not_in_studio(error: NotInStudio):
    flash(_("This course is managed from its files in courses/. Its owner can take it "
            "into the studio; until then, change the files and run `flask courses sync`."),
          "error")
    return redirect(url_for("studio.course", slug=str(error)))
