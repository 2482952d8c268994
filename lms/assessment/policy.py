"""Quiz rules that do not touch the database: availability, cool-down, deadlines,
and when a learner may see the correct answers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from lms.assessment.models import Attempt, Quiz

# Seconds past the deadline in which a save still counts: a slow phone connection
# must not lose the last answer typed in the final seconds.
GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class StartCheck:
    allowed: bool
    reason: str | None = None


def can_start(quiz: Quiz, finished: list[Attempt], now: datetime) -> StartCheck:
    """Whether a new attempt may start now, and if not, why (in words for the learner)."""
    if quiz.available_from and now < quiz.available_from:
        return StartCheck(False, _("This test opens on %(when)s.",
                                   when=format_datetime(quiz.available_from)))
    if quiz.available_until and now >= quiz.available_until:
        return StartCheck(False, _("This test closed on %(when)s.",
                                   when=format_datetime(quiz.available_until)))
    if quiz.attempts_allowed and len(finished) >= quiz.attempts_allowed:
        return StartCheck(False, ngettext("You have used your %(num)d attempt at this quiz.",
                                          "You have used all %(num)d attempts at this quiz.",
                                          quiz.attempts_allowed))
    if quiz.cooldown_minutes and finished:
        last = max(a.finished_at for a in finished if a.finished_at)
        ready = last + timedelta(minutes=quiz.cooldown_minutes)
        if now < ready:
            return StartCheck(False, _("You can try again from %(when)s.",
                                       when=format_datetime(ready)))
    return StartCheck(True)


def deadline_for(quiz: Quiz, started: datetime) -> datetime | None:
    """The time limit, cut short by the end of the availability window."""
    ends = [started + timedelta(minutes=quiz.time_limit_minutes)] \
        if quiz.time_limit_minutes else []
    if quiz.available_until:
        ends.append(quiz.available_until)
    return min(ends) if ends else None


def past_grace(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def may_see_answers(quiz: Quiz, attempt: Attempt, attempts: list[Attempt]) -> bool:
    """The quiz's show_answers rule, applied to one finished attempt.

    Never while another attempt at the quiz is open: bank questions come back, and an
    earlier review must not answer the attempt in progress.
    """
    if attempt.status != "finished" or any(a.status == "open" for a in attempts):
        return False
    attempts_used = sum(1 for a in attempts if a.status == "finished")
    rule = quiz.show_answers
    if rule == "after_attempt":
        return True
    if rule == "after_pass":
        return bool(attempt.passed)
    if rule == "after_last":
        return bool(quiz.attempts_allowed) and attempts_used >= quiz.attempts_allowed
    return False
