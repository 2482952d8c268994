"""What a course translation is made of: the items, the source each is hashed from,
and how a translated question is laid over its source.

An item is what a translator translates in one go: the course text, a module title,
a lesson, a quiz title, a question (with its options, pairs, parts and feedback), the
references page, a glossary term. Each translated item records the hash of the source
it was made from; when the source changes, the hashes differ and the translation is
stale: instructors are told, learners see the source until it is brought up to date.

A translation changes words only. Keys, types, the correct options and numeric
answers stay the source's, so attempts in every language are graded, analysed and
certified as one.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from lms.content.specs import CourseSpec, LessonSpec, ModuleSpec, QuestionSpec, TermSpec
from lms.content.study_time import all_questions

HASH_LENGTH = 16
# Texts a learner reads in a question table, at any depth (options, pairs, parts).
QUESTION_TEXTS = frozenset({"prompt", "explanation", "vignette", "text", "feedback",
                            "feedback_true", "feedback_false", "left", "right", "unit"})
# Accepted typed answers: words of a language, so a translation may give its own.
OPTIONAL_TEXTS = frozenset({"answers", "unit"})
KEYED_LISTS = ("options", "pairs", "items", "parts")
KINDS = ("course", "module", "lesson", "quiz", "question", "references", "term")


def _stripped(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: _stripped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stripped(v) for v in value]
    return value


def source_hash(source: dict[str, Any]) -> str:
    """The hash a translation records: of the source's meaning, not its layout (keys in
    any order, surrounding spaces), so re-saving a file in the studio stales nothing."""
    text = json.dumps(_stripped(source), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]


def course_source(course: CourseSpec) -> dict[str, Any]:
    fields = {"title": course.title, "summary": course.summary, "audience": course.audience,
              "objectives": list(course.objectives)}
    return {k: v for k, v in fields.items() if v}


def module_source(module: ModuleSpec) -> dict[str, Any]:
    return {"title": module.title}


def lesson_source(lesson: LessonSpec) -> dict[str, Any]:
    fields = {"title": lesson.title, "content_note": lesson.content_note, "body": lesson.body}
    return {k: v for k, v in fields.items() if v}


def question_source(question: QuestionSpec) -> dict[str, Any]:
    """The whole question but its topic and references: a changed option, key or
    answer makes every translation of it stale, not only a changed word."""
    return {k: v for k, v in question.raw.items() if k not in ("topic", "references")}


def term_source(term: TermSpec) -> dict[str, Any]:
    return {"term": term.term, "definition": term.definition}


def course_items(course: CourseSpec) -> dict[tuple[str, str], dict[str, Any]]:
    """Every translatable item of a course → its source, in the order learners meet them."""
    items: dict[tuple[str, str], dict[str, Any]] = {("course", ""): course_source(course)}
    for module in course.modules:
        items[("module", module.slug)] = module_source(module)
        for lesson in module.lessons:
            items[("lesson", lesson.slug)] = lesson_source(lesson)
    for quiz in course.quizzes:
        items[("quiz", quiz.key)] = {"title": quiz.title}
    for question in all_questions(course):
        items[("question", question.key)] = question_source(question)
    if course.references.strip():
        items[("references", "")] = {"text": course.references}
    return items


def item_file(course: CourseSpec, kind: str, key: str) -> str:
    """The file under i18n/<lang>/ that holds an item's translation."""
    if kind in ("course", "module"):
        return "course.toml"
    if kind == "lesson":
        return f"lessons/{key}.md"
    if kind == "quiz":
        return f"quizzes/{key}.toml"
    if kind == "references":
        return "references.md"
    for quiz in course.quizzes:
        if any(q.key == key for q in quiz.questions):
            return f"quizzes/{quiz.key}.toml"
    bank = next(b for b in course.banks if any(q.key == key for q in b.questions))
    return f"banks/{bank.name}.toml"


def overlay_question(source: dict[str, Any], translated: dict[str, Any], where: str,
                     problems: list[str]) -> dict[str, Any]:
    """The source question table with the translated texts in place; `problems` gets
    every text left untranslated and every attempt to change more than words."""
    merged = dict(source)
    for name, value in translated.items():
        if name in ("key", "source"):
            continue
        if name in OPTIONAL_TEXTS and value in ("", []):
            continue  # left empty: the source's unit or accepted answers stay
        if name in KEYED_LISTS:
            merged[name] = _overlay_list(source.get(name), value, name, where, problems)
        elif name == "answers":
            if not (isinstance(value, list) and value
                    and all(isinstance(a, str) and a.strip() for a in value)):
                problems.append(f"{where}: answers must be a list of accepted answers")
            merged[name] = value
        elif name in QUESTION_TEXTS:
            if not isinstance(value, str):
                problems.append(f"{where}: {name} must be text")
            merged[name] = value
        else:
            problems.append(f"{where}: '{name}' cannot be translated: it belongs to the "
                            "question's key, the same in every language")
    for name in sorted(QUESTION_TEXTS - OPTIONAL_TEXTS):
        wanted = source.get(name)
        given = translated.get(name)
        if isinstance(wanted, str) and wanted.strip() and not (
                isinstance(given, str) and given.strip()):
            problems.append(f"{where}: {name} is not translated")
    for name in KEYED_LISTS:
        if isinstance(source.get(name), list) and name not in translated:
            merged[name] = _overlay_list(source[name], [], name, where, problems)
    return merged


def _overlay_list(source: Any, value: Any, name: str, where: str,
                  problems: list[str]) -> Any:
    if not isinstance(source, list):
        problems.append(f"{where}: the source question has no {name}")
        return source
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(f"{where}: {name} must be tables with the source's keys")
        return source
    by_key = {str(v.get("key")): v for v in value}
    known = {str(item.get("key")) for item in source if isinstance(item, dict)}
    for unknown in sorted(set(by_key) - known):
        problems.append(f"{where}: {name} '{unknown}' is not in the source question")
    return [overlay_question(item, by_key.get(str(item.get("key")), {}),
                             f"{where} {name} '{item.get('key')}'", problems)
            if isinstance(item, dict) else item for item in source]


@dataclass
class Coverage:
    """One language's share of a course: items translated and current, stale, missing."""

    total: int = 0
    current: int = 0
    stale: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    orphans: list[tuple[str, str]] = field(default_factory=list)  # source removed
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [current, total]

    @property
    def percent(self) -> float:
        return 100.0 * self.current / self.total if self.total else 0.0


def coverage(course: CourseSpec) -> dict[str, Coverage]:
    """Per language the course has translations in: what is current, stale, missing."""
    items = course_items(course)
    result: dict[str, Coverage] = {}
    found = {(t.locale, t.kind, t.key): t for t in course.translations}
    for locale in sorted({t.locale for t in course.translations}):
        cover = result[locale] = Coverage(total=len(items))
        for kind, key in items:
            counts = cover.by_kind.setdefault(kind, [0, 0])
            counts[1] += 1
            translation = found.get((locale, kind, key))
            if translation is None:
                cover.missing.append((kind, key))
            elif not translation.current:
                cover.stale.append((kind, key))
            else:
                cover.current += 1
                counts[0] += 1
        cover.orphans = sorted((t.kind, t.key) for t in course.translations
                               if t.locale == locale and (t.kind, t.key) not in items)
    return result
