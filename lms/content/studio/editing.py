"""Changes to a draft's outline and items, each checked against the revision the editor
saw (flush only; the view commits). Removing an item only removes it from the draft:
publishing then archives it, so learners' records that point at it stay."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.assessment.models import Question
from lms.catalog.models import Course, Lesson, Module
from lms.content import drafts
from lms.content.course_files import to_json
from lms.content.reading import SLUG_RE
from lms.core.db import db
from lms.core.errors import DomainError


def slug_from(text: str, fallback: str) -> str:
    """An address from a title (Latin letters survive; other scripts fall back)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug if SLUG_RE.match(slug) else fallback


def _free(taken: set[str], slug: str) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _course_item(course: Course) -> drafts.DraftItem:
    item = drafts.get_item(course.id, "course")
    if item is None:
        raise DomainError(_("This course has no draft."))
    return item


def _save_course(course: Course, data: dict, revision: int | None, actor_id: int | None):
    item = _course_item(course)
    drafts.save_item(course, "course", "", to_json(data),
                     revision=item.revision if revision is None else revision,
                     actor_id=actor_id)


def _modules(data: dict) -> list[dict[str, Any]]:
    return [dict(m) for m in data.get("modules", [])]


def _module(modules: list[dict], slug: str) -> dict:
    found = next((m for m in modules if m.get("slug") == slug), None)
    if found is None:
        raise DomainError(_("This module is no longer in the draft."))
    return found


def used_lesson_slugs(course: Course) -> set[str]:
    """Lesson addresses in the draft or ever published (an address is never reused)."""
    published = set(db.session.scalars(sa.select(Lesson.slug).join(Lesson.module).where(
        Module.course_id == course.id)))
    return published | {k for (kind, k) in drafts.items_of(course.id) if kind == "lesson"}


def used_question_keys(course: Course) -> set[str]:
    published = set(db.session.scalars(sa.select(Question.key).where(
        Question.course_id == course.id)))
    return published | {k for (kind, k) in drafts.items_of(course.id) if kind == "question"}


def add_module(course: Course, title: str, *, revision: int, actor_id: int | None) -> str:
    data = _course_item(course).data
    modules = _modules(data)
    slug = _free({m.get("slug") for m in modules},
                 slug_from(title, f"module-{len(modules) + 1}"))
    modules.append({"slug": slug, "title": title, "lessons": []})
    _save_course(course, {**data, "modules": modules}, revision, actor_id)
    return slug


def rename_module(course: Course, slug: str, title: str, *, revision: int,
                  actor_id: int | None) -> None:
    data = _course_item(course).data
    modules = _modules(data)
    _module(modules, slug)["title"] = title
    _save_course(course, {**data, "modules": modules}, revision, actor_id)


def _step(items: list, index: int, direction: str) -> None:
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]


def move_module(course: Course, slug: str, direction: str, *, revision: int,
                actor_id: int | None) -> None:
    data = _course_item(course).data
    modules = _modules(data)
    _step(modules, modules.index(_module(modules, slug)), direction)
    _save_course(course, {**data, "modules": modules}, revision, actor_id)


def remove_module(course: Course, slug: str, *, revision: int, actor_id: int | None) -> None:
    data = _course_item(course).data
    modules = _modules(data)
    module = _module(modules, slug)
    if module.get("lessons"):
        raise DomainError(_("Archive or move this module's lessons first."))
    modules.remove(module)
    _save_course(course, {**data, "modules": modules}, revision, actor_id)


def add_lesson(course: Course, module_slug: str, title: str, *, slug: str | None,
               revision: int, actor_id: int | None) -> str:
    data = _course_item(course).data
    modules = _modules(data)
    module = _module(modules, module_slug)
    taken = used_lesson_slugs(course)
    if slug and slug in taken:
        raise DomainError(_("The address “%(slug)s” is already used by a lesson of this "
                            "course (addresses are never reused).", slug=slug))
    slug = slug or _free(taken, slug_from(title, f"lesson-{len(taken) + 1}"))
    module["lessons"] = [*module.get("lessons", []), slug]
    _save_course(course, {**data, "modules": modules}, revision, actor_id)
    drafts.save_item(course, "lesson", slug, {"header": {"title": title, "minutes": 10},
                                              "body": ""}, revision=None, actor_id=actor_id)
    return slug


