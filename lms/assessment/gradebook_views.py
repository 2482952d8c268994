"""Course staff pages: the gradebook, its CSV export, one learner's record, one attempt."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from lms.accounts.choices import COUNTRIES, COUNTRY_UNDISCLOSED
from lms.accounts.models import User
from lms.assessment import gradebook, queries, services
from lms.assessment.models import Attempt
from lms.assessment.qtypes import get_type
from lms.assessment.views import bp
from lms.catalog.models import Course
from lms.catalog.permissions import can_grade_course
from lms.catalog.queries import get_course_or_404
from lms.core.access import roles_required
from lms.core.csv_safe import csv_response
from lms.core.db import db, utcnow
from lms.core.paging import PAGE_SIZE
from lms.core.requests import parse_id

COUNTRY_NAMES = dict([*COUNTRIES, COUNTRY_UNDISCLOSED])


def _course_or_404(slug: str) -> Course:
    """The course, if this person may see its learners (else: as if there were none)."""
    course = get_course_or_404(slug)
    if not can_grade_course(current_user, course):
        abort(404)
    return course


@bp.get("/teach/courses/<slug>/gradebook", endpoint="gradebook")
@roles_required("instructor", "admin")
def gradebook_page(slug: str):
    course = _course_or_404(slug)
    filters = gradebook.Filters.from_args(request.args)
    page = gradebook.gradebook_rows(course, filters=filters, per_page=PAGE_SIZE,
                                    after=parse_id(request.args.get("after")))
    return render_template(
        "assessment/gradebook.html", course=course, filters=filters, page=page,
        summary=page.summary, quizzes=queries.course_quizzes(course.id), countries=COUNTRY_NAMES)


def _csv_lines(rows):
    """Gradebook rows as CSV cells: times in the reader's zone, the verdict in words."""
    yes, no = _("yes"), _("no")

    def local(moment):
        return to_user_timezone(moment) if moment else None

    for row in rows:
        yield [row.name, row.email, row.organisation, row.country, local(row.enrolled_at),
               row.lessons_done, row.lessons_total, row.progress.percent,
               local(row.completed_at), row.pre_score, row.final_score, row.attempts,
               yes if row.passed else no, row.knowledge_gain]


@bp.get("/teach/courses/<slug>/gradebook.csv")
@roles_required("instructor", "admin")
def gradebook_csv(slug: str):
    course = _course_or_404(slug)
    filters = gradebook.Filters.from_args(request.args)
    header = [_("Name"), _("Email"), _("Organisation"), _("Country"), _("Enrolled"),
              _("Lessons done"), _("Lessons in the course"), _("Progress (%)"),
              _("Completed"), _("Pre-test score (%)"), _("Final test score (%)"),
              _("Finished attempts"), _("Passed"), _("Knowledge gain (points)")]
    rows = _csv_lines(gradebook.iter_gradebook_rows(course, filters))
    day = to_user_timezone(utcnow()).date().isoformat()
    return csv_response(f"gradebook-{course.slug}-{day}.csv", header, rows)


@bp.get("/teach/courses/<slug>/learners/<int:user_id>")
@roles_required("instructor", "admin")
def gradebook_learner(slug: str, user_id: int):
    course = _course_or_404(slug)
    record = gradebook.learner_attempts(course, user_id)
    if record is None:
        abort(404)
    return render_template("assessment/gradebook_learner.html", course=course,
                           record=record, countries=COUNTRY_NAMES)


def _review(attempt: Attempt) -> list[dict]:
    """Each drawn question with the learner's answer and the key, as the result page
    builds it for the learner (here always with the key: staff may see it)."""
    answers = services.answers_of(attempt.id)
    questions = services.shown_questions(attempt)  # the wording this attempt saw
    review = []
    for qid in attempt.draw.get("questions", []):
        qtype, spec = services.drawn_spec(attempt, qid)
        saved = answers.get(qid)
        review.append({"question": questions.get(qid), "score": saved.score if saved else 0.0,
                       "review": get_type(qtype).review(spec, saved.response if saved else {},
                                                        True)})
    return review


@bp.get("/teach/attempts/<int:attempt_id>")
@roles_required("instructor", "admin")
def staff_attempt(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can_grade_course(current_user, attempt.quiz.course):
        abort(404)
    learner = db.session.get(User, attempt.user_id)
    review = _review(attempt) if attempt.status == "finished" else []
    return render_template("assessment/staff_attempt.html", attempt=attempt,
                           quiz=attempt.quiz, course=attempt.quiz.course, learner=learner,
                           review=review)
