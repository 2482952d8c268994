"""The database's limits on course text, checked while the files are read.

The lengths come from the models' own columns, so `courses validate` refuses what
`courses sync` would fail on (a 250-character title) and the two never disagree.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from lms.assessment.models import Question, Quiz
from lms.catalog.models import Course, GlossaryTerm, Lesson, Module, SitePage
from lms.content.reading import Collector

COLUMNS = {
    "course slug": Course.slug, "course title": Course.title, "language": Course.language,
    "module slug": Module.slug, "module title": Module.title,
    "lesson slug (its file name)": Lesson.slug, "lesson title": Lesson.title,
    "quiz key (its file name)": Quiz.key, "quiz title": Quiz.title,
    "bank name (its file name)": Question.bank, "question key": Question.key,
    "topic": Question.topic, "glossary slug": GlossaryTerm.slug,
    "glossary term": GlossaryTerm.term, "page slug (its file name)": SitePage.slug,
    "page title": SitePage.title,
}


def max_length(what: str) -> int:
    column: sa.Column = COLUMNS[what].property.columns[0]
    return column.type.length


def check_length(out: Collector, path: Path, line: int, what: str, value: str) -> bool:
    """Record an error if `value` is longer than its column holds; True when it fits."""
    limit = max_length(what)
    if len(value) > limit:
        out.add(path, line, f"{what} is {len(value)} characters; at most {limit} fit")
        return False
    return True
