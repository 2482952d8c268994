"""Read `courses/<slug>/i18n/<lang>/`, which mirrors the course's own files:

    i18n/th/course.toml          source, title, summary, audience, objectives;
                                 [[modules]] slug, source, title
    i18n/th/lessons/<slug>.md    +++ source, title, content_note +++ and the text
    i18n/th/quizzes/<key>.toml   source, title; [[questions]] as in the banks
    i18n/th/banks/<name>.toml    [[questions]] key, source and the question's texts,
                                 its options, pairs, items and parts by their keys
    i18n/th/references.md        +++ source +++ and the page

Any item may be left out (learners see the source there). A translation made from
an older source is loaded but marked stale, never an error: changing a course must
not wait for its translators. What is wrong in the file itself is an error, with its
line, like any other course file.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lms.assessment.qtypes import REGISTRY
from lms.content.quiz_loader import question_problems
from lms.content.reading import Collector, read_text, read_toml, read_toml_file
from lms.content.specs import CourseSpec, TranslationSpec
from lms.content.study_time import all_questions
from lms.content.translations import (
    course_items,
    item_file,
    overlay_question,
    source_hash,
)
from lms.core.i18n import LANGUAGES

I18N = "i18n"
HEADER = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*\n?(.*)\Z", re.S)


class _Language:
    """One i18n/<lang>/ folder of one course."""

    def __init__(self, folder: Path, course: CourseSpec, out: Collector):
        self.folder, self.course, self.out = folder, course, out
        self.locale = folder.name
        self.sources = course_items(course)
        self.questions = {q.key: q for q in all_questions(course)}
        self.banked = {q.key for bank in course.banks for q in bank.questions}
        self.found: dict[tuple[str, str], TranslationSpec] = {}

    def load(self) -> list[TranslationSpec]:
        for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
            relative = path.relative_to(self.folder).as_posix()
            if any(part.startswith(".") for part in Path(relative).parts):
                continue  # an editor's or a file manager's own files
            if relative == "course.toml":
                self._course(path)
            elif relative == "references.md":
                self._page(path, "references", "")
            elif re.fullmatch(r"lessons/[^/]+\.md", relative):
                self._page(path, "lesson", path.stem)
            elif re.fullmatch(r"(quizzes|banks)/[^/]+\.toml", relative):
                self._questions_file(path, quiz=relative.startswith("quizzes/"))
            else:
                self.out.add(path, 1, "not a translation file: i18n/<lang>/ holds "
                             "course.toml, references.md, lessons/, quizzes/ and banks/")
        return list(self.found.values())

    def _add(self, path: Path, line: int, kind: str, key: str, table: dict[str, Any],
             texts: Callable[[], dict[str, Any] | None]) -> None:
        """Record one item. Its texts are checked only when it is current (None: refused,
        with the errors recorded): a stale one was made from a source that is gone."""
        label = f"{kind} {key}".strip()
        if (kind, key) in self.found:
            self.out.add(path, line, f"{label} is translated twice")
            return
        recorded = table.get("source")
        if not isinstance(recorded, str) or not recorded.strip():
            self.out.add(path, line, f"{label}: no source hash: record the hash of the "
                         "text translated (`flask courses translation-template` writes it)")
            return
        if (kind, key) not in self.sources:
            # Its source was removed or renamed: kept, never shown, listed as orphaned,
            # so deleting a lesson never waits for its translators either.
            self.found[(kind, key)] = TranslationSpec(self.locale, kind, key,
                                                      recorded.strip(), False, {}, str(path))
            return
        if kind == "question" and (wanted := item_file(self.course, kind, key)) != \
                path.relative_to(self.folder).as_posix():
            self.out.add(path, line, f"question {key} is translated in i18n/{self.locale}/"
                         f"{wanted}, beside the quiz or bank that holds it")
            return
        current = recorded.strip() == source_hash(self.sources[(kind, key)])
        data = texts() if current else {}
        if data is None:
            return
        self.found[(kind, key)] = TranslationSpec(
            self.locale, kind, key, recorded.strip(), current, data if current else {},
            str(path))

    def _texts(self, path: Path, line: int, kind: str, key: str, table: dict[str, Any],
               allowed: tuple[str, ...]) -> dict[str, Any] | None:
        """Plain fields: every one the source has must be translated, nothing else."""
        source = self.sources.get((kind, key), {})
        data: dict[str, Any] = {}
        ok = True
        for name in table:
            if name not in allowed + ("source", "slug", "key", "modules", "questions"):
                self.out.add(path, line, f"{kind} {key}: '{name}' is not a text to translate")
                ok = False
        for name in allowed:
            value, wanted = table.get(name), source.get(name)
            if name == "objectives" and wanted:
                if not (isinstance(value, list) and len(value) == len(wanted)
                        and all(isinstance(v, str) and v.strip() for v in value)):
                    self.out.add(path, line, f"{kind}: objectives must be a list of "
                                 f"{len(wanted)} texts, one per objective of the source")
                    ok = False
                data[name] = [v.strip() for v in value] if ok else []
            elif wanted:
                if not (isinstance(value, str) and value.strip()):
                    self.out.add(path, line, f"{kind} {key}: {name} is not translated".
                                 replace("  ", " "))
                    ok = False
                else:
                    data[name] = value.strip()
        return data if ok else None

    def _course(self, path: Path) -> None:
        if (loaded := read_toml_file(path, self.out)) is None:
            return
        table, where = loaded
        if any(k in table for k in ("title", "summary", "audience", "objectives")):
            self._add(path, 1, "course", "", table, lambda: self._texts(
                path, 1, "course", "", table, ("title", "summary", "audience", "objectives")))
        modules = self._tables(path, table, "modules")
        for index, raw in enumerate(modules):
            line = where.table("modules", index)
            slug = str(raw.get("slug", ""))
            if not slug:
                self.out.add(path, line, "a translated module needs the module's slug")
                continue
            self._add(path, line, "module", slug, raw, lambda raw=raw, line=line, slug=slug:
                      self._texts(path, line, "module", slug, raw, ("title",)))

    def _tables(self, path: Path, table: dict[str, Any], name: str) -> list[dict[str, Any]]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.out.add(path, 1, f"{name} must be [[{name}]] tables")
            return []
        return value

    def _page(self, path: Path, kind: str, key: str) -> None:
        text = read_text(path, self.out)
        if text is None:
            return
        match = HEADER.match(text)
        if match is None:
            self.out.add(path, 1, "a translated page starts with a +++ header +++ that "
                         "records its source hash")
            return
        header = read_toml(path, match.group(1), self.out, first_line=2)
        if header is None:
            return
        field = "text" if kind == "references" else "body"
        allowed = ("text",) if kind == "references" else ("title", "content_note", "body")
        table = {**header, field: match.group(2)}
        self._add(path, 1, kind, key, header,
                  lambda: self._texts(path, 1, kind, key, table, allowed))

    def _questions_file(self, path: Path, *, quiz: bool) -> None:
        if (loaded := read_toml_file(path, self.out)) is None:
            return
        table, where = loaded
        if quiz and "title" in table:
            self._add(path, 1, "quiz", path.stem, table,
                      lambda: self._texts(path, 1, "quiz", path.stem, table, ("title",)))
        for index, raw in enumerate(self._tables(path, table, "questions")):
            line = where.table("questions", index)
            key = str(raw.get("key", ""))
            if not key:
                self.out.add(path, line, "a translated question needs the question's key")
                continue
            self._add(path, line, "question", key, raw,
                      lambda raw=raw, line=line, key=key: self._question(path, line, key, raw))

    def _question(self, path: Path, line: int, key: str,
                  raw: dict[str, Any]) -> dict[str, Any] | None:
        source = self.questions[key]
        problems: list[str] = []
        merged = overlay_question(source.raw, raw, f"question {key}", problems)
        if not problems:
            problems = [message for _field, message in question_problems(
                merged, topic_required=key in self.banked)]
        for problem in problems:
            self.out.add(path, line, problem)
        if problems:
            return None
        qtype = merged["type"]
        return {"prompt": str(merged["prompt"]).strip(),
                "explanation": str(merged.get("explanation", "")).strip(),
                "spec": REGISTRY[qtype].build_spec(merged)}


def load_translations(folder: Path, course: CourseSpec, out: Collector
                      ) -> tuple[TranslationSpec, ...]:
    """Every translation under folder/i18n/, each checked against the course."""
    root = folder / I18N
    if not root.is_dir():
        return ()
    found: list[TranslationSpec] = []
    for language in sorted(p for p in root.iterdir()):
        if not language.is_dir() or language.name not in LANGUAGES:
            out.add(language, 1, f"i18n/{language.name}: not a language of the platform "
                    f"({', '.join(sorted(LANGUAGES))})")
        elif language.name == course.language:
            out.add(language, 1, f"i18n/{language.name} is the course's own language")
        else:
            found.extend(_Language(language, course, out).load())
    return tuple(found)

