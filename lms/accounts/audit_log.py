"""Read-only audit log queries: the viewer's filters and pages, a trail, the CSV rows."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import normalise_email
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.core.paging import PAGE_SIZE, Page
from lms.core.requests import parse_id

EXPORT_BATCH = 1000  # rows fetched at a time while the CSV streams


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""  # the actor's email
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    since: date | None = None  # first day, in the admin's zone
    until: date | None = None  # last day, included
    problems: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.args())

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for the export link)."""
        values = {"who": self.who, "action": self.action, "target_type": self.target_type,
                  "target_id": "" if self.target_id is None else str(self.target_id),
                  "since": self.since.isoformat() if self.since else "",
                  "until": self.until.isoformat() if self.until else ""}
        return {key: value for key, value in values.items() if value}


EARLIEST, LATEST = date(1970, 1, 1), date(9998, 12, 31)  # a day more is still a date


def _day(text: str) -> date | None:
    day = date.fromisoformat(text) if text else None
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValueError(text)
    return day


def parse_audit_filters(args: Mapping[str, str]) -> AuditFilters:
    """The filters in a request's arguments; a value that cannot be read is dropped
    and said in `problems`, never an error page."""
    problems: list[str] = []
    try:
        since, until = _day(args.get("since", "").strip()), _day(args.get("until", "").strip())
    except ValueError:
        since = until = None
        problems.append(_("Write dates as YYYY-MM-DD."))
    if since and until and since > until:
        since, until = until, since
    target_text = args.get("target_id", "").strip()
    target_id = parse_id(target_text)
    if target_text and target_id is None:
        problems.append(_("A target id is a whole number."))
    return AuditFilters(who=normalise_email(args.get("who", ""))[:254],
                        action=args.get("action", "").strip()[:60],
                        target_type=args.get("target_type", "").strip()[:40],
                        target_id=target_id, since=since, until=until,
                        problems=tuple(problems))


def day_start(day: date, zone: str) -> datetime:
    """Midnight at the start of `day` in `zone`, in UTC (the log stores UTC)."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)


def _conditions(filters: AuditFilters, zone: str) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if filters.who:
        # A scalar subquery, not a join: the planner then walks (actor_id, id) backwards.
        found.append(AuditEvent.actor_id == sa.select(User.id).where(
            User.email == filters.who).scalar_subquery())
    if filters.action:
        found.append(AuditEvent.action == filters.action)
    if filters.target_type:
        found.append(AuditEvent.target_type == filters.target_type)
    if filters.target_id is not None:
        found.append(AuditEvent.target_id == filters.target_id)
    if filters.since:
        found.append(AuditEvent.at >= day_start(filters.since, zone))
    if filters.until:
        found.append(AuditEvent.at < day_start(filters.until + timedelta(days=1), zone))
    return found


def _with_names(query: sa.Select) -> sa.Select:
    """Each event with its actor's name and email, and the target's name when the
    target is a person. Correlated subqueries, each a primary-key probe per row: a
    join lets the planner hash all 100,000 people for a day's few thousand events."""
    def user(column: sa.orm.InstrumentedAttribute, user_id: sa.ColumnElement[int]):
        return sa.select(column).where(User.id == user_id).scalar_subquery()

    return query.add_columns(
        user(User.name, AuditEvent.actor_id).label("actor_name"),
        user(User.email, AuditEvent.actor_id).label("actor_email"),
        sa.case((AuditEvent.target_type == "user", user(User.name, AuditEvent.target_id)),
                else_=None).label("target_name"))


def _newest(condition: sa.ColumnElement[bool] | None, after: int | None,
            size: int) -> sa.Select:
    """Ids of one page of the events matching `condition`, newest first: read from the
    filter's (…, id) index or the primary key backwards, never sorted."""
    query = sa.select(AuditEvent.id)
    if condition is not None:
        query = query.where(condition)
    if after is not None:
        query = query.where(AuditEvent.id < after)
    # A subquery: SQLite takes ORDER BY and LIMIT in a UNION only inside one.
    inner = query.order_by(AuditEvent.id.desc()).limit(size + 1).subquery()
    return sa.select(inner.c.id)


