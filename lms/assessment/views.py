"""Quiz pages: introduction, the attempt form, and the review."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessment import queries, services
from lms.assessment.types import get_type
from lms.catalog.queries import get_course_or_404
from lms.core.access import login_required
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.unit_of_work import commit_or_flash
from lms.learning.forms import ActionForm

bp = Blueprint("assessment", __name__)


@bp.get("/courses/<slug>/quizzes/<key>")
@login_required
def quiz(slug: str, key: str):
    course = get_course_or_404(slug)
    quiz = queries.get_quiz_or_404(course, key)
    attempts = services.attempts_of(current_user.id, quiz.id)
    return render_template("assessment/quiz.html", course=course, quiz=quiz, attempts=attempts,
                           question_count=len(services.live_questions(quiz.id)),
                           form=ActionForm())


@bp.post("/courses/<slug>/quizzes/<key>/start")
@login_required
def start(slug: str, key: str):
    course = get_course_or_404(slug)
    quiz = queries.get_quiz_or_404(course, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: services.start_attempt(current_user.id, quiz))
    if not done.ok:
        return redirect(url_for("assessment.quiz", slug=slug, key=key))
    return redirect(url_for("assessment.attempt", attempt_id=done.value.id))


def _submitted_answers() -> dict[str, list[str]]:
    """Answers posted as q-<question id>; every other field is ignored."""
    return {name[2:]: request.form.getlist(name) for name in request.form
            if name.startswith("q-")}


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):
    attempt = queries.get_own_attempt_or_404(attempt_id, current_user.id)
    if request.method == "POST":
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            services.save_answers(attempt, _submitted_answers())
            if request.form.get("action") == "finish":
                services.finish_attempt(attempt)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("assessment.attempt", attempt_id=attempt_id))
        db.session.commit()
        if attempt.status == "finished":
            return redirect(url_for("assessment.result", attempt_id=attempt_id))
        flash(_("Your answers are saved."), "success")
        return redirect(url_for("assessment.attempt", attempt_id=attempt_id))
    if attempt.status != "open":
        return redirect(url_for("assessment.result", attempt_id=attempt_id))
    answers = services.answers_of(attempt.id)
    items = []
    for question in services.drawn_questions(attempt):
        qtype = get_type(question.type)
        order = attempt.draw.get("options", {}).get(str(question.id), [])
        saved = answers.get(question.id)
        items.append({"question": question, "template": qtype.template,
                      "multiple": qtype.name == "multiple",
                      "choices": qtype.present(question.spec, order),
                      "chosen": set(saved.response.get("chosen", [])) if saved else set()})
    return render_template("assessment/attempt.html", attempt=attempt, quiz=attempt.quiz,
                           items=items, form=ActionForm())


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = queries.get_own_attempt_or_404(attempt_id, current_user.id)
    if attempt.status == "open":
        return redirect(url_for("assessment.attempt", attempt_id=attempt_id))
    answers = services.answers_of(attempt.id)
    review = []
    for question in services.drawn_questions(attempt):
        saved = answers.get(question.id)
        response = saved.response if saved else {}
        review.append({"question": question, "score": saved.score if saved else 0.0,
                       "rows": get_type(question.type).feedback(question.spec, response)})
    return render_template("assessment/result.html", attempt=attempt, quiz=attempt.quiz,
                           course=attempt.quiz.course, review=review)
