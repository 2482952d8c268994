"""Translation files as tables, both ways: the files a translator fills in, and the one
item the studio's translation editor changes.

A template holds every item of a course not yet translated (or stale) with its source
text, to be replaced, and `source`, its hash, to be kept: the hash says which source
the translation was made from, so a later change to the source is noticed. Keys stay
as they are (they are the same in every language).
"""
from __future__ import annotations

import re
import tomllib
from typing import Any

import tomli_w

from lms.content.course_files import LESSON, canonical
from lms.content.specs import CourseSpec, SharedSpec
from lms.content.study_time import all_questions
from lms.content.translations import (
    KEYED_LISTS,
    QUESTION_TEXTS,
    course_items,
    item_file,
    source_hash,
    term_source,
)

Files = dict[str, str]
Item = tuple[str, str]  # (kind, key)


def _texts_only(raw: dict[str, Any]) -> dict[str, Any]:
    """A question table cut down to what a translator changes, keys kept to match."""
    kept: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "key" or name in QUESTION_TEXTS or name == "answers":
            kept[name] = value
        elif name in KEYED_LISTS and isinstance(value, list):
            kept[name] = [_texts_only(v) for v in value if isinstance(v, dict)]
    return kept


def source_table(course: CourseSpec, kind: str, key: str) -> dict[str, Any]:
    """The item as a template writes it: the source's texts and the source's hash."""
    source = course_items(course)[(kind, key)]
    table: dict[str, Any] = {"source": source_hash(source)}
    if kind == "module":
        table["slug"] = key
    if kind == "question":
        question = next(q for q in all_questions(course) if q.key == key)
        return {**_texts_only(question.raw), **table}
    return {**table, **source}


def _toml(data: dict[str, Any]) -> str:
    return tomli_w.dumps(canonical(data), multiline_strings=True)


def read_file(path: str, text: str) -> dict[Item, dict[str, Any]]:
    """The items a translation file holds (path relative to i18n/<lang>/); raises
    ValueError on a file that cannot be read."""
    if path.endswith(".md"):
        match = LESSON.match(text)
        if match is None:
            raise ValueError(f"{path}: no +++ header +++")
        header = tomllib.loads(match.group(1))
        kind, key = ("references", "") if path == "references.md" else (
            "lesson", path.removeprefix("lessons/").removesuffix(".md"))
        field = "text" if kind == "references" else "body"
        return {(kind, key): {**header, field: match.group(2).strip()}}
    data = tomllib.loads(text)
    items: dict[Item, dict[str, Any]] = {}
    top = {k: v for k, v in data.items() if k not in ("modules", "questions")}
    listed = data.get("modules" if path == "course.toml" else "questions", [])
    if not isinstance(listed, list) or not all(isinstance(t, dict) for t in listed):
        raise ValueError(f"{path}: not a list of tables")
    if path == "course.toml":
        if top:
            items[("course", "")] = top
        for module in listed:
            items[("module", str(module.get("slug", "")))] = module
    else:
        if top and path.startswith("quizzes/"):
            items[("quiz", re.sub(r"^quizzes/|\.toml$", "", path))] = top
        for question in listed:
            items[("question", str(question.get("key", "")))] = question
    return items


def write_file(path: str, items: dict[Item, dict[str, Any]]) -> str:
    """One translation file from its items (in the given order)."""
    if path.endswith(".md"):
        ((kind, _key), table), = items.items()
        field = "text" if kind == "references" else "body"
        header = {k: v for k, v in table.items() if k != field}
        return f"+++\n{_toml(header)}+++\n\n{str(table.get(field, '')).strip()}\n"
    top: dict[str, Any] = {}
    listed: list[dict[str, Any]] = []
    for (kind, _key), table in items.items():
        if kind in ("course", "quiz"):
            top = dict(table)
        else:
            listed.append(table)
    name = "modules" if path == "course.toml" else "questions"
    return _toml({**top, name: listed} if listed else top)


def template_files(course: CourseSpec, locale: str) -> Files:
    """i18n/<locale>/ files (paths relative to the course folder) of what is to do."""
    done = {(t.kind, t.key) for t in course.translations
            if t.locale == locale and t.current}
    grouped: dict[str, dict[Item, dict[str, Any]]] = {}
    for kind, key in course_items(course):
        if (kind, key) not in done:
            grouped.setdefault(item_file(course, kind, key), {})[(kind, key)] = \
                source_table(course, kind, key)
    return {f"i18n/{locale}/{path}": write_file(path, items)
            for path, items in grouped.items()}


def glossary_template(shared: SharedSpec | None, locale: str) -> Files:
    """_shared/i18n/<locale>/glossary.toml with every term not yet translated."""
    done = {t.key for t in (shared.translations if shared else ())
            if t.locale == locale and t.current}
    terms = [{"slug": t.slug, "source": source_hash(term_source(t)), "term": t.term,
              "definition": t.definition}
             for t in (shared.terms if shared else ()) if t.slug not in done]
    return {f"i18n/{locale}/glossary.toml": _toml({"terms": terms})} if terms else {}
