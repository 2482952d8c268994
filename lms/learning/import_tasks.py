"""Confirming a cohort import, as a job: the rows in one transaction, then the emails."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.jobs import Job, JobKind, register_kind, start_job
from lms.learning import import_services
from lms.learning.cohorts import Cohort
from lms.learning.import_models import CohortImport

IMPORT = "cohorts.import"


def start_import(pending: CohortImport, actor_id: int | None) -> Job:
    """Queue the confirmed import (the caller commits). Progress counts the rows, then
    the emails."""
    return start_job(IMPORT, total=pending.rows, created_by_id=actor_id,
                     params={"import_id": pending.id, "cohort_id": pending.cohort_id})


def import_step(job: Job) -> bool:
    """Apply the rows (once: the import's applied_at says whether an earlier run
    committed them), or send the next batch of emails."""
    # Locked (PostgreSQL): a second job for the same upload (a double click) waits, then
    # finds it applied. SQLite has one writer at a time anyway.
    pending = db.session.get(CohortImport, job.params["import_id"], with_for_update=True)
    if pending is None:
        raise DomainError(_("This import is gone: it was not confirmed within a day. "
                            "Upload the file again."))
    if pending.applied_at is None:
        import_services.apply_import(pending, actor_id=job.created_by_id)
        job.done = pending.summary["rows"]
        job.total = job.done + import_services.mails_left(pending)
        return import_services.mails_left(pending) == 0
    job.done += import_services.send_import_mail(pending)
    return import_services.mails_left(pending) <= 0


def _title(job: Job) -> str:
    cohort = db.session.get(Cohort, job.params["cohort_id"])
    return _("Importing people into “%(cohort)s”", cohort=cohort.name if cohort else "")


register_kind(JobKind(IMPORT, step=import_step, title=_title,
                      back=lambda job: url_for("learning.cohort",
                                               cohort_id=job.params["cohort_id"])))