def _named_page(ids: sa.Select, after: int | None, size: int) -> Page:
    """The events of `ids` with their names. The page's ids are chosen first, so the
    names are joined to at most size + 1 rows, not to every match (a day's thousands)."""
    query = _with_names(sa.select(AuditEvent).where(AuditEvent.id.in_(ids)))
    rows = list(db.session.execute(query.order_by(AuditEvent.id.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, after, rows[-1][0].id if more and rows else None)


def events_page(filters: AuditFilters, zone: str, after: int | None,
                size: int = PAGE_SIZE) -> Page:
    """One page of the matching events, newest first, starting below `after`."""
    conditions = _conditions(filters, zone)
    return _named_page(_newest(sa.and_(*conditions) if conditions else None, after, size),
                       after, size)


def person_trail(user_id: int, after: int | None, size: int = PAGE_SIZE) -> Page:
    """Events where the person acted or was acted on, newest first. Each side is read
    from its own index, at most one page of it, so a busy admin's trail costs the same
    as a new learner's."""
    ids = sa.union_all(_newest(AuditEvent.actor_id == user_id, after, size),
                       _newest(sa.and_(AuditEvent.target_type == "user",
                                       AuditEvent.target_id == user_id), after, size))
    return _named_page(ids, after, size)


def distinct_values(column: sa.orm.InstrumentedAttribute[str]) -> list[str]:
    """The distinct values of an indexed column of the log, by a loose index scan: one
    index probe per value (a few dozen), not a read of a million rows."""
    table = AuditEvent.__table__
    col = table.c[column.key]
    seen = sa.select(sa.func.min(col).label("value")).cte("seen", recursive=True)
    last = seen.alias("last")
    following = sa.select(sa.func.min(col)).where(col > last.c.value).scalar_subquery()
    seen = seen.union_all(sa.select(following).where(last.c.value.is_not(None)))
    return list(db.session.scalars(
        sa.select(seen.c.value).where(seen.c.value.is_not(None)).order_by(seen.c.value)))


def describe(data: dict[str, Any] | None) -> str:
    """An event's data as one line of text, a change as "old → new" (the template
    escapes it like any text)."""
    return _text(data, " · ") if data else ""


def _text(value: Any, separator: str = ", ") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return _json(value)
    parts, pair = [], "from" in value and "to" in value
    if pair:
        parts.append(f"{_text(value['from'])} → {_text(value['to'])}")
    parts += [f"{key}: {_text(item)}" for key, item in value.items()
              if not (pair and key in ("from", "to"))]
    return separator.join(parts)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def export_rows(filters: AuditFilters, zone: str) -> Iterator[tuple]:
    """The matching events oldest first, as CSV rows, read in batches as it streams
    (plain columns, not ORM objects: an export may be a million rows)."""
    local = ZoneInfo(zone)
    event = AuditEvent.__table__.c
    query = (_with_names(sa.select(event.id, event.at, event.actor_id, event.action,
                                   event.target_type, event.target_id, event.data, event.ip))
             .where(*_conditions(filters, zone)).order_by(event.id)
             .execution_options(yield_per=EXPORT_BATCH))
    for row in db.session.execute(query):
        at = row.at.replace(tzinfo=UTC) if row.at.tzinfo is None else row.at
        yield (row.id, at.strftime("%Y-%m-%dT%H:%M:%SZ"),
               at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"), row.actor_id,
               row.actor_email, row.actor_name, row.action, row.target_type, row.target_id,
               row.target_name, _json(row.data or {}), row.ip)


def export_header(zone: str) -> list[str]:
    return [_("Event"), _("Time (UTC)"), _("Time (%(zone)s)", zone=zone), _("Actor id"),
            _("Actor email"), _("Actor name"), _("Action"), _("Target type"), _("Target id"),
            _("Target name"), _("Details"), _("Address")]
