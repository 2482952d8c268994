"""The public catalogue and the instructors' view of course content."""
from __future__ import annotations

from flask import Blueprint, render_template

from lms.catalog import queries
from lms.core.access import public, roles_required

bp = Blueprint("catalog", __name__)


@bp.get("/")
@public
def index():
    return render_template("catalog/index.html", courses=queries.list_courses(),
                           lesson_counts=queries.lesson_counts())


@bp.get("/teach/")
@roles_required("instructor", "admin")
def teach():
    courses = queries.list_courses()
    return render_template("catalog/teach.html", courses=courses,
                           outlines=queries.outlines([c.id for c in courses]))
