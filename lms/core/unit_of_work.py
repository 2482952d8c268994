"""One service call as the request's unit of work: commit once, or roll back and say why."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash

from lms.core.db import db
from lms.core.errors import DomainError

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    ok: bool
    value: T | None = None


def commit_or_flash(action: Callable[[], T]) -> Outcome[T]:
    """Run `action`; commit on success, roll back and flash the rule it broke otherwise."""
    try:
        value = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return Outcome(False)
    db.session.commit()
    return Outcome(True, value)
