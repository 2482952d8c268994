"""Quiz pages: introduction, the attempt form (paged, autosaved), and the review."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessment import policy, queries, services
from lms.assessment.qtypes import get_type
from lms.catalog.queries import get_course_or_404
from lms.catalog.translations import request_locale
from lms.core.access import login_required
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash
from lms.learning.services import get_enrolment

bp = Blueprint("assessment", __name__)


@bp.get("/courses/<slug>/quizzes/<key>")
@login_required
def quiz(slug: str, key: str):
    course = get_course_or_404(slug)
    quiz = queries.get_quiz_or_404(course, key)
    attempts = services.attempts_of(current_user.id, quiz.id)
    finished = [a for a in attempts if a.status == "finished"]
    return render_template(
        "assessment/quiz.html", course=course, quiz=quiz, attempts=attempts,
        question_count=services.question_count(quiz),
        check=policy.can_start(quiz, finished, utcnow()),
        enrolment=get_enrolment(current_user.id, course.id), form=ActionForm())


@bp.post("/courses/<slug>/quizzes/<key>/start")
@login_required
def start(slug: str, key: str):
    course = get_course_or_404(slug)
    quiz = queries.get_quiz_or_404(course, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: services.start_attempt(current_user.id, quiz,
                                                         locale=request_locale()))
    if not done.ok:
        return redirect(url_for("assessment.quiz", slug=slug, key=key))
    return redirect(url_for("assessment.attempt", attempt_id=done.value.id,
                            page=done.value.page + 1))


def _pages(attempt) -> list[list[int]]:
    ids = attempt.draw.get("questions", [])
    size = attempt.quiz.questions_per_page or len(ids) or 1
    return [ids[i:i + size] for i in range(0, len(ids), size)] or [[]]


def _closed_on_time(attempt) -> bool:
    """Grade an attempt whose time ran out; True if that just happened."""
    if services.close_if_expired(attempt):
        db.session.commit()
        flash(_("Time is up. Your attempt was graded on the answers saved before the "
                "deadline."), "info")
        return True
    return False


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = queries.get_own_attempt_or_404(attempt_id, current_user.id)
    if _closed_on_time(attempt) or attempt.status != "open":
        return redirect(url_for("assessment.result", attempt_id=attempt_id))
    pages = _pages(attempt)
    page = request.args.get("page", type=int) or attempt.page + 1
    page = min(max(page, 1), len(pages))
    answers = services.answers_of(attempt.id)
    questions = services.shown_questions(attempt)
    numbers = {qid: n for n, qid in enumerate(attempt.draw["questions"], start=1)}
    items = []
    for qid in pages[page - 1]:
        qtype_name, spec = services.drawn_spec(attempt, qid)
        qtype = get_type(qtype_name)
        saved = answers.get(qid)
        items.append({"question": questions[qid], "number": numbers[qid], "name": f"q-{qid}",
                      "template": qtype.template, "saved": saved.response if saved else {},
                      "view": qtype.present(spec, attempt.draw["order"].get(str(qid)))})
    remaining = None
    if attempt.deadline:
        remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    page_html = render_template("assessment/attempt.html", attempt=attempt, quiz=attempt.quiz,
                           items=items, page=page, page_count=len(pages),
                           answered=services.answered_count(answers), total=len(numbers),
                           remaining=remaining, grace=int(policy.GRACE.total_seconds()),
                           view=secrets.token_hex(8), form=ActionForm())
    # Never from the back/forward cache: a restored page would carry an old revision.
    return page_html, 200, {"Cache-Control": "no-store"}


@bp.post("/attempts/<int:attempt_id>")
@login_required
def save(attempt_id: int):
    attempt = queries.get_own_attempt_or_404(attempt_id, current_user.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if _closed_on_time(attempt):
        return redirect(url_for("assessment.result", attempt_id=attempt_id))
    action = request.form.get("action", "save")
    page_count = len(_pages(attempt))
    page = request.form.get("page", type=int) or 1
    target = {"next": page + 1, "prev": page - 1}.get(action, page)
    target = min(max(target, 1), page_count)

    def save_and_maybe_finish():
        services.save_answers(attempt, request.form.to_dict(flat=False), page=target - 1,
                              revision=request.form.get("revision", type=int),
                              view=request.form.get("view"))
        if action == "finish":
            services.finish_attempt(attempt)

    if not commit_or_flash(save_and_maybe_finish).ok:
        return redirect(url_for("assessment.attempt", attempt_id=attempt_id, page=page))
    if attempt.status == "finished":
        return redirect(url_for("assessment.result", attempt_id=attempt_id))
    if action == "save":
        flash(_("Your answers are saved."), "success")
    return redirect(url_for("assessment.attempt", attempt_id=attempt_id, page=target))


@bp.post("/attempts/<int:attempt_id>/autosave")
@login_required
def autosave(attempt_id: int):
    """Called by static/autosave.js on every change; the page works without it."""
    attempt = queries.get_own_attempt_or_404(attempt_id, current_user.id)
    try:
        saved = services.save_answers(attempt, request.form.to_dict(flat=False),
                                      revision=request.form.get("revision", type=int),
                                      view=request.form.get("view"))
    except DomainError as error:
        db.session.rollback()
        return jsonify({"error": error.message,
                        "stale": isinstance(error, services.StalePage)}), 409
    db.session.commit()
    return jsonify({"saved": saved, "revision": attempt.revision, "message": _("Saved")})


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = queries.get_own_attempt_or_404(attempt_id, current_user.id)
    if attempt.status == "open" and not _closed_on_time(attempt):
        return redirect(url_for("assessment.attempt", attempt_id=attempt_id))
    quiz = attempt.quiz
    show_key = policy.may_see_answers(quiz, attempt,
                                      services.attempts_of(current_user.id, quiz.id))
    answers = services.answers_of(attempt.id)
    questions = services.shown_questions(attempt)
    review = []
    for qid in attempt.draw.get("questions", []):
        qtype, spec = services.drawn_spec(attempt, qid)
        saved = answers.get(qid)
        review.append({"question": questions[qid], "score": saved.score if saved else 0.0,
                       "review": get_type(qtype).review(spec, saved.response if saved else {},
                                                        show_key)})
    return render_template("assessment/result.html", attempt=attempt, quiz=quiz,
                           course=quiz.course, review=review, show_key=show_key,
                           enrolment=get_enrolment(current_user.id, quiz.course_id))


def csrf_recovery():
    """An expired form token mid-attempt: ask the learner to confirm; keep the answers."""
    if not current_user.is_authenticated:
        return None
    kept = [(name, value) for name in request.form if name.startswith("q-")
            for value in request.form.getlist(name)]
    if request.endpoint == "assessment.autosave":
        from flask_wtf.csrf import generate_csrf
        return jsonify({"error": _("Your session was refreshed; saving again."),
                        "csrf_token": generate_csrf()}), 400
    finishing = request.form.get("action") == "finish"
    return render_template("assessment/confirm_answers.html", kept=kept,
                           action=request.path, page=request.form.get("page", "1"),
                           revision=request.form.get("revision", ""),
                           view=request.form.get("view", ""),
                           finishing=finishing, form=ActionForm()), 400
