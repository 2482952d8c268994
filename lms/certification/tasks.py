"""Background work of certification: "issue to all" as a job, in batches; the daily
reminder before certificates expire."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from huey import crontab

from lms.catalog.models import Course
from lms.certification import lifetime, services
from lms.core.db import db, utcnow
from lms.core.jobs import Job, JobKind, periodic, register_kind, start_job

ISSUE_ALL = "certificates.issue_all"


def start_issue_all(course: Course, context: services.IssueContext) -> Job:
    """Queue issuing to everyone ready in the course now (the caller commits)."""
    services.check_base_url(context)
    return start_job(ISSUE_ALL, total=services.count_ready(course.id),
                     created_by_id=context.actor_id, params={
                         "course_id": course.id, "completed_before": utcnow().isoformat(),
                         "context": context.as_params()})


def issue_all_step(job: Job) -> bool:
    """One batch; the ready query skips whoever an earlier (or concurrent) batch issued."""
    params = job.params
    before = datetime.fromisoformat(params["completed_before"])
    issued = services.issue_next_batch(params["course_id"], before,
                                       services.IssueContext.from_params(params["context"]),
                                       limit=current_app.config["ISSUE_BATCH"])
    job.done += issued
    return issued == 0


def _title(job: Job) -> str:
    course = db.session.get(Course, job.params["course_id"])
    return _("Issuing certificates: %(course)s", course=course.title if course else "")


register_kind(JobKind(ISSUE_ALL, step=issue_all_step, title=_title,
                      back=lambda job: url_for("certification.admin_index")))


@periodic(crontab(minute="41", hour="2"))
def remind_before_expiry() -> int:
    """Once a day, on every worker: each reminder is claimed by one of them."""
    try:
        return lifetime.send_expiry_reminders()
    except Exception:
        db.session.rollback()
        logging.getLogger(__name__).exception("expiry reminders failed; tomorrow tries again")
        return 0
