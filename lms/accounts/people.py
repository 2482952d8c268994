"""Read-only queries of the admin people list: search, filters, counts and keyset pages."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.accounts.choices import (
    COUNTRIES,
    COUNTRY_UNDISCLOSED,
    SECTOR_UNDISCLOSED,
    SECTORS,
    SEXES,
)
from lms.accounts.models import User
from lms.accounts.tokens import AccountToken
from lms.core.access import ROLES
from lms.core.db import db
from lms.core.paging import Page, keyset_page

SEARCH_MAX = 100  # characters of the search text kept
COUNT_CAP = 1000  # a filtered count stops here: "more than 1,000" needs no full scan

STATUSES = {
    "active": _l("Active"),
    "invited": _l("Invited, not accepted"),
    "unconfirmed": _l("Email not confirmed"),
    "pending": _l("Awaiting approval"),
    "deactivated": _l("Deactivated"),
}
COUNTRY_LABELS = dict([*COUNTRIES, COUNTRY_UNDISCLOSED])
SECTOR_LABELS = dict([*SECTORS, SECTOR_UNDISCLOSED])
SEX_LABELS = dict(SEXES)

_INVITED = sa.and_(User.invited_at.is_not(None), User.accepted_at.is_(None))
# Registered, the confirmation link not yet opened (lms.accounts.registration): inactive,
# never invited nor accepted, holding an email link. Not an account anyone owns yet.
_UNCONFIRMED = sa.and_(
    sa.not_(User.active), User.invited_at.is_(None), User.accepted_at.is_(None),
    sa.exists().where(AccountToken.user_id == User.id, AccountToken.purpose == "email"))
# Mutually exclusive; each matches status_of() below. The inactive ones are read through
# the partial index on NOT active (migration 0011), the invited through theirs.
STATUS_CONDITIONS: dict[str, sa.ColumnElement[bool]] = {
    "active": sa.and_(User.active, sa.not_(_INVITED)),
    "invited": sa.and_(User.active, _INVITED),
    "unconfirmed": _UNCONFIRMED,
    "pending": sa.and_(sa.not_(User.active), User.pending_approval, sa.not_(_UNCONFIRMED)),
    "deactivated": sa.and_(sa.not_(User.active), sa.not_(User.pending_approval),
                           sa.not_(_UNCONFIRMED)),
}


def _maybe_unconfirmed(user: User) -> bool:
    return not user.active and user.invited_at is None and user.accepted_at is None


def unconfirmed_ids(users: list[User]) -> set[int]:
    """Those of `users` whose registration is unconfirmed (one query, and none when no
    one is inactive without ever having been invited or accepted)."""
    candidates = [user.id for user in users if _maybe_unconfirmed(user)]
    if not candidates:
        return set()
    return set(db.session.scalars(sa.select(AccountToken.user_id).distinct().where(
        AccountToken.user_id.in_(candidates), AccountToken.purpose == "email")))


def status_of(user: User, unconfirmed: set[int] | None = None) -> str:
    """One of STATUSES; `unconfirmed` from unconfirmed_ids() (asked here when not given)."""
    if user.active:
        return "invited" if user.invited_at is not None and user.accepted_at is None \
            else "active"
    if unconfirmed is None:
        unconfirmed = unconfirmed_ids([user])
    if user.id in unconfirmed:
        return "unconfirmed"
    return "pending" if user.pending_approval else "deactivated"


@dataclass(frozen=True)
class ExtraFilter:
    """A filter a higher layer adds to the list (learning adds cohorts): accounts may
    not import it, so it hands over the choices and how to narrow the query."""

    name: str  # the query argument
    label: Any
    choices: Callable[[], list[tuple[str, str]]]
    narrow: Callable[[sa.Select, str], sa.Select | None]  # None: not a known value


def add_people_filter(app: Any, extra: ExtraFilter) -> None:
    app.extensions.setdefault("lms_people_filters", {})[extra.name] = extra


def extra_filters() -> dict[str, ExtraFilter]:
    return current_app.extensions.get("lms_people_filters", {})


@dataclass(frozen=True)
class PeopleFilters:
    q: str = ""
    role: str = ""
    status: str = ""
    sector: str = ""
    country: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.q or self.role or self.status or self.sector or self.country
                    or self.extra)


def _clean_text(text: str) -> str:
    kept = "".join(ch for ch in text if ch.isprintable())
    return " ".join(kept.split())[:SEARCH_MAX]


def parse_filters(args: Mapping[str, str]) -> PeopleFilters:
    """The filters in a request's arguments; unknown values are dropped, not errors."""
    def pick(name: str, allowed) -> str:
        value = args.get(name, "")
        return value if value in allowed else ""

    extra = {name: args[name] for name in extra_filters() if args.get(name)}
    return PeopleFilters(q=_clean_text(args.get("q", "")), role=pick("role", ROLES),
                         status=pick("status", STATUSES), sector=pick("sector", SECTOR_LABELS),
                         country=pick("country", COUNTRY_LABELS), extra=extra)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def countries_named(text: str) -> list[str]:
    """Codes of the countries the search text names: the code itself, or the start of
    a word of the country's name in the admin's language ("lao", "viet")."""
    needle = text.lower()
    if len(needle) < 2:
        return []
    return [code for code, label in COUNTRIES
            if needle == code.lower()
            or any(word.startswith(needle) for word in str(label).lower().split())
            or str(label).lower().startswith(needle)]


def search_condition(text: str) -> sa.ColumnElement[bool]:
    """Name, email or organisation containing the text (any case, any script), or a
    country it names. On PostgreSQL each LIKE is served by a trigram index."""
    pattern = _like_pattern(text.lower())
    found = [sa.func.lower(column).like(pattern, escape="\\")
             for column in (User.name, User.email, User.organisation)]
    if codes := countries_named(text):
        found.append(User.country.in_(codes))
    return sa.or_(*found)


def people_query(filters: PeopleFilters) -> sa.Select:
    """Everyone the filters keep, as a SELECT of User (not yet ordered or paged)."""
    query = sa.select(User)
    if filters.q:
        query = query.where(search_condition(filters.q))
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.status:
        query = query.where(STATUS_CONDITIONS[filters.status])
    if filters.sector:
        query = query.where(User.sector == filters.sector)
    if filters.country:
        query = query.where(User.country == filters.country)
    extras = extra_filters()
    for name, value in filters.extra.items():
        narrowed = extras[name].narrow(query, value)
        query = narrowed if narrowed is not None else query.where(sa.false())
    return query


def people_page(filters: PeopleFilters) -> Page:
    """One page of the matching people, newest first, from the request's ?after=."""
    return keyset_page(people_query(filters), User.id, newest_first=True)


@dataclass(frozen=True)
class Count:
    number: int
    capped: bool  # True: at least `number`, the count stopped there


def count_people(filters: PeopleFilters) -> Count:
    """Everyone (exact), or the matches up to COUNT_CAP: a broad search must not scan
    100,000 rows just to print how many it found."""
    if not filters.active:
        return Count(db.session.scalar(sa.select(sa.func.count(User.id))) or 0, False)
    matches = people_query(filters).with_only_columns(User.id).limit(COUNT_CAP + 1)
    number = db.session.scalar(sa.select(sa.func.count()).select_from(matches.subquery()))
    return Count(min(number or 0, COUNT_CAP), (number or 0) > COUNT_CAP)