def move_lesson(course: Course, slug: str, direction: str, *, revision: int,
                actor_id: int | None) -> None:
    """Up or down within its module; past the first or last, into the module before or
    after (so reordering needs no script)."""
    data = _course_item(course).data
    modules = _modules(data)
    for index, module in enumerate(modules):
        lessons = list(module.get("lessons", []))
        if slug not in lessons:
            continue
        position = lessons.index(slug)
        neighbour = index - 1 if direction == "up" else index + 1
        at_edge = position == (0 if direction == "up" else len(lessons) - 1)
        if at_edge and 0 <= neighbour < len(modules):
            lessons.remove(slug)
            target = list(modules[neighbour].get("lessons", []))
            target = target + [slug] if direction == "up" else [slug] + target
            modules[neighbour]["lessons"] = target
        else:
            _step(lessons, position, direction)
        module["lessons"] = lessons
        _save_course(course, {**data, "modules": modules}, revision, actor_id)
        return
    raise DomainError(_("This lesson is no longer in the draft."))


def remove_lesson(course: Course, slug: str, *, revision: int, actor_id: int | None) -> None:
    data = _course_item(course).data
    modules = _modules(data)
    for module in modules:
        module["lessons"] = [s for s in module.get("lessons", []) if s != slug]
    _save_course(course, {**data, "modules": modules}, revision, actor_id)
    lesson = drafts.get_item(course.id, "lesson", slug)
    if lesson is not None:
        drafts.remove_item(course, "lesson", slug, revision=lesson.revision)


def _owner_item(course: Course, owner: str) -> drafts.DraftItem:
    kind, _sep, key = owner.partition(":")
    item = drafts.get_item(course.id, kind, key) if kind in ("quiz", "bank") else None
    if item is None:
        raise DomainError(_("This test or bank is no longer in the draft."))
    return item


def _save_owner(course: Course, item: drafts.DraftItem, keys: list[str],
                actor_id: int | None) -> None:
    drafts.save_item(course, item.kind, item.key, {**item.data, "questions": keys},
                     revision=item.revision, actor_id=actor_id)


def owner_of(course: Course, key: str) -> drafts.DraftItem | None:
    for (kind, _k), item in drafts.items_of(course.id).items():
        if kind in ("quiz", "bank") and key in item.data.get("questions", []):
            return item
    return None


def add_question(course: Course, owner: str, raw: dict[str, Any], *,
                 after: str | None = None, actor_id: int | None) -> None:
    key = raw["key"]
    if key in used_question_keys(course):
        raise DomainError(_("The key “%(key)s” is already used by a question of this course "
                            "(keys are never reused).", key=key))
    item = _owner_item(course, owner)
    keys = list(item.data.get("questions", []))
    keys.insert(keys.index(after) + 1 if after in keys else len(keys), key)
    drafts.save_item(course, "question", key, to_json(raw), revision=None, actor_id=actor_id)
    _save_owner(course, item, keys, actor_id)


def duplicate_question(course: Course, key: str, *, actor_id: int | None) -> str:
    original = drafts.get_item(course.id, "question", key)
    owner = owner_of(course, key)
    if original is None or owner is None:
        raise DomainError(_("This question is no longer in the draft."))
    copy = _free(used_question_keys(course), f"{key}-copy")
    add_question(course, f"{owner.kind}:{owner.key}", {**original.data, "key": copy},
                 after=key, actor_id=actor_id)
    return copy


def move_question(course: Course, key: str, direction: str, *, actor_id: int | None) -> None:
    owner = owner_of(course, key)
    if owner is None:
        raise DomainError(_("This question is no longer in the draft."))
    keys = list(owner.data["questions"])
    _step(keys, keys.index(key), direction)
    _save_owner(course, owner, keys, actor_id)


def remove_question(course: Course, key: str, *, revision: int, actor_id: int | None) -> None:
    owner = owner_of(course, key)
    if owner is not None:
        _save_owner(course, owner, [k for k in owner.data["questions"] if k != key], actor_id)
    drafts.remove_item(course, "question", key, revision=revision)


def create_owner(course: Course, kind: str, key: str, data: dict[str, Any], *,
                 actor_id: int | None) -> None:
    if drafts.get_item(course.id, kind, key) is not None:
        raise DomainError(_("The address “%(key)s” is already used.", key=key))
    drafts.save_item(course, kind, key, to_json({**data, "questions": []}), revision=None,
                     actor_id=actor_id)


def remove_owner(course: Course, owner: str, *, actor_id: int | None) -> None:
    item = _owner_item(course, owner)
    if item.data.get("questions"):
        raise DomainError(_("Remove or move its questions first."))
    drafts.remove_item(course, item.kind, item.key, revision=item.revision)
