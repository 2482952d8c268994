"""Publish course specs to the database: match by slug/key, archive what disappeared.

The one publisher for both editors: `courses sync` brings file courses here, the
studio's publish brings its drafts. Nothing is ever deleted, because attempts and
certificates point at it. A course whose content hash is unchanged is skipped, so a
second sync is a no-op. A question that learners have answered becomes a new version
when its content changes.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lms.assessment.item_stats import ItemStat
from lms.assessment.models import Answer, Attempt, Question, Quiz
from lms.catalog.models import (
    ContentTranslation,
    Course,
    GlossaryTerm,
    Lesson,
    Module,
    SitePage,
)
from lms.content import versions
from lms.content.course_files import files_of_folder
from lms.content.specs import CourseSpec, SharedSpec, TranslationSpec
from lms.core.db import db, utcnow
from lms.core.markdown import render_markdown
from lms.core.page_cache import changed as pages_changed


class SyncError(Exception):
    """The database refused a course: `path:line: message`, with the transaction to be
    rolled back by the caller (nothing of the sync remains)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}:1: {message}")


def _refused(error: sa.exc.SQLAlchemyError) -> str:
    # The driver's first line says what was refused; the SQL and parameters are noise.
    original = getattr(error, "orig", None) or error
    return "the database refused it: " + str(original).strip().splitlines()[0]


@dataclass
class SyncReport:
    changes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.changes.append(message)


def _assign(obj: Any, **values: Any) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert(existing: dict[str, Any], match: str, model: type, values: dict[str, Any],
            label: str, report: SyncReport, **identity: Any) -> Any:
    """Update the row matched by `match` (its slug or key), or create it; note changes."""
    row = existing.get(match)
    if row is None:
        row = existing[match] = model(**identity, **values)
        db.session.add(row)
        db.session.flush()  # children need its id
        report.note(f"created {label}")
    elif _assign(row, **values):
        report.note(f"updated {label}")
    return row


def _archive(items: Iterable[Any], keep: set[str], attr: str, label: str,
             report: SyncReport) -> None:
    now = utcnow()
    for item in items:
        if getattr(item, attr) not in keep and item.archived_at is None:
            item.archived_at = now
            report.note(f"archived {label} {getattr(item, attr)}")


def _sync_lessons(course: Course, spec: CourseSpec, report: SyncReport) -> None:
    modules = {m.slug: m for m in db.session.scalars(
        sa.select(Module).where(Module.course_id == course.id))}
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(
        sa.select(Lesson).join(Module).where(Module.course_id == course.id))}
    for position, module_spec in enumerate(spec.modules, start=1):
        module = _upsert(modules, module_spec.slug, Module,
                         dict(position=position, title=module_spec.title, archived_at=None),
                         f"module {spec.slug}/{module_spec.slug}", report,
                         course_id=course.id, slug=module_spec.slug)
        for lesson_position, lesson_spec in enumerate(module_spec.lessons, start=1):
            _upsert(lessons, lesson_spec.slug, Lesson, dict(
                module_id=module.id, position=lesson_position, title=lesson_spec.title,
                minutes=lesson_spec.minutes, body_markdown=lesson_spec.body,
                body_html=render_markdown(lesson_spec.body),
                content_note=lesson_spec.content_note, archived_at=None),
                f"lesson {spec.slug}/{lesson_spec.slug}", report, slug=lesson_spec.slug)
    _archive(modules.values(), {m.slug for m in spec.modules}, "slug", "module", report)
    _archive(lessons.values(), {ls.slug for m in spec.modules for ls in m.lessons}, "slug",
             "lesson", report)


