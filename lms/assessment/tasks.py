"""Background work of assessment: grading abandoned attempts, regrading large quizzes."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from huey import crontab

from lms.assessment import regrade
from lms.assessment.models import Attempt, Quiz
from lms.assessment.services import close_expired_attempt, expired_attempt_ids
from lms.core.db import db
from lms.core.jobs import Job, JobKind, periodic, register_kind, start_job


@periodic(crontab(minute="*"))
def close_expired() -> int:
    """Every minute, on every worker: finishing is a conditional UPDATE, so an attempt
    two workers both see is still graded once. One commit per attempt, so one that
    cannot be graded does not hold back the others."""
    closed = 0
    for attempt_id in expired_attempt_ids():
        try:
            closed += close_expired_attempt(attempt_id)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logging.getLogger(__name__).exception("could not grade expired attempt %s",
                                                  attempt_id)
    return closed


# --- regrading a large quiz as a job -------------------------------------------------

REGRADE = "assessment.regrade"
SAMPLE = 50  # changes listed on the report after a check; the rest are counted
BATCH = 500  # attempts per committed step


def start_regrade(quiz: Quiz, *, dry_run: bool, actor_id: int) -> Job:
    """Queue a check (dry run) or a regrade of a quiz's finished attempts."""
    total = db.session.scalar(sa.select(sa.func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz.id, Attempt.status == "finished"))
    return start_job(REGRADE, total=total, created_by_id=actor_id, params={
        "quiz_id": quiz.id, "dry_run": dry_run, "after": 0,
        "changed": 0, "flips": 0, "sample": []})


def regrade_step(job: Job) -> bool:
    """One batch. The cursor in the params commits with the batch, so a batch done is
    never done again, and one rolled back is done again."""
    params = dict(job.params)
    quiz = db.session.get(Quiz, params["quiz_id"])
    batch = regrade.regrade_batch(quiz, after_id=params["after"], actor_id=job.created_by_id,
                                  dry_run=params["dry_run"],
                                  limit=BATCH)
    if not batch.seen:
        return True
    changes = batch.changes
    room = SAMPLE - len(params["sample"])
    params["sample"] = params["sample"] + [
        [c.attempt_id, c.old_score, c.new_score, c.verdict_changes] for c in changes[:room]]
    params.update(after=batch.last_id, changed=params["changed"] + len(changes),
                  flips=params["flips"] + sum(c.verdict_changes for c in changes))
    job.params = params
    job.done = min(job.total, job.done + batch.seen)
    return False


def _regrade_title(job: Job) -> str:
    quiz = db.session.get(Quiz, job.params["quiz_id"])
    name = quiz.title if quiz else ""
    return (_("Checking answer keys: %(quiz)s", quiz=name) if job.params["dry_run"]
            else _("Regrading: %(quiz)s", quiz=name))


def _regrade_back(job: Job) -> str:
    if job.params["dry_run"]:
        return url_for("assessment.quiz_report", quiz_id=job.params["quiz_id"], check=job.id)
    return url_for("assessment.quiz_report", quiz_id=job.params["quiz_id"])


register_kind(JobKind(REGRADE, step=regrade_step, title=_regrade_title, back=_regrade_back))
