"""Applying a checked course zip: a new studio course, or the new draft of one. Runs as
a background job (its images are decoded and re-encoded one by one), all or nothing."""
from __future__ import annotations

import base64
import tomllib

from flask import url_for
from flask_babel import gettext as _

from lms.catalog.models import Course
from lms.content import drafts, publish
from lms.content.course_files import items_from_files
from lms.content.course_media import import_media
from lms.content.models import ContentImport
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.jobs import Job, JobKind, register_kind, start_job

APPLY = "content.apply_import"


def media_of(pending: ContentImport) -> dict[str, bytes]:
    return {name: base64.b64decode(text)
            for name, text in pending.payload.get("media", {}).items()}


def _title_of(files: dict[str, str]) -> str:
    try:
        title = tomllib.loads(files["course.toml"]).get("title")
    except tomllib.TOMLDecodeError:
        title = None
    return title[:200] if isinstance(title, str) and title.strip() else _("Imported course")


def apply_course_import(pending: ContentImport, actor_id: int) -> Course:
    """Write the zip's course (flushes; the job commits with its progress)."""
    files = pending.payload["files"]
    if pending.course_id is None:
        course = publish.create_course(pending.payload["slug"], _title_of(files),
                                       owner_id=actor_id, actor_id=actor_id, files=files)
    else:
        course = db.session.get(Course, pending.course_id)
        if pending.payload.get("draft") != drafts.fingerprint(course.id):
            raise DomainError(_("The draft changed since you checked this zip. Read the zip "
                                "again to see what it would change now."))
    with_images = import_media(course.id, files, media_of(pending), actor_id)
    drafts.replace_draft(course, items_from_files(with_images), actor_id)
    db.session.delete(pending)
    return course


def start_apply(pending: ContentImport, actor_id: int) -> Job:
    return start_job(APPLY, total=1 + len(pending.payload.get("media", {})),
                     created_by_id=actor_id,
                     params={"import_id": pending.id, "slug": pending.payload["slug"]})


def _step(job: Job) -> bool:
    pending = db.session.get(ContentImport, job.params["import_id"])
    if pending is not None:  # None: applied by an earlier run that committed
        apply_course_import(pending, job.created_by_id)
    job.done = job.total
    return True


register_kind(JobKind(
    APPLY, step=_step,
    title=lambda job: _("Importing the course “%(slug)s”", slug=job.params.get("slug", "")),
    back=lambda job: url_for("studio.course", slug=job.params["slug"])
    if job.status == "done" else url_for("studio.index")))
