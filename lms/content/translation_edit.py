"""The studio's translation editor: one item of a draft's `i18n/<lang>/` files as a list
of fields, each beside its source text, and back into its file.

The fields are the source's: a translation cannot add an option or change a key,
because there is no field for it. Saving records the hash of the source the translator
was shown, and is refused if the source changed meanwhile, so a translation of an
older text is never recorded as current. The file is edited in place (tomlkit): the
other items and the reviewers' `# review:` comments stay as they were.
"""
from __future__ import annotations

from typing import Any

import tomlkit
from flask_babel import gettext as _

from lms.catalog.models import Course
from lms.content import drafts
from lms.content.course_files import LESSON
from lms.content.specs import CourseSpec
from lms.content.translation_template import Files, read_file, source_table
from lms.content.translations import (
    KEYED_LISTS,
    OPTIONAL_TEXTS,
    QUESTION_TEXTS,
    course_items,
    coverage,
    item_file,
)
from lms.core.errors import DomainError

LINES = ("objectives", "answers")  # lists of texts: one per line in the editor
LONG = ("body", "text", "summary", "explanation", "vignette", "feedback", "feedback_true",
        "feedback_false", "objectives", "answers", "content_note", "audience")
IDS = ("key", "slug", "source")
WORDS = QUESTION_TEXTS | {"answers", "title", "summary", "audience", "objectives",
                          "content_note", "body", "text"}


class TranslationRefused(DomainError):
    """Nothing was saved: `problems` says why (the file validators' words)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def fields(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(path, value) of every text of an item: 'options.b.feedback' and so on."""
    found: list[tuple[str, Any]] = []
    for name, value in table.items():
        if name in IDS:
            continue
        if name in KEYED_LISTS and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found += fields(item, f"{prefix}{name}.{item.get('key')}.")
        elif name in LINES and isinstance(value, list):
            found.append((prefix + name, "\n".join(str(v) for v in value)))
        elif isinstance(value, str):
            found.append((prefix + name, value))
    return found


def filled(source: dict[str, Any], values: dict[str, str], prefix: str = "") -> dict[str, Any]:
    """The source's table with each text replaced by values[path]; an optional text
    (a unit, accepted answers) left empty is left out, so the source's stays."""
    table: dict[str, Any] = {}
    for name, value in source.items():
        path = prefix + name
        if name in IDS:
            table[name] = value
        elif name in KEYED_LISTS and isinstance(value, list):
            table[name] = [filled(item, values, f"{path}.{item.get('key')}.") for item in value]
        elif name in LINES and isinstance(value, list):
            lines = [line.strip() for line in values.get(path, "").splitlines() if line.strip()]
            if lines or name not in OPTIONAL_TEXTS:
                table[name] = lines
        else:
            text = values.get(path, "").replace("\r\n", "\n").strip()
            if text or name not in OPTIONAL_TEXTS:
                table[name] = text
    return table


def translated_table(files: Files, locale: str, course: CourseSpec, kind: str,
                     key: str) -> dict[str, Any] | None:
    relative = item_file(course, kind, key)
    try:
        return read_file(relative, files[f"i18n/{locale}/{relative}"]).get((kind, key))
    except (KeyError, ValueError):
        return None


def _set_words(target: Any, new: dict[str, Any]) -> None:
    """Put the new words into a tomlkit table in place; lists of tables by key."""
    for name in [n for n in list(target.keys()) if n in WORDS and n not in new]:
        del target[name]  # an optional text emptied: the source's applies again
    for name, value in new.items():
        held = target.get(name)
        if name in KEYED_LISTS and isinstance(value, list) and isinstance(held, list):
            wanted = {str(item.get("key")) for item in value}
            for gone in [h for h in held
                         if not hasattr(h, "get") or str(h.get("key")) not in wanted]:
                held.remove(gone)  # an option or part the source no longer has
            by_key = {str(h.get("key")): h for h in held if hasattr(h, "get")}
            for item in value:
                if str(item.get("key")) in by_key:
                    _set_words(by_key[str(item["key"])], item)
                else:
                    held.append(item)
        elif held != value:
            target[name] = value


def _edited(relative: str, text: str | None, kind: str, key: str,
            table: dict[str, Any]) -> str:
    if relative.endswith(".md"):
        field = "text" if kind == "references" else "body"
        match = LESSON.match(text or "")
        header = tomlkit.parse(match.group(1)) if match else tomlkit.document()
        _set_words(header, {k: v for k, v in table.items() if k != field})
        return f"+++\n{tomlkit.dumps(header).strip()}\n+++\n\n{table[field].strip()}\n"
    doc = tomlkit.parse(text or "")
    if kind in ("course", "quiz"):
        _set_words(doc, table)
        return tomlkit.dumps(doc)
    name, ident = ("modules", "slug") if kind == "module" else ("questions", "key")
    listed = doc.setdefault(name, tomlkit.aot())
    held = next((t for t in listed if str(t.get(ident)) == key), None)
    if held is None:
        listed.append(table)
    else:
        _set_words(held, table)
    return tomlkit.dumps(doc)


def save_translation(course: Course, spec: CourseSpec, files: Files, locale: str, kind: str,
                     key: str, values: dict[str, str], *, shown_source: str,
                     revision: int | None, actor_id: int) -> None:
    """Save one translated item into the draft (the caller commits), made from the
    source the editor showed; raises TranslationRefused with the reasons."""
    source = source_table(spec, kind, key)
    if shown_source != source["source"]:
        raise TranslationRefused([_("The source text changed while you were translating. "
                                    "Compare your translation with it below, then save "
                                    "again.")])
    relative = item_file(spec, kind, key)
    path = f"i18n/{locale}/{relative}"
    try:
        text = _edited(relative, files.get(path), kind, key, filled(source, values))
    except (ValueError, tomlkit.exceptions.TOMLKitError) as error:
        raise TranslationRefused([f"{path}: {error}"]) from error
    check = drafts.check_files(course.slug, {**files, path: text})
    if check.problems:
        raise TranslationRefused([p for p in check.problems if p.startswith(path)]
                                 or check.problems)
    try:
        drafts.save_item(course, "translation", path.removeprefix("i18n/"), {"text": text},
                         revision=revision, actor_id=actor_id)
    except (drafts.StaleEdit, DomainError) as error:
        raise TranslationRefused([_("Someone else saved this file a moment ago. Nothing "
                                    "was written: open the item again and redo your "
                                    "change.")]) from error



def language_rows(course: CourseSpec) -> list[dict[str, Any]]:
    """The report: per language, every item and its state (translated, stale, missing),
    then translations whose source is gone."""
    rows = []
    for locale, cover in coverage(course).items():
        stale, missing = set(cover.stale), set(cover.missing)
        rows.append({"locale": locale, "cover": cover, "items": [
            (kind, key, "stale" if (kind, key) in stale else
             "missing" if (kind, key) in missing else "translated")
            for kind, key in course_items(course)] + [
            (kind, key, "orphaned") for kind, key in cover.orphans]})
    return rows
