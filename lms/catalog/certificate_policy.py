"""What a course's [certificate] settings mean (content checks them; certification and
learning read them here)."""
from __future__ import annotations

from typing import Any

DEFAULT_REMIND_DAYS = 60
LEARNER = "learner"  # second_language: the holder's own language


def settings(course: Any) -> dict[str, Any]:
    return course.certificate or {}


def validity_months(course: Any) -> int | None:
    return settings(course).get("validity_months")


def remind_days(course: Any) -> int:
    return int(settings(course).get("remind_days", DEFAULT_REMIND_DAYS))


def second_language(course: Any) -> str | None:
    return settings(course).get("second_language")


def renews(course: Any) -> str | None:
    return settings(course).get("renews")
