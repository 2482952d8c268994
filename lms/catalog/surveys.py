"""A course's feedback survey and follow-up on use, as learners see them: the course's
own wording (`course.feedback`, from the [feedback] table of its files or the studio),
else the platform's, translated into the reader's language.

It lives in catalog, beside the Course it describes, so that learning (which asks the
questions) and content (which reads and checks the table) can both use it without one
importing the other; lms/content/surveys.py reads the files and re-exports this.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

TEXT_KEYS = ("relevance", "clarity", "confidence", "comment", "follow_up")
KEYS = ("relevance", "clarity", "confidence", "comment", "follow_up_days", "follow_up")
DEFAULT_FOLLOW_UP_DAYS = 90
MAX_FOLLOW_UP_DAYS = 365
MAX_TEXT = 500  # one question's wording

DEFAULTS = {
    "relevance": _l("How relevant was this course to your work?"),
    "clarity": _l("How clear were the lessons and questions?"),
    "confidence": _l("How confident are you to apply what you learned?"),
    "comment": _l("What should we change? (optional)"),
    "follow_up": _l("Have you used what you learned in your work? How?"),
}


@dataclass(frozen=True)
class Survey:
    relevance: str
    clarity: str
    confidence: str
    comment: str
    follow_up: str
    follow_up_days: int

    @property
    def follow_up_on(self) -> bool:
        return self.follow_up_days > 0


def valid_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        0 <= value <= MAX_FOLLOW_UP_DAYS


def survey_of(course: Any) -> Survey:
    """The resolved texts (plain strings in the current locale, so templates escape
    them like any other text) and the follow-up delay of `course`."""
    stored = course.feedback if isinstance(course.feedback, dict) else {}
    texts = {key: value.strip() if isinstance(value := stored.get(key), str) and value.strip()
             else str(DEFAULTS[key]) for key in TEXT_KEYS}
    days = stored.get("follow_up_days")
    return Survey(**texts, follow_up_days=days if valid_days(days) else DEFAULT_FOLLOW_UP_DAYS)
