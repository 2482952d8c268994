"""Frozen specs of a course as read from its files (no database involved)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LessonSpec:
    slug: str
    title: str
    minutes: int
    content_note: str | None
    body: str


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    title: str
    lessons: tuple[LessonSpec, ...]


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    type: str
    topic: str
    prompt: str
    explanation: str
    references: tuple[str, ...]
    spec: dict[str, Any] = field(hash=False)
    # The question's table as written: translations are laid over it and checked again.
    raw: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class DrawRule:
    topic: str
    count: int


@dataclass(frozen=True)
class QuizSpec:
    key: str
    title: str
    kind: str
    pass_mark: int
    attempts_allowed: int
    time_limit_minutes: int
    questions: tuple[QuestionSpec, ...]
    draw: tuple[DrawRule, ...] = ()
    cooldown_minutes: int = 0
    available_from: datetime | None = None
    available_until: datetime | None = None
    show_answers: str = "after_attempt"
    questions_per_page: int = 0

    @property
    def size(self) -> int:
        """Questions in one attempt."""
        return len(self.questions) + sum(rule.count for rule in self.draw)


@dataclass(frozen=True)
class BankSpec:
    name: str
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class TranslationSpec:
    """One translated item of a course (or of the shared glossary) in one language."""

    locale: str
    kind: str  # course | module | lesson | quiz | question | references | term
    key: str  # the item's slug or key ("" for the course and its references page)
    source_hash: str  # of the source text it was made from, as its file records it
    current: bool  # that hash is the source's hash now; a stale one is never shown
    data: dict[str, Any] = field(hash=False)  # the translated texts, ready to store
    path: str = ""


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    summary: str
    audience: str
    objectives: tuple[str, ...]
    language: str
    cpd_hours: float
    modules: tuple[ModuleSpec, ...]
    quizzes: tuple[QuizSpec, ...]
    content_hash: str
    banks: tuple[BankSpec, ...] = ()
    references: str = ""  # Markdown of references.md
    folder: str = ""  # where it was read from, for messages that name a file
    # The checked [feedback] table (lms.content.surveys); {} = the platform's wording.
    feedback: dict[str, Any] = field(default_factory=dict, hash=False)
    # The checked [certificate] table (lms.content.certificate_settings).
    certificate: dict[str, Any] = field(default_factory=dict, hash=False)
    # What i18n/<lang>/ holds (lms.content.translations), current and stale alike.
    translations: tuple[TranslationSpec, ...] = ()

    @property
    def lesson_count(self) -> int:
        return sum(len(m.lessons) for m in self.modules)

    @property
    def question_count(self) -> int:
        return (sum(len(q.questions) for q in self.quizzes)
                + sum(len(b.questions) for b in self.banks))


@dataclass(frozen=True)
class LoadError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class TermSpec:
    slug: str
    term: str
    definition: str
    references: tuple[str, ...]
    see_also: tuple[str, ...]


@dataclass(frozen=True)
class PageSpec:
    slug: str
    title: str
    body: str


@dataclass(frozen=True)
class SharedSpec:
    """What all courses share: the glossary and pages such as /support."""

    terms: tuple[TermSpec, ...] = ()
    pages: tuple[PageSpec, ...] = ()
    translations: tuple[TranslationSpec, ...] = ()  # of the glossary's terms
