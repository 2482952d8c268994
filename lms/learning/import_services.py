"""Importing people into a cohort from a CSV: the preview, then all of it or nothing."""
# The preview reads the file (lms.learning.cohort_import) and looks each good row's
# email up: a new person, a person with an account, or one in the cohort already.
# Nothing is written but the upload itself (a CohortImport, so the preview can be paged
# and confirmed). Confirming applies every row in one transaction: a failure anywhere
# (row 9,999 of 10,000) leaves the database as it was. Emails go afterwards, in batches:
# an invitation to each new person (and to anyone whose earlier invitation is still
# open), a notice to the others.
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts import invitations
from lms.accounts.models import User
from lms.core.audit import record_event, record_events
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail
from lms.learning.cohort_import import Person, Reading, Row, read_people
from lms.learning.cohort_services import add_members
from lms.learning.cohorts import Cohort, CohortMember
from lms.learning.import_models import CohortImport

CHUNK = 1000  # ids or emails per IN (…): well under SQLite's parameter limit
MAIL_BATCH = 200  # emails per transaction of the job
PENDING_FOR = timedelta(days=1)  # an upload not confirmed by then is deleted


@dataclass(frozen=True)
class Known:
    """What the database knows of an email in the file."""

    user_id: int
    name: str
    active: bool
    invited: bool  # invited earlier and not accepted yet
    member: bool  # in this cohort already


@dataclass(frozen=True)
class Line:
    """One preview line: `new`, `existing`, `member` (nothing to do) or `error`."""

    row: Row
    kind: str
    known: Known | None = None


@dataclass
class Preview:
    """A file read and checked against the database: one line per row."""

    reading: Reading
    lines: list[Line] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(line.kind for line in self.lines)

    @property
    def ok(self) -> bool:
        return self.reading.ok


def _known(cohort_id: int, emails: list[str]) -> dict[str, Known]:
    known: dict[str, Known] = {}
    for start in range(0, len(emails), CHUNK):
        member = sa.exists().where(CohortMember.cohort_id == cohort_id,
                                   CohortMember.user_id == User.id)
        for row in db.session.execute(sa.select(
                User.id, User.email, User.name, User.active, invitations.PENDING, member)
                .where(User.email.in_(emails[start:start + CHUNK]))):
            known[row[1]] = Known(row[0], row[2], row[3], bool(row[4]), bool(row[5]))
    return known


def preview(cohort_id: int, data: bytes, *, encoding: str | None = None) -> Preview:
    """Read the file and say what each row would do; writes nothing."""
    reading = read_people(data, encoding=encoding)
    result = Preview(reading)
    known = _known(cohort_id, [row.person.email for row in reading.rows if row.person])
    for row in reading.rows:
        if row.person is None:
            result.lines.append(Line(row, "error"))
            continue
        found = known.get(row.person.email)
        kind = "new" if found is None else "member" if found.member else "existing"
        result.lines.append(Line(row, kind, found))
    return result


def stage_import(cohort: Cohort, data: bytes, *, source: str, encoding: str | None,
                 rows: int, actor_id: int | None) -> CohortImport:
    """Keep an upload for its preview pages and confirmation (uploads never confirmed
    are deleted after a day). Flushes."""
    db.session.execute(sa.delete(CohortImport).where(
        CohortImport.applied_at.is_(None), CohortImport.created_at < utcnow() - PENDING_FOR))
    pending = CohortImport(cohort_id=cohort.id, created_by_id=actor_id, content=data,
                           source=source[:255] or "-", encoding=encoding or None, rows=rows)
    db.session.add(pending)
    db.session.flush()
    return pending


def new_user_values(person: Person, now) -> dict:
    """The users row of a new person: invited, no password until they accept."""
    return {"email": person.email, "name": person.name, "role": "learner",
            "password_hash": invitations.NO_PASSWORD, "locale": person.locale,
            "country": person.country, "sector": person.sector, "sex": person.sex,
            "organisation": person.organisation, "active": True, "session_version": 1,
            "created_at": now, "invited_at": now}


