"""Read and validate course folders into specs, without touching the database.

Every problem becomes a LoadError with the file and line to fix; a course with
any error produces no spec.
"""
from __future__ import annotations

import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from lms.assessment.types import REGISTRY
from lms.content.specs import CourseSpec, LessonSpec, LoadError, ModuleSpec, QuestionSpec, QuizSpec
from lms.content.toml_lines import TomlLines, syntax_error_line

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_LESSON_BYTES = 512 * 1024


class _Collector:
    """Gathers errors with paths relative to the working directory, as editors want them."""

    def __init__(self) -> None:
        self.errors: list[LoadError] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.errors.append(LoadError(os.path.relpath(path), line, message))


def _read_toml(path: Path, text: str, out: _Collector, first_line: int = 1) -> dict | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = syntax_error_line(str(exc))
        out.add(path, line + first_line - 1, f"invalid TOML: {message}")
        return None


def _text(data: dict, key: str) -> str:
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _load_lesson(path: Path, out: _Collector) -> LessonSpec | None:
    if path.stat().st_size > MAX_LESSON_BYTES:
        out.add(path, 1, f"lesson is larger than {MAX_LESSON_BYTES // 1024} KiB")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        out.add(path, 1, "lesson is not UTF-8 text")
        return None
    match = re.match(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*\n?(.*)\Z", text, re.S)
    if match is None:
        out.add(path, 1, "lesson must start with a +++ TOML header +++ block")
        return None
    header = _read_toml(path, match.group(1), out, first_line=2)
    if header is None:
        return None
    where = TomlLines(match.group(1), first_line=2)
    title = _text(header, "title")
    if not title:
        out.add(path, where.key("title"), "lesson has no title")
    minutes = header.get("minutes", 0)
    if not isinstance(minutes, int) or not 0 <= minutes <= 600:
        out.add(path, where.key("minutes"), "minutes must be a whole number from 0 to 600")
        minutes = 0
    note = header.get("content_note")
    if note is not None and not (isinstance(note, str) and note.strip()):
        out.add(path, where.key("content_note"), "content_note must be non-empty text")
    body = match.group(2).strip()
    if not body:
        out.add(path, where.key("title") + 1, "lesson has no text")
    if not title or not body:
        return None
    return LessonSpec(path.stem, title, minutes, note.strip() if note else None, body)


def _load_question(raw: Any, index: int, path: Path, where: TomlLines,
                   out: _Collector) -> QuestionSpec | None:
    line = where.table("questions", index)
    if not isinstance(raw, dict):
        out.add(path, line, "question must be a table")
        return None
    key = _text(raw, "key")
    qtype = _text(raw, "type")
    problems: list[tuple[str, str]] = []
    if not key or not SLUG_RE.match(key):
        problems.append(("key", "question key must be lower-case letters, digits and hyphens"))
    if not _text(raw, "prompt"):
        problems.append(("prompt", f"question {key or index + 1} has no prompt"))
    if qtype not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        problems.append(("type", f"unknown question type '{qtype}' (known: {known})"))
    else:
        for problem in REGISTRY[qtype].validate(raw):
            problems.append(("options" if "option" in problem else "answer",
                             f"question {key}: {problem}"))
    refs = raw.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        problems.append(("references", "references must be a list of strings"))
    for field, message in problems:
        out.add(path, where.key(field, "questions", index) if field != "options"
                else where.table("questions", index), message)
    if problems:
        return None
    return QuestionSpec(key, qtype, _text(raw, "topic"), _text(raw, "prompt"),
                        _text(raw, "explanation"), tuple(refs),
                        REGISTRY[qtype].build_spec(raw))


def _load_quiz(path: Path, out: _Collector) -> QuizSpec | None:
    text = path.read_text(encoding="utf-8")
    data = _read_toml(path, text, out)
    if data is None:
        return None
    where = TomlLines(text)
    before = len(out.errors)
    kind = data.get("kind", "final")
    if kind not in ("pre", "final"):
        out.add(path, where.key("kind"), "kind must be 'pre' or 'final'")
    pass_mark = data.get("pass_mark")
    if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
        out.add(path, where.key("pass_mark"), "pass_mark must be a whole number from 1 to 100")
    attempts = data.get("attempts_allowed", 0)
    if not isinstance(attempts, int) or attempts < 0:
        out.add(path, where.key("attempts_allowed"), "attempts_allowed must be 0 or more")
    limit = data.get("time_limit_minutes", 0)
    if not isinstance(limit, int) or limit < 0:
        out.add(path, where.key("time_limit_minutes"), "time_limit_minutes must be 0 or more")
    raw_questions = data.get("questions", [])
    if not isinstance(raw_questions, list) or not raw_questions:
        out.add(path, 1, "quiz has no questions")
        raw_questions = []
    questions = [_load_question(raw, i, path, where, out) for i, raw in enumerate(raw_questions)]
    if len(out.errors) > before:
        return None
    return QuizSpec(path.stem, _text(data, "title") or path.stem, kind, pass_mark, attempts,
                    limit, tuple(q for q in questions if q is not None))


def _load_modules(course_toml: Path, data: dict, where: TomlLines, folder: Path,
                  out: _Collector) -> list[ModuleSpec]:
    modules: list[ModuleSpec] = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    raw_modules = data.get("modules", [])
    if not isinstance(raw_modules, list) or not raw_modules:
        out.add(course_toml, 1, "course has no [[modules]]")
        return modules
    for index, raw in enumerate(raw_modules):
        slug = _text(raw, "slug")
        line = where.table("modules", index)
        if not SLUG_RE.match(slug):
            out.add(course_toml, where.key("slug", "modules", index),
                    "module slug must be lower-case letters, digits and hyphens")
        elif slug in seen_modules:
            out.add(course_toml, where.key("slug", "modules", index),
                    f"duplicate module slug '{slug}'")
        seen_modules.add(slug)
        if not _text(raw, "title"):
            out.add(course_toml, line, f"module {slug} has no title")
        lessons = []
        for lesson_slug in raw.get("lessons", []):
            lesson_line = where.key("lessons", "modules", index, containing=f'"{lesson_slug}"')
            if lesson_slug in seen_lessons:
                out.add(course_toml, lesson_line, f"duplicate lesson slug '{lesson_slug}'")
                continue
            seen_lessons.add(lesson_slug)
            path = folder / "lessons" / f"{lesson_slug}.md"
            if not SLUG_RE.match(str(lesson_slug)) or not path.is_file():
                out.add(course_toml, lesson_line,
                        f"missing lesson file lessons/{lesson_slug}.md")
                continue
            lesson = _load_lesson(path, out)
            if lesson is not None:
                lessons.append(lesson)
        modules.append(ModuleSpec(slug, _text(raw, "title"), tuple(lessons)))
    for path in sorted((folder / "lessons").glob("*.md")):
        if path.stem not in seen_lessons:
            out.add(path, 1, "lesson file is not listed in any module of course.toml")
    return modules


def load_course(folder: Path, out: _Collector) -> CourseSpec | None:
    course_toml = folder / "course.toml"
    if not course_toml.is_file():
        out.add(course_toml, 1, "missing course.toml")
        return None
    text = course_toml.read_text(encoding="utf-8")
    data = _read_toml(course_toml, text, out)
    if data is None:
        return None
    where = TomlLines(text)
    before = len(out.errors)
    slug = _text(data, "slug") or folder.name
    if not SLUG_RE.match(slug):
        out.add(course_toml, where.key("slug"), f"course slug '{slug}' must be lower-case "
                "letters, digits and hyphens")
    for key in ("title", "summary"):
        if not _text(data, key):
            out.add(course_toml, where.key(key), f"course has no {key}")
    hours = data.get("cpd_hours")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 100:
        out.add(course_toml, where.key("cpd_hours"), "cpd_hours must be a number from 0 to 100")
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        out.add(course_toml, where.key("objectives"), "objectives must be a list of text")
        objectives = []
    modules = _load_modules(course_toml, data, where, folder, out)
    quizzes = [_load_quiz(p, out) for p in sorted((folder / "quizzes").glob("*.toml"))]
    seen_keys: set[str] = set()
    for quiz in (q for q in quizzes if q is not None):
        path = folder / "quizzes" / f"{quiz.key}.toml"
        for index, question in enumerate(quiz.questions):
            if question.key in seen_keys:
                out.add(path, TomlLines(path.read_text()).key("key", "questions", index),
                        f"duplicate question key '{question.key}' in this course")
            seen_keys.add(question.key)
    if len(out.errors) > before:
        return None
    return CourseSpec(slug, _text(data, "title"), _text(data, "summary"),
                      _text(data, "audience"), tuple(objectives),
                      _text(data, "language") or "en", float(hours), tuple(modules),
                      tuple(q for q in quizzes if q is not None), _content_hash(folder))


def load_courses(path: Path) -> tuple[list[CourseSpec], list[LoadError]]:
    """Load one course folder, or every course folder under `path`."""
    path = path.resolve()
    folders = [path] if (path / "course.toml").exists() else sorted(
        p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    out = _Collector()
    courses: list[CourseSpec] = []
    seen: dict[str, Path] = {}
    for folder in folders:
        course = load_course(folder, out)
        if course is None:
            continue
        if course.slug in seen:
            out.add(folder / "course.toml", 1,
                    f"duplicate course slug '{course.slug}' (also in {seen[course.slug].name})")
            continue
        seen[course.slug] = folder
        courses.append(course)
    return courses, out.errors
