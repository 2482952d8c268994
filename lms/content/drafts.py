"""The studio's draft of a course: items saved with revisions, checked as files.

Every save names the revision it was edited from; a save from an older revision is
refused with the text now stored, so two editors never overwrite each other. The
draft is checked by writing it out as `courses/<slug>/` files and loading those with
the file validators, so a rule for files holds in the browser and the reverse.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.catalog.models import Course, GlossaryTerm, Lesson, Module
from lms.content.course_files import (
    Files,
    ItemKey,
    files_from_items,
    items_from_files,
    write_folder,
)
from lms.content.loader import LINK, link_problem, load_course
from lms.content.models import DraftItem
from lms.content.reading import Collector
from lms.content.specs import CourseSpec
from lms.core.db import db, utcnow
from lms.core.errors import DomainError


class StaleEdit(Exception):
    """Someone saved this item after the editor opened it: nothing was written. Not a
    DomainError: each page answers it itself, showing both texts."""

    def __init__(self, current: DraftItem | None):
        super().__init__("stale revision")
        self.current = current


def items_of(course_id: int) -> dict[ItemKey, DraftItem]:
    return {(i.kind, i.key): i for i in db.session.scalars(
        sa.select(DraftItem).where(DraftItem.course_id == course_id))}


def get_item(course_id: int, kind: str, key: str = "") -> DraftItem | None:
    return db.session.get(DraftItem, (course_id, kind, key))


def has_draft(course_id: int) -> bool:
    return get_item(course_id, "course") is not None


def replace_draft(course: Course, items: dict[ItemKey, dict[str, Any]],
                  actor_id: int | None) -> None:
    """Make the draft exactly these items (a new course, an import, a rollback); items
    that stay keep counting their revisions, so open editors see the change."""
    existing = items_of(course.id)
    for key, row in existing.items():
        if key not in items:
            db.session.delete(row)
    for (kind, key), data in items.items():
        row = existing.get((kind, key))
        if row is None:
            db.session.add(DraftItem(course_id=course.id, kind=kind, key=key, data=data,
                                     revision=1, updated_by_id=actor_id))
        elif row.data != data:
            row.data, row.revision = data, row.revision + 1
            row.updated_at, row.updated_by_id = utcnow(), actor_id
    db.session.flush()


def save_item(course: Course, kind: str, key: str, data: dict[str, Any], *,
              revision: int | None, actor_id: int | None) -> DraftItem:
    """Store one item. `revision` is the one the editor started from (None: a new item,
    refused if one with that key exists). The row is locked, so of two saves from the
    same revision exactly one wins."""
    row = db.session.scalar(sa.select(DraftItem).where(
        DraftItem.course_id == course.id, DraftItem.kind == kind,
        DraftItem.key == key).with_for_update())
    if revision is None:
        if row is not None:
            raise DomainError(_("The key “%(key)s” is already used in this course.",
                                key=key))
        row = DraftItem(course_id=course.id, kind=kind, key=key, data=data, revision=1,
                        updated_by_id=actor_id)
        db.session.add(row)
        db.session.flush()
        return row
    if row is None or row.revision != revision:
        raise StaleEdit(row)
    # A conditional UPDATE as well as the lock: SQLite has no FOR UPDATE.
    done = db.session.execute(sa.update(DraftItem).where(
        DraftItem.course_id == course.id, DraftItem.kind == kind, DraftItem.key == key,
        DraftItem.revision == revision).values(
        data=data, revision=revision + 1, updated_at=utcnow(), updated_by_id=actor_id))
    if done.rowcount != 1:
        raise StaleEdit(get_item(course.id, kind, key))
    db.session.expire(row)
    return row


def remove_item(course: Course, kind: str, key: str, *, revision: int) -> None:
    done = db.session.execute(sa.delete(DraftItem).where(
        DraftItem.course_id == course.id, DraftItem.kind == kind, DraftItem.key == key,
        DraftItem.revision == revision))
    if done.rowcount != 1:
        raise StaleEdit(get_item(course.id, kind, key))


def draft_files(course_id: int) -> Files:
    return files_from_items({k: v.data for k, v in items_of(course_id).items()})


def fingerprint(course_id: int) -> str:
    """Changes whenever any draft item does (to notice edits made in between)."""
    rows = sorted((f"{k}:{key}:{item.revision}" for (k, key), item in
                   items_of(course_id).items()))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def unpublished_changes(course: Course) -> bool:
    """Whether the draft differs from the latest published version."""
    from lms.content.versions import latest_version

    latest = latest_version(course.id)
    if latest is None:
        return has_draft(course.id)
    return draft_files(course.id) != files_from_items(items_from_files(latest.files))


@dataclass
class Check:
    """A draft read as files: its spec when good, else the problems (`path:line: …`)."""

    spec: CourseSpec | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.problems


def _published_catalogue(except_slug: str) -> dict[str, Any]:
    """Other courses as the link checker needs them: slug, lessons, references page."""
    lessons: dict[int, list[str]] = {}
    for course_id, slug in db.session.execute(
            sa.select(Module.course_id, Lesson.slug).join(Lesson.module).where(
                Lesson.archived_at.is_(None), Module.archived_at.is_(None))):
        lessons.setdefault(course_id, []).append(slug)
    courses = {}
    for course in db.session.scalars(sa.select(Course).where(
            Course.archived_at.is_(None), Course.slug != except_slug)):
        module = SimpleNamespace(lessons=[SimpleNamespace(slug=s)
                                          for s in lessons.get(course.id, [])])
        courses[course.slug] = SimpleNamespace(slug=course.slug, modules=[module],
                                               references=course.references_html)
    return courses


def check_files(slug: str, files: Files) -> Check:
    """Validate a course's files exactly as `courses validate` would, with its internal
    links checked against the published courses and the glossary."""
    out = Collector()
    with tempfile.TemporaryDirectory(prefix="lms-draft-") as tmp:
        folder = Path(tmp) / slug
        write_folder(files, folder)
        spec = load_course(folder, out)
        prefix = os.path.relpath(folder) + os.sep
        problems = [str(e).removeprefix(prefix) for e in out.errors]
    if spec is not None:
        catalogue = _published_catalogue(slug) | {slug: spec}
        terms = set(db.session.scalars(sa.select(GlossaryTerm.slug).where(
            GlossaryTerm.archived_at.is_(None))))
        documents = [(path, text) for path, text in sorted(files.items())
                     if path.startswith("lessons/") or path == "references.md"
                     or (path.startswith("i18n/") and path.endswith(".md"))]
        problems += _link_problems(documents, catalogue, terms)
    return Check(spec if not problems else None, problems)


def _link_problems(documents: list[tuple[str, str]], catalogue: dict[str, Any],
                   terms: set[str]) -> list[str]:
    problems = []
    for path, text in documents:
        for number, line in enumerate(text.splitlines(), 1):
            for target in LINK.findall(line):
                if target.startswith(("/media/", "media/")):
                    continue  # the studio's uploads (a zip's are checked when imported)
                if (problem := link_problem(target, catalogue, terms)) is not None:
                    problems.append(f"{path}:{number}: {problem}")
    return problems


def check_draft(course: Course) -> Check:
    return check_files(course.slug, draft_files(course.id))
