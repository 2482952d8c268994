"""The legal instruments a question may cite, so a typo in a reference tag is caught.

They are data: the shipped list in `courses/_shared/instruments.toml`, plus those an
admin adds in the studio (rows of `legal_instrument`). A tag names an instrument and,
where it has them, an article or principle: "Palermo Art. 3(c)", "ACTIP Art. 14(7)",
"OHCHR Principle 7". File validation without a database knows the shipped list.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow

SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "_shared" / "instruments.toml"
CITES = ("Art.", "Principle", "Guideline", "Section", "Rule", "Para.")
NUMBER = r"\d+(\([a-z0-9]+\))*"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .'()&/-]{0,79}$")


class LegalInstrument(db.Model):
    """An instrument an admin added (the shipped ones live in the file)."""

    __tablename__ = "legal_instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    cites: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


@dataclass(frozen=True)
class Instrument:
    name: str
    title: str
    cites: tuple[str, ...] = ()
    shipped: bool = True

    @property
    def pattern(self) -> str:
        name = re.escape(self.name)
        if not self.cites:
            return name
        return f"{name} (?:{'|'.join(re.escape(c) for c in self.cites)}) {NUMBER}"

    @property
    def tag_starts(self) -> list[str]:
        """What a tag begins with, for the studio's picker."""
        return [f"{self.name} {c}" for c in self.cites] or [self.name]


@cache
def shipped_instruments() -> tuple[Instrument, ...]:
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    return tuple(Instrument(i["name"], i["title"], tuple(i.get("cites", [])))
                 for i in data["instruments"])


def _added() -> tuple[Instrument, ...]:
    if not has_app_context():
        return ()
    if "lms_instruments" not in g:
        try:
            with db.session.begin_nested():  # a savepoint: a failure keeps the caller's work
                rows = db.session.execute(sa.select(
                    LegalInstrument.name, LegalInstrument.title, LegalInstrument.cites)).all()
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            rows = []  # `courses validate` before any database exists
        g.lms_instruments = tuple(Instrument(n, t, tuple(c), shipped=False)
                                  for n, t, c in rows)
    return g.lms_instruments


def known_instruments() -> tuple[Instrument, ...]:
    return shipped_instruments() + _added()


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def is_known_reference(tag: str) -> bool:
    return _compiled(tuple(i.pattern for i in known_instruments())).fullmatch(tag) is not None


def instrument_choices() -> list[tuple[str, str]]:
    """(what a tag starts with, instrument title) for every instrument."""
    return [(start, i.title) for i in known_instruments() for start in i.tag_starts]


def split_tag(tag: str) -> tuple[str, str]:
    """A tag as the picker shows it: the instrument part and the number."""
    for start, _title in instrument_choices():
        if tag == start:
            return start, ""
        if tag.startswith(start + " "):
            return start, tag[len(start) + 1:]
    return tag, ""
