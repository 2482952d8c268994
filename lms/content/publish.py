"""Publishing a studio course: its draft (or an old version) through the one publisher.

The files are checked by the file validators, published by `sync_course` (the code
that loads file courses), kept as a numbered CourseVersion and audited. A rollback
publishes an old version's files again as a new version: history is never rewritten.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.catalog.models import Course, CourseStaff
from lms.content import drafts, versions
from lms.content.course_files import Files, items_from_files, to_json
from lms.content.sync import SyncReport, sync_course
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.page_cache import changed as pages_changed


class PublishRefused(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__(_("The course cannot be published until these problems are "
                           "fixed: %(problems)s", problems="; ".join(problems[:5])))
        self.problems = problems


def _summary(changes: versions.Changes) -> dict:
    return {"settings": changes.settings, "outline": changes.outline,
            "added": [f"{k}:{v}" for k, v in changes.added][:50],
            "removed": [f"{k}:{v}" for k, v in changes.removed][:50],
            "changed": [f"{k}:{v}" for k, v in changes.changed][:50]}


def publish_files(course: Course, files: Files, *, note: str, actor_id: int | None,
                  ip: str | None = None) -> versions.CourseVersion:
    """Publish these files as the course's next version (the caller commits)."""
    check = drafts.check_files(course.slug, files)
    if not check.ok:
        raise PublishRefused(check.problems)
    if check.spec.slug != course.slug:  # a `slug =` in course.toml names another course
        raise PublishRefused([_("course.toml: slug must be “%(slug)s” (this course's "
                                "address) or left out", slug=course.slug)])
    before = versions.latest_version(course.id)
    number = course.version
    sync_course(check.spec, SyncReport())
    if course.version == number:
        raise DomainError(_("Nothing has changed since version %(number)s.", number=number))
    version = versions.record_version(course.id, course.version, files,
                                      check.spec.content_hash, note=note, actor_id=actor_id)
    changes = versions.compare(before.files if before else {}, files)
    record_event("course.published", actor_id=actor_id, target_type="course",
                 target_id=course.id, ip=ip,
                 data={"version": course.version, "note": note, **_summary(changes)})
    pages_changed()
    return version


def publish_draft(course: Course, *, note: str, actor_id: int | None,
                  ip: str | None = None) -> versions.CourseVersion:
    return publish_files(course, drafts.draft_files(course.id), note=note,
                         actor_id=actor_id, ip=ip)


def roll_back(course: Course, number: int, *, note: str, actor_id: int | None,
              ip: str | None = None) -> versions.CourseVersion:
    """Publish version `number` again, as a new version; the draft becomes it too."""
    old = versions.get_version(course.id, number)
    if old is None:
        raise DomainError(_("There is no version %(number)s of this course.", number=number))
    drafts.replace_draft(course, items_from_files(old.files), actor_id)
    text = _("Rollback to version %(number)s", number=number)
    return publish_files(course, old.files, note=f"{text}. {note}".strip(),
                         actor_id=actor_id, ip=ip)


def take_over(course: Course, files: Files, *, actor_id: int | None,
              ip: str | None = None) -> None:
    """Hand a file course to the studio: its files become the draft, and `courses sync`
    leaves it alone from now on."""
    if course.source == "studio":
        raise DomainError(_("This course is already edited in the studio."))
    drafts.replace_draft(course, items_from_files(files), actor_id)
    course.source = "studio"
    course.updated_at = utcnow()
    record_event("course.taken_over", actor_id=actor_id, target_type="course",
                 target_id=course.id, ip=ip, data={"version": course.version})


def create_course(slug: str, title: str, *, owner_id: int, actor_id: int | None,
                  files: Files | None = None, ip: str | None = None) -> Course:
    """A new studio course, unpublished (version 0, hidden), with its first owner and a
    draft: the files given (an imported zip) or a one-module, one-lesson start."""
    if db.session.scalar(sa.select(Course.id).where(Course.slug == slug)) is not None:
        raise DomainError(_("A course with the address “%(slug)s” exists already.",
                            slug=slug))
    course = Course(slug=slug, title=title, cpd_hours=1.0, version=0, content_hash="",
                    source="studio", archived_at=utcnow())
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseStaff(course_id=course.id, user_id=owner_id, role="owner",
                               added_by_id=actor_id))
    items = items_from_files(files) if files else starter_items(title)
    drafts.replace_draft(course, items, actor_id)
    record_event("course.created", actor_id=actor_id, target_type="course",
                 target_id=course.id, ip=ip, data={"slug": slug, "owner_id": owner_id})
    return course


def starter_items(title: str) -> dict:
    return {("course", ""): to_json({
                "title": title, "summary": "", "audience": "", "language": "en",
                "cpd_hours": 1.0, "objectives": [],
                "modules": [{"slug": "module-1", "title": _("Module 1"),
                             "lessons": ["lesson-1"]}]}),
            ("lesson", "lesson-1"): {"header": {"title": _("Lesson 1"), "minutes": 10},
                                     "body": ""}}
