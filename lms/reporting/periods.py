"""Report periods: all time, a calendar year or a quarter (UTC), never a free date range.

Whole quarters and years are on purpose: a year is the sum of its quarters and all time
the sum of its years, so suppression can be applied over that whole hierarchy at once,
and no difference between two periods a person can choose reveals a small cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.core.db import db, utcnow
from lms.learning.models import Enrolment

ALL = "all"
_PATTERN = re.compile(r"^(?P<year>20\d\d)(?:-Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True)
class Period:
    key: str  # 'all', '2026' or '2026-Q3'
    year: int | None = None
    quarter: int | None = None

    @property
    def label(self) -> str:
        if self.year is None:
            return _("All time")
        if self.quarter is None:
            return _("Year %(year)s", year=self.year)
        return _("Quarter %(quarter)s of %(year)s", quarter=self.quarter, year=self.year)

    @property
    def start(self) -> datetime | None:
        if self.year is None:
            return None
        return datetime(self.year, 3 * (self.quarter or 1) - 2, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime | None:
        """The first moment after the period."""
        if self.year is None:
            return None
        if self.quarter is None or self.quarter == 4:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC)
        return datetime(self.year, 3 * self.quarter + 1, 1, tzinfo=UTC)


ALL_TIME = Period(ALL)


def parse_period(text: str | None) -> Period | None:
    """'all', '2026' or '2026-Q3' as a Period; None for anything else."""
    text = (text or "").strip()
    if text in ("", ALL):
        return ALL_TIME
    match = _PATTERN.match(text)
    if match is None:
        return None
    quarter = match["quarter"]
    return Period(text, int(match["year"]), int(quarter) if quarter else None)


def quarter_of(year: int, month: int) -> str:
    return f"{year}-Q{(month - 1) // 3 + 1}"


def period_choices() -> list[Period]:
    """All time, then each year with enrolments and its quarters so far, newest first
    (two index reads: the first and the last enrolment)."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Enrolment.enrolled_at), sa.func.max(Enrolment.enrolled_at))).one()
    choices = [ALL_TIME]
    if first is None:
        return choices
    now = utcnow()
    for year in range(max(last.year, now.year), first.year - 1, -1):
        choices.append(Period(str(year), year))
        last_quarter = (now.month - 1) // 3 + 1 if year == now.year else 4
        for quarter in range(last_quarter, 0, -1):
            choices.append(Period(f"{year}-Q{quarter}", year, quarter))
    return choices
