"""Published versions of a course: recorded at every publish, listed and compared."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.content.course_files import Files, items_from_files
from lms.content.models import CourseVersion
from lms.core.db import db


def record_version(course_id: int, number: int, files: Files, content_hash: str, *,
                   note: str, actor_id: int | None) -> CourseVersion:
    version = CourseVersion(course_id=course_id, number=number, files=dict(files),
                            content_hash=content_hash, note=note[:500],
                            published_by_id=actor_id)
    db.session.add(version)
    return version


def versions_of(course_id: int) -> list[CourseVersion]:
    return list(db.session.scalars(sa.select(CourseVersion).where(
        CourseVersion.course_id == course_id).order_by(CourseVersion.number.desc())))


def get_version(course_id: int, number: int) -> CourseVersion | None:
    return db.session.get(CourseVersion, (course_id, number))


def latest_version(course_id: int) -> CourseVersion | None:
    return db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.course_id == course_id).order_by(CourseVersion.number.desc()).limit(1))


SETTINGS = ("title", "summary", "audience", "objectives", "language", "cpd_hours",
            "feedback", "certificate")


@dataclass
class Changes:
    """What differs between two versions (or a version and the draft), by item."""

    settings: list[str] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)  # (kind, key)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    outline: bool = False  # modules, their titles or the order of lessons

    @property
    def none(self) -> bool:
        return not (self.settings or self.added or self.removed or self.changed
                    or self.outline)


def compare(old: Files, new: Files) -> Changes:
    """Lessons, quizzes, banks and questions added, removed or changed; course settings
    changed; and whether the outline (modules and lesson order) moved."""
    before, after = items_from_files(old), items_from_files(new)
    changes = Changes()
    old_course, new_course = before.pop(("course", ""), {}), after.pop(("course", ""), {})
    changes.settings = [k for k in SETTINGS if old_course.get(k) != new_course.get(k)]
    changes.outline = old_course.get("modules") != new_course.get("modules")
    for key in sorted(set(before) | set(after)):
        if key not in before:
            changes.added.append(key)
        elif key not in after:
            changes.removed.append(key)
        elif before[key] != after[key]:
            changes.changed.append(key)
    return changes
