"""Course pages, lessons, progress and the learner's dashboard."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.queries import (
    get_course_or_404,
    get_lesson_or_404,
    lesson_sequence,
    published_lesson,
    published_outline,
)
from lms.catalog.translations import course_text
from lms.core.access import login_required, public
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.page_cache import anonymous_page
from lms.core.unit_of_work import commit_or_flash
from lms.learning import services
from lms.learning.queries import Progress, progress_for_user

bp = Blueprint("learning", __name__)


@bp.get("/courses/<slug>")
@public
@anonymous_page
def course(slug: str):
    course = get_course_or_404(slug)
    outline = published_outline(course.id)
    lessons = [lesson for part in outline for lesson in part.lessons]
    enrolment = done = None
    if current_user.is_authenticated:
        enrolment = services.get_enrolment(current_user.id, course.id)
    done = services.completed_lesson_ids(enrolment.id) if enrolment else set()
    next_lesson = services.first_unread(lessons, done)
    progress = Progress(len(done & {lesson.id for lesson in lessons}), len(lessons))
    return render_template("learning/course.html", course=course, outline=outline,
                           enrolment=enrolment, done=done, progress=progress,
                           next_lesson=next_lesson,
                           form=ActionForm() if current_user.is_authenticated else None)


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str):
    course = get_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: services.enrol(current_user.id, course)).ok:
        flash(_("You are enrolled. Start with the first lesson when you are ready."), "success")
    return redirect(url_for("learning.course", slug=slug))


def _enrolment_or_redirect(course):
    enrolment = services.get_enrolment(current_user.id, course.id)
    if enrolment is None:
        flash(_("Enrol in the course to read its lessons."), "info")
    return enrolment


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    lesson = published_lesson(slug, lesson_slug) or abort(404)
    enrolled, done = services.lesson_state(current_user.id, lesson.course.id, lesson.id)
    if not enrolled:
        flash(_("Enrol in the course to read its lessons."), "info")
        return redirect(url_for("learning.course", slug=slug))
    lessons = lesson_sequence(lesson.course.id)
    index = next((i for i, item in enumerate(lessons) if item.id == lesson.id), None)
    if index is None:  # archived by a publish between reading the lesson and the outline
        abort(404)
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    shown = course_text(lesson.course).lesson(lesson)
    show_note = bool(shown.content_note) and request.args.get("note") != "read"
    return render_template(
        "learning/lesson.html", course=lesson.course, lesson=lesson, shown=shown,
        previous=previous, following=following, done=done, position=index + 1,
        count=len(lessons), show_note=show_note, form=ActionForm())


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@login_required
def complete(slug: str, lesson_slug: str):
    course = get_course_or_404(slug)
    lesson = get_lesson_or_404(course, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    enrolment = _enrolment_or_redirect(course)
    if enrolment is None:
        return redirect(url_for("learning.course", slug=slug))
    services.complete_lesson(enrolment, lesson)
    completed = enrolment.status == "completed"
    db.session.commit()
    if completed:
        flash(_("You have completed this course."), "success")
    lessons = lesson_sequence(course.id)
    following = services.first_unread(lessons, services.completed_lesson_ids(enrolment.id))
    if following is not None:
        return redirect(url_for("learning.lesson", slug=slug, lesson_slug=following.slug))
    return redirect(url_for("learning.course", slug=slug))


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template("learning/dashboard.html", rows=progress_for_user(current_user.id))
