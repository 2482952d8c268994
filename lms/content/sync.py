"""Upsert course specs into the database: match by slug/key, archive what disappeared.

Nothing is ever deleted, because attempts and certificates point at it. A
course whose content hash is unchanged is skipped, so a second sync is a no-op.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from lms.assessment.models import Question, Quiz
from lms.catalog.models import Course, GlossaryTerm, Lesson, Module, SitePage
from lms.content.specs import CourseSpec, SharedSpec
from lms.core.db import db, utcnow
from lms.core.markdown import render_markdown


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
        module = modules.get(module_spec.slug)
        if module is None:
            module = Module(course_id=course.id, slug=module_spec.slug, position=position,
                            title=module_spec.title)
            db.session.add(module)
            db.session.flush()
            modules[module.slug] = module
            report.note(f"created module {spec.slug}/{module.slug}")
        elif _assign(module, position=position, title=module_spec.title, archived_at=None):
            report.note(f"updated module {spec.slug}/{module.slug}")
        for lesson_position, lesson_spec in enumerate(module_spec.lessons, start=1):
            values = dict(module_id=module.id, position=lesson_position,
                          title=lesson_spec.title, minutes=lesson_spec.minutes,
                          body_markdown=lesson_spec.body,
                          body_html=render_markdown(lesson_spec.body),
                          content_note=lesson_spec.content_note, archived_at=None)
            lesson = lessons.get(lesson_spec.slug)
            if lesson is None:
                lessons[lesson_spec.slug] = Lesson(slug=lesson_spec.slug, **values)
                db.session.add(lessons[lesson_spec.slug])
                report.note(f"created lesson {spec.slug}/{lesson_spec.slug}")
            elif _assign(lesson, **values):
                report.note(f"updated lesson {spec.slug}/{lesson_spec.slug}")
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
    for owner, question_specs in owners:
        for position, question_spec in enumerate(question_specs, start=1):
            keep.add(question_spec.key)
            values = dict(type=question_spec.type, topic=question_spec.topic,
                          position=position, prompt=question_spec.prompt,
                          spec=question_spec.spec, explanation=question_spec.explanation,
                          references=list(question_spec.references), archived_at=None,
                          **owner)
            question = questions.get(question_spec.key)
            if question is None:
                db.session.add(Question(course_id=course.id, key=question_spec.key, **values))
                report.note(f"created question {spec.slug}/{question_spec.key}")
            elif _assign(question, **values):
                report.note(f"updated question {spec.slug}/{question_spec.key}")
    _archive(questions.values(), keep, "key", "question", report)


def _sync_quizzes(course: Course, spec: CourseSpec, report: SyncReport) -> None:
    quizzes = {q.key: q for q in db.session.scalars(
        sa.select(Quiz).where(Quiz.course_id == course.id))}
    for quiz_spec in spec.quizzes:
        values = dict(title=quiz_spec.title, kind=quiz_spec.kind, pass_mark=quiz_spec.pass_mark,
                      attempts_allowed=quiz_spec.attempts_allowed,
                      time_limit_minutes=quiz_spec.time_limit_minutes,
                      cooldown_minutes=quiz_spec.cooldown_minutes,
                      available_from=quiz_spec.available_from,
                      available_until=quiz_spec.available_until,
                      show_answers=quiz_spec.show_answers,
                      questions_per_page=quiz_spec.questions_per_page,
                      settings={"draw": [{"topic": r.topic, "count": r.count}
                                         for r in quiz_spec.draw]},
                      archived_at=None)
        quiz = quizzes.get(quiz_spec.key)
        if quiz is None:
            quiz = Quiz(course_id=course.id, key=quiz_spec.key, **values)
            db.session.add(quiz)
            db.session.flush()
            quizzes[quiz.key] = quiz
            report.note(f"created quiz {spec.slug}/{quiz.key}")
        elif _assign(quiz, **values):
            report.note(f"updated quiz {spec.slug}/{quiz.key}")
    _archive(quizzes.values(), {q.key for q in spec.quizzes}, "key", "quiz", report)
    db.session.flush()
    _sync_questions(course, spec, {k: q.id for k, q in quizzes.items()}, report)


def sync_course(spec: CourseSpec, report: SyncReport) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == spec.slug))
    values = dict(title=spec.title, summary=spec.summary, audience=spec.audience,
                  objectives=list(spec.objectives), language=spec.language,
                  cpd_hours=spec.cpd_hours,
                  references_html=render_markdown(spec.references) if spec.references else "")
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
    db.session.flush()
    return course


def sync_courses(specs: list[CourseSpec], *, archive_missing: bool = True,
                 shared: SharedSpec | None = None) -> SyncReport:
    """Bring the database in line with the specs; the caller commits once."""
    report = SyncReport()
    if shared is not None:
        sync_shared(shared, report)
    for spec in specs:
        sync_course(spec, report)
    if archive_missing:
        _archive(db.session.scalars(sa.select(Course)), {s.slug for s in specs}, "slug",
                 "course", report)
    db.session.flush()
    return report


def sync_shared(shared: SharedSpec, report: SyncReport) -> None:
    """The glossary (matched by slug, archived when removed) and the shared pages."""
    terms = {t.slug: t for t in db.session.scalars(sa.select(GlossaryTerm))}
    for spec in shared.terms:
        values = dict(term=spec.term, definition=spec.definition,
                      references=list(spec.references), see_also=list(spec.see_also),
                      archived_at=None)
        term = terms.get(spec.slug)
        if term is None:
            db.session.add(GlossaryTerm(slug=spec.slug, **values))
            report.note(f"created glossary term {spec.slug}")
        elif _assign(term, **values):
            report.note(f"updated glossary term {spec.slug}")
    _archive(terms.values(), {t.slug for t in shared.terms}, "slug", "glossary term", report)
    pages = {p.slug: p for p in db.session.scalars(sa.select(SitePage))}
    for spec in shared.pages:
        values = dict(title=spec.title, body_html=render_markdown(spec.body))
        page = pages.get(spec.slug)
        if page is None:
            db.session.add(SitePage(slug=spec.slug, **values))
            report.note(f"created page {spec.slug}")
        elif _assign(page, **values):
            report.note(f"updated page {spec.slug}")
    db.session.flush()
