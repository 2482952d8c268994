"""The studio's translation editor: one item of a draft's `i18n/<lang>/` files as a list
of fields, each beside its source text, and back into the file.

Saving records the hash of the source as it is now, so an item brought up to date is
current again. The fields are the source's: a translation cannot add an option or
change a key, because there is no field for it.
"""
from __future__ import annotations

from typing import Any

from lms.content.specs import CourseSpec
from lms.content.translation_template import (
    Files,
    item_file,
    read_file,
    source_table,
    write_file,
)
from lms.content.translations import KEYED_LISTS, course_items, coverage

LINES = ("objectives", "answers")  # lists of texts: one per line in the editor
LONG = ("body", "text", "summary", "explanation", "vignette", "feedback", "feedback_true",
        "feedback_false", "objectives", "answers", "content_note", "audience")


def fields(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, value) of every text of an item: 'options.b.feedback' and so on."""
    found: list[tuple[str, Any]] = []
    for name, value in table.items():
        if name in ("key", "slug", "source"):
            continue
        if name in KEYED_LISTS and isinstance(value, list):
            for item in value:
                found += fields(item, f"{prefix}{name}.{item.get('key')}.")
        elif name in LINES and isinstance(value, list):
            found.append((prefix + name, "\n".join(str(v) for v in value)))
        else:
            found.append((prefix + name, value))
    return found


def filled(source: dict[str, Any], values: dict[str, str], prefix: str = "") -> dict[str, Any]:
    """The source's table with each text replaced by values[path] (kept when absent)."""
    table: dict[str, Any] = {}
    for name, value in source.items():
        path = prefix + name
        if name in ("key", "slug", "source"):
            table[name] = value
        elif name in KEYED_LISTS and isinstance(value, list):
            table[name] = [filled(item, values, f"{path}.{item.get('key')}.") for item in value]
        elif name in LINES and isinstance(value, list):
            given = values.get(path)
            table[name] = ([line.strip() for line in given.splitlines() if line.strip()]
                           if given is not None else [])
        else:
            table[name] = values.get(path, "").replace("\r\n", "\n").strip()
    return table


def translated_table(files: Files, locale: str, course: CourseSpec, kind: str,
                     key: str) -> dict[str, Any] | None:
    path = f"i18n/{locale}/{item_file(course, kind, key)}"
    if path not in files:
        return None
    try:
        return read_file(item_file(course, kind, key), files[path]).get((kind, key))
    except ValueError:
        return None


def with_item(files: Files, locale: str, course: CourseSpec, kind: str, key: str,
              values: dict[str, str]) -> tuple[str, str]:
    """(path, text) of the translation file with this item saved from the editor's
    values, made from the source as it is now."""
    relative = item_file(course, kind, key)
    path = f"i18n/{locale}/{relative}"
    try:
        items = read_file(relative, files[path]) if path in files else {}
    except ValueError:
        items = {}
    table = filled(source_table(course, kind, key), values)
    items[(kind, key)] = table
    order = {item: n for n, item in enumerate(coverage_order(course))}
    ordered = dict(sorted(items.items(), key=lambda pair: order.get(pair[0], len(order))))
    return path, write_file(relative, ordered)


def coverage_order(course: CourseSpec) -> list[tuple[str, str]]:
    """Items in the order learners meet them (the file keeps that order too)."""
    return list(course_items(course))


def language_rows(course: CourseSpec) -> list[dict[str, Any]]:
    """The report: per language, every item and its state (translated, stale, missing)."""
    rows = []
    for locale, cover in coverage(course).items():
        stale, missing = set(cover.stale), set(cover.missing)
        rows.append({"locale": locale, "cover": cover, "items": [
            (kind, key, "stale" if (kind, key) in stale else
             "missing" if (kind, key) in missing else "translated")
            for kind, key in coverage_order(course)]})
    return rows
