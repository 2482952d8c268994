"""The report's filters, read from a query string: a bad value is dropped with a message."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from lms.accounts.choices import COUNTRIES, COUNTRY_UNDISCLOSED, SECTOR_UNDISCLOSED, SECTORS
from lms.reporting.periods import ALL_TIME, Period, parse_period

COUNTRY_CODES = frozenset(code for code, _label in [*COUNTRIES, COUNTRY_UNDISCLOSED])
SECTOR_CODES = frozenset(code for code, _label in [*SECTORS, SECTOR_UNDISCLOSED])
MAX_ORGANISATION = 200


@dataclass(frozen=True)
class Filters:
    period: Period = ALL_TIME
    course_id: int | None = None
    cohort_id: int | None = None
    country: str | None = None
    sector: str | None = None
    organisation: str | None = None

    def query_args(self) -> dict[str, str]:
        """The filters as query arguments (for links and exports); empty ones left out."""
        args = {"period": self.period.key, "course": self.course_id, "cohort": self.cohort_id,
                "country": self.country, "sector": self.sector,
                "organisation": self.organisation}
        return {key: str(value) for key, value in args.items() if value not in (None, "")}


def _id(args: Mapping, name: str, problems: list[str], message: str) -> int | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) < 10:
        return int(text)
    problems.append(message)
    return None


def filters_from_args(args: Mapping) -> tuple[Filters, list[str]]:
    problems: list[str] = []
    period = parse_period(args.get("period"))
    if period is None:
        problems.append(_("Choose a period from the list: a whole year or quarter."))
        period = ALL_TIME
    course_id = _id(args, "course", problems, _("That course is not in the list."))
    cohort_id = _id(args, "cohort", problems, _("That cohort is not in the list."))
    country = (args.get("country") or "").strip() or None
    if country is not None and country not in COUNTRY_CODES:
        problems.append(_("That country is not in the list."))
        country = None
    sector = (args.get("sector") or "").strip() or None
    if sector is not None and sector not in SECTOR_CODES:
        problems.append(_("That sector is not in the list."))
        sector = None
    organisation = " ".join((args.get("organisation") or "").split()) or None
    if organisation is not None and len(organisation) > MAX_ORGANISATION:
        problems.append(_("An organisation's name has at most %(max)s characters.",
                          max=MAX_ORGANISATION))
        organisation = None
    return Filters(period, course_id, cohort_id, country, sector, organisation), problems
