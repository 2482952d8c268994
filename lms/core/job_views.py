"""GET /jobs/<id>: a job's progress, refreshing itself until it is over (no script)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from lms.core.access import login_required
from lms.core.db import db
from lms.core.jobs import KINDS, Job

bp = Blueprint("jobs", __name__)

REFRESH_SECONDS = 2


@bp.get("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    job = db.session.get(Job, job_id)
    # Someone else's job is answered like a missing one; admins see every job.
    if job is None or not job.visible_to(current_user):
        abort(404)
    kind = KINDS.get(job.kind)
    return render_template("jobs/job.html", job=job,
                           title=kind.title(job) if kind else job.kind,
                           back=kind.back(job) if kind else None,
                           refresh=None if job.finished else REFRESH_SECONDS)
