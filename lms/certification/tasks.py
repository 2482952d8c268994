"""Background work of certification: "issue to all" as a job, in batches; the daily
reminder before certificates expire."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from huey import crontab

from lms.catalog.models import Course
from lms.certification import lifetime, mailing, pdfs, services
from lms.core.db import db, utcnow
from lms.core.jobs import Job, JobKind, periodic, register_kind, start_job

ISSUE_ALL = "certificates.issue_all"
EMAIL_ALL = "certificates.email_all"
RENDER_BATCH = 50  # PDFs rendered and stored per transaction
EMAIL_BATCH = 25


def start_issue_all(course: Course, context: services.IssueContext,
                    cohort_id: int | None = None) -> Job:
    """Queue issuing to everyone ready in the course now, or to one cohort's members
    (the caller commits)."""
    services.check_base_url(context)
    return start_job(ISSUE_ALL, total=services.count_ready(course.id, cohort_id),
                     created_by_id=context.actor_id, params={
                         "course_id": course.id, "completed_before": utcnow().isoformat(),
                         "context": context.as_params(), "cohort_id": cohort_id})


def issue_all_step(job: Job) -> bool:
    """One batch: first issuing (the ready query skips whoever an earlier, or concurrent,
    batch issued), then rendering and storing the PDFs of what was issued. `done` counts
    certificates issued and rendered, ready to download, mail or zip."""
    params = job.params
    before = datetime.fromisoformat(params["completed_before"])
    if not params.get("issued"):
        issued = services.issue_next_batch(
            params["course_id"], before, services.IssueContext.from_params(params["context"]),
            limit=current_app.config["ISSUE_BATCH"], cohort_id=params.get("cohort_id"))
        if issued:
            return False
        job.params = {**params, "issued": True}
    batch = list(db.session.scalars(pdfs.unrendered_query(params["course_id"], before)
                                    .limit(RENDER_BATCH)))
    job.done += pdfs.render_and_store(batch)
    return not batch


def _title(job: Job) -> str:
    course = db.session.get(Course, job.params["course_id"])
    return _("Issuing certificates: %(course)s", course=course.title if course else "")


register_kind(JobKind(ISSUE_ALL, step=issue_all_step, title=_title,
                      back=lambda job: url_for("certification.admin_index")))


def start_email_all(course: Course, *, attach: bool, actor_id: int) -> Job:
    """Queue emailing every valid certificate of the course not yet sent."""
    return start_job(EMAIL_ALL, total=mailing.count_unsent(course.id), created_by_id=actor_id,
                     params={"course_id": course.id, "attach": attach,
                             "started": utcnow().isoformat()})


def email_all_step(job: Job) -> bool:
    params = job.params
    sent = mailing.email_next_batch(params["course_id"], attach=params["attach"],
                                    issued_before=datetime.fromisoformat(params["started"]),
                                    limit=EMAIL_BATCH)
    job.done += sent
    return sent == 0


def _email_title(job: Job) -> str:
    course = db.session.get(Course, job.params["course_id"])
    return _("Emailing certificates: %(course)s", course=course.title if course else "")


register_kind(JobKind(EMAIL_ALL, step=email_all_step, title=_email_title,
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
