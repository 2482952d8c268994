"""Quizzes, questions, attempts and answers."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Course
from lms.core.db import db, utcnow


class Quiz(db.Model):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))  # pre | final
    pass_mark: Mapped[int]  # per cent
    attempts_allowed: Mapped[int] = mapped_column(default=0)  # 0 = unlimited
    time_limit_minutes: Mapped[int] = mapped_column(default=0)  # 0 = none
    cooldown_minutes: Mapped[int] = mapped_column(default=0)  # between attempts
    available_from: Mapped[datetime | None]
    available_until: Mapped[datetime | None]
    # never | after_attempt | after_pass | after_last
    show_answers: Mapped[str] = mapped_column(sa.String(20), default="after_attempt")
    questions_per_page: Mapped[int] = mapped_column(default=0)  # 0 = all on one page
    # {"draw": [{"topic": "...", "count": n}]}: questions drawn from the course bank.
    settings: Mapped[dict] = mapped_column(default=dict)
    archived_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("course_id", "key"),
        sa.CheckConstraint("kind IN ('pre', 'final')", name="kind"),
        sa.CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark"),
        sa.CheckConstraint("show_answers IN ('never', 'after_attempt', 'after_pass', "
                           "'after_last')", name="show_answers"),
    )


class Question(db.Model):
    """A question fixed in one quiz (quiz_id set) or in the course bank (bank set)."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    quiz_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quiz.id"), index=True)
    bank: Mapped[str | None] = mapped_column(sa.String(80))
    key: Mapped[str] = mapped_column(sa.String(80))
    type: Mapped[str] = mapped_column(sa.String(30))
    topic: Mapped[str] = mapped_column(sa.String(80), default="")
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(sa.Text)
    # The answer key lives here and never leaves the server.
    spec: Mapped[dict] = mapped_column(default=dict)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    references: Mapped[list] = mapped_column(default=list)
    # Bumped when a publish changes a question that already has attempts (Moodle 4
    # semantics): attempts record the version they saw, item analysis splits by it.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    archived_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("course_id", "key"),
        sa.CheckConstraint("(quiz_id IS NULL) <> (bank IS NULL)", name="quiz_or_bank"),
    )


class Attempt(db.Model):
    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    score: Mapped[float | None]  # per cent
    passed: Mapped[bool | None]
    # The questions and option order this learner saw, so review shows exactly that.
    draw: Mapped[dict] = mapped_column(default=dict)
    page: Mapped[int] = mapped_column(default=0)  # multi-page quizzes resume here
    # Bumped by every save; each page carries the revision it was rendered with, so a
    # form from an older render (another tab, a resent request) cannot overwrite answers.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The random token of the page render that made the latest save (see save_answers).
    last_view: Mapped[str | None] = mapped_column(sa.String(32))
    course_version: Mapped[int] = mapped_column(default=1)
    # The language its questions were shown in (a translation where one was current,
    # the source elsewhere); grading, item analysis and certificates ignore it.
    language: Mapped[str | None] = mapped_column(sa.String(10))

    quiz: Mapped[Quiz] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "quiz_id", "number"),
        sa.CheckConstraint("status IN ('open', 'finished')", name="status"),
        # Two "start" clicks at once cannot open two attempts: the database refuses.
        sa.Index("uq_attempt_one_open", "user_id", "quiz_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"),
                 postgresql_where=sa.text("status = 'open'")),
        # A quiz's finished attempts, counted from the index alone (regrade, item analysis).
        sa.Index("ix_attempt_quiz_id_status", "quiz_id", "status"),
    )


class Answer(db.Model):
    __tablename__ = "answer"

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), primary_key=True)
    response: Mapped[dict] = mapped_column(default=dict)
    score: Mapped[float | None]  # 0..1, set when graded
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegradeFlag(db.Model):
    """A regrade that would change a completion or a certificate: an admin decides."""

    __tablename__ = "regrade_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    old_score: Mapped[float]
    new_score: Mapped[float]
    old_passed: Mapped[bool]
    new_passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