def _create_people(people: list[Person]) -> list[int]:
    """Insert the new people, a thousand to a statement; their ids in file order. (The
    table's INSERT, not the ORM's bulk one: half the time on PostgreSQL.)"""
    now = utcnow()
    users = User.__table__
    statement = users.insert().returning(users.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(people), CHUNK):
        values = [new_user_values(person, now) for person in people[start:start + CHUNK]]
        ids.extend(db.session.execute(statement, values).scalars())
    return ids


def apply_import(pending: CohortImport, *, actor_id: int | None,
                 ip: str | None = None) -> dict[str, int]:
    """Write every row of the upload (flushes; the caller commits once, or rolls back
    everything). The file is read again: a row that became wrong since the preview (an
    email now taken twice) fails the whole import with a reason."""
    if pending.applied_at is not None:
        raise DomainError(_("This file was imported already."))
    cohort = db.session.get(Cohort, pending.cohort_id)
    checked = preview(cohort.id, pending.content, encoding=pending.encoding)
    if not checked.ok:
        raise DomainError(_("The file has problems now (%(num)d rows). Upload it again to "
                            "see them.", num=len(checked.reading.error_rows)
                            + len(checked.reading.problems)))
    new = [line.row.person for line in checked.lines if line.kind == "new"]
    existing = [line.known for line in checked.lines if line.kind == "existing"]
    new_ids = _create_people(new)
    record_events("user.invited", [
        {"target_id": uid, "data": {"cohort_id": cohort.id, "cohort": cohort.name}}
        for uid in new_ids], actor_id=actor_id, target_type="user", ip=ip)
    add_members(cohort, new_ids + [known.user_id for known in existing],
                actor_id=actor_id, ip=ip, source="import", unaudited=frozenset(new_ids))
    counts = {"new": len(new_ids), "existing": len(existing),
              "member": checked.counts["member"], "rows": len(checked.lines)}
    pending.invite_ids = new_ids + [k.user_id for k in existing if k.active and k.invited]
    pending.notice_ids = [k.user_id for k in existing if k.active and not k.invited]
    pending.applied_at = utcnow()
    pending.summary = counts
    pending.content = b""  # the people are in the database now; no second copy
    record_event("cohort.imported", actor_id=actor_id, target_type="cohort",
                 target_id=cohort.id, ip=ip, data={**counts, "import_id": pending.id,
                                                   "source": pending.source})
    db.session.flush()
    return counts


def mails_left(pending: CohortImport) -> int:
    """Emails of an applied import not yet sent."""
    return len(pending.invite_ids) + len(pending.notice_ids) - pending.mailed


def send_import_mail(pending: CohortImport, *, limit: int = MAIL_BATCH) -> int:
    """The next `limit` emails of an applied import (flushes; the counter moves with the
    batch's tokens in one commit, so a batch is sent once). Returns how many."""
    cohort = db.session.get(Cohort, pending.cohort_id)
    everyone = [(uid, True) for uid in pending.invite_ids] + [
        (uid, False) for uid in pending.notice_ids]
    batch = everyone[pending.mailed:pending.mailed + limit]
    users = {user.id: user for user in db.session.scalars(
        sa.select(User).where(User.id.in_([uid for uid, _invite in batch])))}
    reachable = [(users[uid], invite) for uid, invite in batch
                 if uid in users and users[uid].active]
    invitations.send_invitations([user for user, invite in reachable if invite],
                                 programme=cohort.name)
    for user, invite in reachable:
        if not invite:
            send_notice(user, cohort)
    pending.mailed += len(batch)
    db.session.flush()
    return len(batch)


def send_notice(user: User, cohort: Cohort) -> None:
    """Tell someone with an account that they are now in a cohort."""
    send_mail(to=user.email, template="cohort_notice", locale=invitations.mail_locale(user),
              context={"name": user.name, "cohort": cohort.name, "due_on": cohort.due_on,
                       "link": link("learning.dashboard")})
