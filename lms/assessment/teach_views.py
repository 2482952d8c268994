"""Instructor pages: item analysis, checking answer keys, and regrading a quiz.

The report reads stored sums, so it costs the same at 10 attempts or 100,000. A
check (what a regrade would change) or a regrade runs only when asked: in the
request for a small quiz, as a background job for a large one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from lms.assessment import regrade, services, tasks
from lms.assessment.models import Attempt, Question, Quiz
from lms.assessment.permissions import can_regrade, can_see_quiz_results
from lms.assessment.statistics import quiz_item_statistics
from lms.assessment.views import bp
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.jobs import Job
from lms.core.requests import parse_id
from lms.core.unit_of_work import commit_or_flash

INLINE_LIMIT = 300  # finished attempts regraded inside the request; more go to a job


@dataclass
class Preview:
    changed: int = 0
    flips: int = 0
    sample: list[tuple[int, float, float, bool]] = field(default_factory=list)

    @classmethod
    def of(cls, changes: list[regrade.RegradeChange]) -> Preview:
        return cls(len(changes), sum(c.verdict_changes for c in changes),
                   [(c.attempt_id, c.old_score, c.new_score, c.verdict_changes)
                    for c in changes[:tasks.SAMPLE]])


def _quiz_or_404(quiz_id: int) -> Quiz:
    """The quiz, if it belongs to a course this person works on (else: not found)."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or not can_see_quiz_results(current_user, quiz):
        abort(404)
    return quiz


def _too_many_to_wait_for(quiz: Quiz) -> bool:
    """More finished attempts than a request should work through (counts no further)."""
    some = (sa.select(Attempt.id).where(Attempt.quiz_id == quiz.id,
                                        Attempt.status == "finished")
            .limit(INLINE_LIMIT + 1).subquery())
    return db.session.scalar(sa.select(sa.func.count()).select_from(some)) > INLINE_LIMIT


def _checked(quiz: Quiz) -> Preview | None:
    """The result of a check job this person ran on this quiz (?check=<job id>)."""
    job = db.session.get(Job, parse_id(request.args.get("check")) or 0)
    if (job is None or job.kind != tasks.REGRADE or job.status != "done"
            or job.params.get("quiz_id") != quiz.id or not job.params.get("dry_run")
            or not job.visible_to(current_user)):
        return None
    params = job.params
    return Preview(params["changed"], params["flips"], [tuple(s) for s in params["sample"]])


def _report(quiz: Quiz, preview: Preview | None):
    stats = quiz_item_statistics(quiz.id)
    questions = {q.id: q for q in db.session.scalars(
        db.select(Question).where(Question.id.in_([s.question_id for s in stats])))}
    return render_template("assessment/teach_quiz.html", quiz=quiz, stats=stats,
                           questions=questions, preview=preview,
                           question_count=services.question_count(quiz), form=ActionForm())


@bp.get("/teach/quizzes/<int:quiz_id>")
@roles_required("instructor", "admin")
def quiz_report(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    return _report(quiz, _checked(quiz) if "check" in request.args else None)


def _start_job(quiz: Quiz, *, dry_run: bool):
    done = commit_or_flash(lambda: tasks.start_regrade(quiz, dry_run=dry_run,
                                                       actor_id=current_user.id))
    if not done.ok:
        return redirect(url_for("assessment.quiz_report", quiz_id=quiz.id))
    return redirect(url_for("jobs.job", job_id=done.value.id))


@bp.post("/teach/quizzes/<int:quiz_id>/check")
@roles_required("instructor", "admin")
def check_quiz(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    if not can_regrade(current_user, quiz):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    if _too_many_to_wait_for(quiz):
        return _start_job(quiz, dry_run=True)
    changes = regrade.regrade_quiz(quiz, actor_id=current_user.id, dry_run=True)
    return _report(quiz, Preview.of(changes))


@bp.post("/teach/quizzes/<int:quiz_id>/regrade")
@roles_required("instructor", "admin")
def regrade_quiz(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    if not can_regrade(current_user, quiz):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    if _too_many_to_wait_for(quiz):
        return _start_job(quiz, dry_run=False)
    done = commit_or_flash(lambda: regrade.regrade_quiz(quiz, actor_id=current_user.id))
    if done.ok:
        flagged = sum(1 for c in done.value if c.verdict_changes)
        flash(ngettext("%(num)d attempt regraded.", "%(num)d attempts regraded.",
                       len(done.value)), "success")
        if flagged:
            flash(ngettext("%(num)d result changed between pass and fail and was sent to an "
                           "admin to decide.",
                           "%(num)d results changed between pass and fail and were sent to an "
                           "admin to decide.", flagged), "info")
    return redirect(url_for("assessment.quiz_report", quiz_id=quiz_id))