def _sync_questions(course: Course, spec: CourseSpec, quiz_ids: dict[str, int],
                    report: SyncReport) -> None:
    """Fixed quiz questions and bank questions, matched by key across the course."""
    questions = {q.key: q for q in db.session.scalars(
        sa.select(Question).where(Question.course_id == course.id))}
    owners = [(dict(quiz_id=quiz_ids[q.key], bank=None), q.questions) for q in spec.quizzes]
    owners += [(dict(quiz_id=None, bank=b.name), b.questions) for b in spec.banks]
    keep = set()
    answered = _answered(course.id, [q.id for q in questions.values()])
    for owner, question_specs in owners:
        for position, question_spec in enumerate(question_specs, start=1):
            keep.add(question_spec.key)
            content = dict(type=question_spec.type, prompt=question_spec.prompt,
                           spec=question_spec.spec, explanation=question_spec.explanation,
                           references=list(question_spec.references))
            row = questions.get(question_spec.key)
            version = row.version if row is not None else 1
            if row is not None and row.id in answered and not all(
                    _same(getattr(row, name), value) for name, value in content.items()):
                version += 1  # learners answered the old wording: this is a new version
                report.note(f"question {spec.slug}/{question_spec.key} is now version "
                            f"{version}")
            _upsert(questions, question_spec.key, Question, dict(
                topic=question_spec.topic, position=position, version=version,
                archived_at=None, **content, **owner),
                f"question {spec.slug}/{question_spec.key}", report,
                course_id=course.id, key=question_spec.key)
    _archive(questions.values(), keep, "key", "question", report)


def _answered(course_id: int, question_ids: Iterable[int]) -> set[int]:
    """The questions learners have seen: graded, answered, or drawn into an attempt
    still open (its snapshot holds the wording it showed)."""
    ids = list(question_ids)
    if not ids:
        return set()
    graded = sa.select(ItemStat.question_id).where(ItemStat.question_id.in_(ids))
    saved = sa.select(Answer.question_id).where(Answer.question_id.in_(ids))
    seen = set(db.session.scalars(sa.union(graded, saved)))
    for draw in db.session.scalars(sa.select(Attempt.draw).join(Quiz).where(
            Quiz.course_id == course_id, Attempt.status == "open")):
        seen.update(q for q in draw.get("questions", []) if q in ids)
    return seen


def _same(a: Any, b: Any) -> bool:
    """Equal but for surrounding whitespace (an editor that trims a trailing newline has
    not made a new version of a question)."""
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _sync_quizzes(course: Course, spec: CourseSpec, report: SyncReport) -> None:
    quizzes = {q.key: q for q in db.session.scalars(
        sa.select(Quiz).where(Quiz.course_id == course.id))}
    for quiz_spec in spec.quizzes:
        _upsert(quizzes, quiz_spec.key, Quiz, dict(
            title=quiz_spec.title, kind=quiz_spec.kind, pass_mark=quiz_spec.pass_mark,
            attempts_allowed=quiz_spec.attempts_allowed,
            time_limit_minutes=quiz_spec.time_limit_minutes,
            cooldown_minutes=quiz_spec.cooldown_minutes,
            available_from=quiz_spec.available_from, available_until=quiz_spec.available_until,
            show_answers=quiz_spec.show_answers,
            questions_per_page=quiz_spec.questions_per_page,
            settings={"draw": [{"topic": r.topic, "count": r.count} for r in quiz_spec.draw]},
            archived_at=None), f"quiz {spec.slug}/{quiz_spec.key}", report,
            course_id=course.id, key=quiz_spec.key)
    _archive(quizzes.values(), {q.key for q in spec.quizzes}, "key", "quiz", report)
    db.session.flush()
    _sync_questions(course, spec, {k: q.id for k, q in quizzes.items()}, report)


def _without_title(markdown: str) -> str:
    """The page prints its own title (its one h1); a leading '# References' would repeat it."""
    return re.sub(r"\A\s*#[ \t]+[^\n]*\n", "", markdown)


def sync_course(spec: CourseSpec, report: SyncReport) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == spec.slug))
    values = dict(title=spec.title, summary=spec.summary, audience=spec.audience,
                  objectives=list(spec.objectives), language=spec.language,
                  cpd_hours=spec.cpd_hours, feedback=dict(spec.feedback),
                  certificate=dict(spec.certificate),
                  references_html=render_markdown(_without_title(spec.references))
                  if spec.references else "")
    if course is None:
        course = Course(slug=spec.slug, content_hash=spec.content_hash, version=1, **values)
        db.session.add(course)
        db.session.flush()
        report.note(f"created course {spec.slug} (version 1)")
    elif course.content_hash == spec.content_hash and course.archived_at is None:
        return course
    else:
        _assign(course, content_hash=spec.content_hash, archived_at=None,
                updated_at=utcnow(), **values)
        course.version += 1
        report.note(f"updated course {spec.slug} (version {course.version})")
    _sync_lessons(course, spec, report)
    _sync_quizzes(course, spec, report)
    _sync_translations(course.id, spec.translations, report)
    db.session.flush()
    return course


