"""A course in the learner's language: its translation where one is current, the
source elsewhere, and which is which, so a page can say what is not yet translated.

Only current translations (made from the source as it is now) are ever shown; a stale
one waits, unseen, until its translator brings it up to date.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask import g
from flask_babel import get_locale

from lms.catalog.models import ContentTranslation
from lms.core.db import db
from lms.core.page_cache import memo


@dataclass(frozen=True)
class Translations:
    current: Mapping[tuple[str, str], dict[str, Any]]  # (kind, key) → translated texts
    stale: frozenset[tuple[str, str]]  # translated from a source that has changed since


EMPTY = Translations(MappingProxyType({}), frozenset())


def _rows(locale: str) -> Mapping[int | None, Translations]:
    """Every course's (and the glossary's, under None) translations into one language,
    in one query: the catalogue and the dashboard list many courses."""
    current: dict[int | None, dict[tuple[str, str], dict[str, Any]]] = {}
    stale: dict[int | None, set[tuple[str, str]]] = {}
    for course_id, kind, key, is_current, data in db.session.execute(sa.select(
            ContentTranslation.course_id, ContentTranslation.kind, ContentTranslation.key,
            ContentTranslation.current, ContentTranslation.data)
            .where(ContentTranslation.locale == locale)):
        if is_current:
            current.setdefault(course_id, {})[(kind, key)] = data
        else:
            stale.setdefault(course_id, set()).add((kind, key))
    return MappingProxyType({owner: Translations(
        MappingProxyType(current.get(owner, {})), frozenset(stale.get(owner, ())))
        for owner in current.keys() | stale.keys()})


def current_translations(course_id: int | None, locale: str) -> Translations:
    """A course's translations into one language, held in the worker until the next
    publish (every lesson page needs them; they change only when content does)."""
    return memo(("translations", locale), lambda: _rows(locale)).get(course_id, EMPTY)


def request_locale() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "en"


@dataclass(frozen=True)
class Shown:
    """A text as shown: in `lang`; `fallback` when the learner reads another language
    and this part is not (yet) translated into it."""

    value: Any
    lang: str
    fallback: bool


class CourseText:
    """One course's texts in one language (the request's, unless given)."""

    def __init__(self, course_id: int, source_language: str, locale: str | None = None):
        self.locale = locale or request_locale()
        self.source = source_language
        self.wanted = self.locale != source_language
        held = current_translations(course_id, self.locale) if self.wanted else None
        self.rows = held.current if held else {}
        self.stale = held.stale if held else frozenset()

    @property
    def translated(self) -> bool:
        """Whether anything of the course is in the learner's language."""
        return bool(self.rows)

    def item(self, kind: str, key: str = "") -> dict[str, Any] | None:
        return self.rows.get((kind, key))

    def text(self, kind: str, key: str, name: str, source_value: Any) -> Shown:
        data = self.rows.get((kind, key))
        if data is not None and data.get(name):
            return Shown(data[name], self.locale, False)
        return Shown(source_value, self.source, self.wanted and bool(source_value))

    def title(self, kind: str, key: str, source_title: str) -> str:
        return self.text(kind, key, "title", source_title).value

    def course(self, course: Any, name: str) -> Shown:
        return self.text("course", "", name, getattr(course, name))

    def state(self, kind: str, key: str = "") -> str:
        """'source' (the learner reads the course's language), 'translated', 'stale'
        (shown in the source until the translation is updated) or 'missing'."""
        if not self.wanted:
            return "source"
        if (kind, key) in self.rows:
            return "translated"
        return "stale" if (kind, key) in self.stale else "missing"

    def lesson(self, lesson: Any) -> LessonText:
        data = self.rows.get(("lesson", lesson.slug))
        if data is not None:
            return LessonText(data["title"], data.get("content_note"), data["body_html"],
                              self.locale, "translated")
        return LessonText(lesson.title, lesson.content_note, lesson.body_html, self.source,
                          self.state("lesson", lesson.slug))


@dataclass(frozen=True)
class LessonText:
    title: str
    content_note: str | None
    body_html: str
    lang: str
    state: str  # as CourseText.state

    @property
    def fallback(self) -> bool:
        return self.state in ("stale", "missing")


def glossary_text(locale: str | None = None) -> Translations:
    """The glossary's translations into the language (kind 'term')."""
    return current_translations(None, locale or request_locale())


def course_text(course: Any) -> CourseText:
    """The CourseText of a course for this request (templates ask for it often)."""
    held = g.setdefault("lms_course_texts", {})
    if course.id not in held:
        held[course.id] = CourseText(course.id, course.language)
    return held[course.id]


def language_name(code: str) -> str:
    """A language's name in the reader's language ("อังกฤษ" for "en" in Thai)."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(request_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def stale_counts(course_id: int) -> dict[str, int]:
    """Per language, the published translations made from an older source."""
    return dict(db.session.execute(
        sa.select(ContentTranslation.locale, sa.func.count())
        .where(ContentTranslation.course_id == course_id, ContentTranslation.current.is_(False))
        .group_by(ContentTranslation.locale).order_by(ContentTranslation.locale)).all())
