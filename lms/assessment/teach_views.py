"""Instructor pages: item analysis and regrading of a quiz."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from lms.assessment import regrade, services
from lms.assessment.models import Question, Quiz
from lms.assessment.statistics import quiz_item_statistics
from lms.assessment.views import bp
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash


def _quiz_or_404(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        abort(404)
    return quiz


@bp.get("/teach/quizzes/<int:quiz_id>")
@roles_required("instructor", "admin")
def quiz_report(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    stats = quiz_item_statistics(quiz.id)
    questions = {q.id: q for q in db.session.scalars(
        db.select(Question).where(Question.id.in_([s.question_id for s in stats])))}
    preview = regrade.regrade_quiz(quiz, actor_id=current_user.id, dry_run=True)
    return render_template("assessment/teach_quiz.html", quiz=quiz, stats=stats,
                           questions=questions, preview=preview,
                           question_count=services.question_count(quiz), form=ActionForm())


@bp.post("/teach/quizzes/<int:quiz_id>/regrade")
@roles_required("instructor", "admin")
def regrade_quiz(quiz_id: int):
    quiz = _quiz_or_404(quiz_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: regrade.regrade_quiz(quiz, actor_id=current_user.id))
    if done.ok:
        flagged = sum(1 for c in done.value if c.old_passed != c.new_passed)
        flash(ngettext("%(num)d attempt regraded.", "%(num)d attempts regraded.",
                       len(done.value)), "success")
        if flagged:
            flash(ngettext("%(num)d result changed between pass and fail and was sent to an "
                           "admin to decide.",
                           "%(num)d results changed between pass and fail and were sent to an "
                           "admin to decide.", flagged), "info")
    return redirect(url_for("assessment.quiz_report", quiz_id=quiz_id))
