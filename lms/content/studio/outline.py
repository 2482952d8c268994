"""The draft's outline as the studio shows it: modules, lessons, tests and banks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lms.catalog.models import Course
from lms.content import drafts


@dataclass
class LessonRow:
    slug: str
    title: str
    minutes: int
    content_note: bool


@dataclass
class ModuleRow:
    slug: str
    title: str
    lessons: list[LessonRow] = field(default_factory=list)


@dataclass
class QuestionRow:
    key: str
    type: str
    topic: str
    prompt: str


@dataclass
class OwnerRow:
    """A quiz or a bank, with its questions in order."""

    kind: str  # quiz | bank
    key: str
    title: str
    detail: dict[str, Any]
    questions: list[QuestionRow] = field(default_factory=list)

    @property
    def owner(self) -> str:
        return f"{self.kind}:{self.key}"


@dataclass
class Outline:
    modules: list[ModuleRow]
    quizzes: list[OwnerRow]
    banks: list[OwnerRow]
    unlisted: list[str]  # lessons no module lists (they would fail validation)

    @classmethod
    def of(cls, course: Course) -> Outline:
        """Everything from one query of the draft's items."""
        items = {key: row.data for key, row in drafts.items_of(course.id).items()}
        lessons = {key: data for (kind, key), data in items.items() if kind == "lesson"}
        listed: set[str] = set()
        modules = []
        for raw in items.get(("course", ""), {}).get("modules", []):
            module = ModuleRow(raw.get("slug", ""), raw.get("title", ""))
            for slug in raw.get("lessons", []):
                header = lessons.get(slug, {}).get("header", {})
                module.lessons.append(LessonRow(slug, header.get("title", slug),
                                                header.get("minutes", 0),
                                                bool(header.get("content_note"))))
                listed.add(slug)
            modules.append(module)
        questions = {key: data for (kind, key), data in items.items() if kind == "question"}

        def owner(kind: str, key: str, data: dict) -> OwnerRow:
            row = OwnerRow(kind, key, data.get("title", key),
                           {k: v for k, v in data.items() if k != "questions"})
            for qkey in data.get("questions", []):
                raw = questions.get(qkey, {})
                row.questions.append(QuestionRow(qkey, raw.get("type", ""),
                                                 raw.get("topic", ""), raw.get("prompt", "")))
            return row

        return cls(modules,
                   [owner("quiz", k, d) for (kind, k), d in sorted(items.items())
                    if kind == "quiz"],
                   [owner("bank", k, d) for (kind, k), d in sorted(items.items())
                    if kind == "bank"],
                   sorted(set(lessons) - listed))

    @property
    def owners(self) -> list[OwnerRow]:
        return self.quizzes + self.banks

    def owner_of(self, question_key: str) -> OwnerRow | None:
        return next((o for o in self.owners
                     if any(q.key == question_key for q in o.questions)), None)

    def topics(self) -> list[str]:
        return sorted({q.topic for o in self.banks for q in o.questions if q.topic})
