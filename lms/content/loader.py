"""Read and validate course folders into specs, without touching the database.

Every problem becomes a LoadError with the file and line to fix; a course with
any error produces no spec.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

from lms.content.certificate_settings import check_renewals, load_certificate_settings
from lms.content.limits import check_length
from lms.content.quiz_loader import load_assessments
from lms.content.reading import (
    SLUG_RE,
    Collector,
    read_text,
    read_toml,
    read_toml_file,
    text_of,
)
from lms.content.shared_loader import SHARED, load_shared
from lms.content.specs import CourseSpec, LessonSpec, LoadError, ModuleSpec, SharedSpec
from lms.content.surveys import load_feedback
from lms.content.toml_lines import TomlLines
from lms.content.translation_files import load_translations

MAX_LESSON_BYTES = 512 * 1024


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _load_lesson(path: Path, out: Collector) -> LessonSpec | None:
    if path.stat().st_size > MAX_LESSON_BYTES:
        out.add(path, 1, f"lesson is larger than {MAX_LESSON_BYTES // 1024} KiB")
        return None
    text = read_text(path, out)
    if text is None:
        return None
    match = re.match(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*\n?(.*)\Z", text, re.S)
    if match is None:
        out.add(path, 1, "lesson must start with a +++ TOML header +++ block")
        return None
    header = read_toml(path, match.group(1), out, first_line=2)
    if header is None:
        return None
    where = TomlLines(match.group(1), first_line=2)
    title = text_of(header, "title")
    if not title:
        out.add(path, where.key("title"), "lesson has no title")
    elif not check_length(out, path, where.key("title"), "lesson title", title):
        return None
    if not check_length(out, path, 1, "lesson slug (its file name)", path.stem):
        return None
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


def _load_modules(course_toml: Path, data: dict, where: TomlLines, folder: Path,
                  out: Collector) -> list[ModuleSpec]:
    modules: list[ModuleSpec] = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    raw_modules = data.get("modules", [])
    if not isinstance(raw_modules, list) or not raw_modules:
        out.add(course_toml, 1, "course has no [[modules]]")
        return modules
    for index, raw in enumerate(raw_modules):
        slug = text_of(raw, "slug")
        line = where.table("modules", index)
        if not SLUG_RE.match(slug):
            out.add(course_toml, where.key("slug", "modules", index),
                    "module slug must be lower-case letters, digits and hyphens")
        elif slug in seen_modules:
            out.add(course_toml, where.key("slug", "modules", index),
                    f"duplicate module slug '{slug}'")
        seen_modules.add(slug)
        check_length(out, course_toml, where.key("slug", "modules", index), "module slug", slug)
        if not text_of(raw, "title"):
            out.add(course_toml, line, f"module {slug} has no title")
        check_length(out, course_toml, where.key("title", "modules", index), "module title",
                     text_of(raw, "title"))
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
        modules.append(ModuleSpec(slug, text_of(raw, "title"), tuple(lessons)))
    for path in sorted((folder / "lessons").glob("*.md")):
        if path.stem not in seen_lessons:
            out.add(path, 1, "lesson file is not listed in any module of course.toml")
    return modules


def load_course(folder: Path, out: Collector) -> CourseSpec | None:
    course_toml = folder / "course.toml"
    if not course_toml.is_file():
        out.add(course_toml, 1, "missing course.toml")
        return None
    if (loaded := read_toml_file(course_toml, out)) is None:
        return None
    data, where = loaded
    before = len(out.errors)
    slug = text_of(data, "slug") or folder.name
    if not SLUG_RE.match(slug):
        out.add(course_toml, where.key("slug"), f"course slug '{slug}' must be lower-case "
                "letters, digits and hyphens")
    for key in ("title", "summary"):
        if not text_of(data, key):
            out.add(course_toml, where.key(key), f"course has no {key}")
    check_length(out, course_toml, where.key("slug"), "course slug", slug)
    check_length(out, course_toml, where.key("title"), "course title", text_of(data, "title"))
    check_length(out, course_toml, where.key("language"), "language",
                 text_of(data, "language"))
    hours = data.get("cpd_hours")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 100:
        out.add(course_toml, where.key("cpd_hours"), "cpd_hours must be a number from 0 to 100")
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        out.add(course_toml, where.key("objectives"), "objectives must be a list of text")
        objectives = []
    feedback = load_feedback(course_toml, data, where, out)
    certificate = load_certificate_settings(course_toml, data, where, out)
    modules = _load_modules(course_toml, data, where, folder, out)
    banks, quizzes = load_assessments(folder, out)
    references = folder / "references.md"
    references_text = (read_text(references, out) or "") if references.is_file() else ""
    if len(out.errors) > before:
        return None
    spec = CourseSpec(slug, text_of(data, "title"), text_of(data, "summary"),
                      text_of(data, "audience"), tuple(objectives),
                      text_of(data, "language") or "en", float(hours), tuple(modules),
                      tuple(quizzes), _content_hash(folder), tuple(banks), references_text,
                      str(folder), feedback, certificate)
    translations = load_translations(folder, spec, out)
    if len(out.errors) > before:
        return None
    return replace(spec, translations=translations)


LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
SITE_PAGES = {"/", "/glossary", "/support", "/courses", "/dashboard"}


def link_problem(target: str, courses: dict[str, CourseSpec],
                  terms: set[str] | None) -> str | None:
    """Why an internal link would not resolve (external links are not checked)."""
    if re.match(r"^(https?:|mailto:)", target):
        return None
    if target.startswith(("media/", "/media/")):
        return ("images are stored by the studio: `courses sync` does not load them; "
                "import this course into the studio to keep its images")
    path, _hash, anchor = target.partition("#")
    if path == "/glossary" and anchor:
        return None if terms is None or anchor in terms else f"no glossary term '{anchor}'"
    if path in SITE_PAGES and not anchor:
        return None
    match = re.fullmatch(r"/courses/([a-z0-9-]+)(?:/(references|lessons/([a-z0-9-]+)))?/?", path)
    if match is None:
        return f"link to an unknown page '{target}'"
    other = courses.get(match.group(1))
    if other is None:
        return f"link to an unknown course '{match.group(1)}'"
    if match.group(2) == "references" and not other.references:
        return f"course {other.slug} has no references page"
    lessons = {lesson.slug for m in other.modules for lesson in m.lessons}
    if match.group(3) and match.group(3) not in lessons:
        return f"no lesson '{match.group(3)}' in {other.slug}"
    return None


def _check_links(folders: dict[str, Path], courses: list[CourseSpec],
                 shared: SharedSpec | None, shared_folder: Path, out: Collector) -> None:
    """Internal links in lessons, references pages and the shared pages must resolve."""
    by_slug = {c.slug: c for c in courses}
    terms = {t.slug for t in shared.terms} if shared else None
    documents = [folders[course.slug] / "lessons" / f"{lesson.slug}.md"
                 for course in courses for module in course.modules
                 for lesson in module.lessons]
    documents += [folders[course.slug] / "references.md" for course in courses]
    documents += [page for course in courses
                  for page in sorted((folders[course.slug] / "i18n").glob("*/**/*.md"))]
    documents += sorted(shared_folder.glob("*.md")) if shared is not None else []
    for path in (d for d in documents if d.is_file()):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for target in LINK.findall(line):
                if (problem := link_problem(target, by_slug, terms)) is not None:
                    out.add(path, number, problem)


def load_catalogue(path: Path) -> tuple[list[CourseSpec], SharedSpec | None, list[LoadError]]:
    """Load one course folder, or every course folder and _shared/ under `path`."""
    path = path.resolve()
    single = (path / "course.toml").exists()
    folders = [path] if single else sorted(
        p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    out = Collector()
    root = path.parent if single else path
    shared = load_shared(root, out)
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
    _check_links(seen, courses, shared, root / SHARED, out)
    if not single:
        check_renewals(courses, seen, out)
    return courses, shared, out.errors


def load_courses(path: Path) -> tuple[list[CourseSpec], list[LoadError]]:
    """Course specs only (see load_catalogue for the shared glossary and pages too)."""
    courses, _shared, errors = load_catalogue(path)
    return courses, errors