def _stored(translation: TranslationSpec) -> dict[str, Any]:
    """What a page needs of a translation: Markdown is sanitised here, once, as the
    source's is."""
    data = dict(translation.data)
    if translation.kind == "lesson" and "body" in data:
        data["body_html"] = render_markdown(data.pop("body"))
    elif translation.kind == "references" and "text" in data:
        data["html"] = render_markdown(_without_title(data.pop("text")))
    return data


def _sync_translations(course_id: int | None, translations: Iterable[TranslationSpec],
                       report: SyncReport) -> None:
    """Replace the stored translations of a course (None: the glossary's) with these.
    Only published content is translated, so nothing else points at the rows."""
    owner = (ContentTranslation.course_id.is_(None) if course_id is None
             else ContentTranslation.course_id == course_id)
    rows = [dict(course_id=course_id, locale=t.locale, kind=t.kind, key=t.key,
                 source_hash=t.source_hash, current=t.current, data=_stored(t))
            for t in translations]
    columns = ("locale", "kind", "key", "source_hash", "current", "data")
    held = db.session.execute(sa.select(*(getattr(ContentTranslation, c) for c in columns))
                              .where(owner)).all()
    if sorted(map(tuple, held), key=repr) == sorted(
            (tuple(r[c] for c in columns) for r in rows), key=repr):
        return  # a second sync changes nothing
    db.session.execute(sa.delete(ContentTranslation).where(owner))
    if rows:
        db.session.execute(sa.insert(ContentTranslation), rows)
    stale = sum(not r["current"] for r in rows)
    if rows:
        report.note(f"{len(rows)} translated items ({stale} stale) in "
                    f"{', '.join(sorted({r['locale'] for r in rows}))}")


def sync_courses(specs: list[CourseSpec], *, archive_missing: bool = True,
                 shared: SharedSpec | None = None) -> SyncReport:
    """Bring the database in line with the specs; the caller commits once."""
    report = SyncReport()
    if shared is not None:
        try:
            sync_shared(shared, report)
        except sa.exc.SQLAlchemyError as error:
            raise SyncError("courses/_shared", _refused(error)) from error
    studio = set(db.session.scalars(sa.select(Course.slug).where(Course.source == "studio")))
    for spec in specs:
        if spec.slug in studio:
            report.note(f"kept course {spec.slug}: it is edited in the studio, so "
                        f"{spec.folder or spec.slug} is not loaded")
            continue
        try:
            course = sync_course(spec, report)
            _keep_version(course, spec)
        except sa.exc.SQLAlchemyError as error:
            path = os.path.relpath(os.path.join(spec.folder or spec.slug, "course.toml"))
            raise SyncError(path, _refused(error)) from error
    if archive_missing:  # only courses that come from files: the studio's are its own
        _archive(db.session.scalars(sa.select(Course).where(Course.source == "files")),
                 {s.slug for s in specs}, "slug", "course", report)
    db.session.flush()
    pages_changed()  # the catalogue, outlines, glossary and pages as published
    return report


def _keep_version(course: Course, spec: CourseSpec) -> None:
    """The files of the version just loaded, as the studio keeps its own (so a file
    course's versions can be compared, exported or taken over by the studio)."""
    if not spec.folder or versions.get_version(course.id, course.version) is not None:
        return
    versions.record_version(course.id, course.version, files_of_folder(Path(spec.folder)),
                            spec.content_hash, note="courses sync", actor_id=None)


def sync_shared(shared: SharedSpec, report: SyncReport) -> None:
    """The glossary (matched by slug, archived when removed) and the shared pages."""
    terms = {t.slug: t for t in db.session.scalars(sa.select(GlossaryTerm))}
    for spec in shared.terms:
        _upsert(terms, spec.slug, GlossaryTerm, dict(
            term=spec.term, definition=spec.definition, references=list(spec.references),
            see_also=list(spec.see_also), archived_at=None),
            f"glossary term {spec.slug}", report, slug=spec.slug)
    _archive(terms.values(), {t.slug for t in shared.terms}, "slug", "glossary term", report)
    pages = {p.slug: p for p in db.session.scalars(sa.select(SitePage))}
    for spec in shared.pages:
        _upsert(pages, spec.slug, SitePage,
                dict(title=spec.title, body_html=render_markdown(spec.body)),
                f"page {spec.slug}", report, slug=spec.slug)
    _sync_translations(None, shared.translations, report)
    db.session.flush()
