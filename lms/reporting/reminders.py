"""Reminders to a filtered group of a cohort's members: scheduled, then sent once."""
# The audience is a tracking filter, read when the reminder goes out (not when it was
# written): a reminder to "not completed" scheduled for next week reaches whoever has
# still not completed by then. People who turned reminders off, and deactivated
# accounts, never get one.
#
# Exactly once, with any number of workers: the messages are rendered and queued first,
# then a conditional UPDATE (`sent_at IS NULL`) claims the reminder. A worker that finds
# it claimed raises `NotDue`; its caller rolls back, which drops the queued messages (mail
# leaves only after a commit). The claim, the count and the audit event commit together.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail
from lms.learning.cohorts import Cohort, Reminder
from lms.reporting.tracking import FILTERS, is_past_due, local_today, matches, tracked_rows

AUDIENCES = ("all", *FILTERS)
MESSAGE_LENGTH = 2000
DUE_BATCH = 20  # reminders one run of the periodic task sends at most
OFF_SALT = "lms.reminders-off"


class NotDue(Exception):
    """The reminder is unknown, not due yet, or already sent (by another worker)."""


def schedule_reminder(cohort: Cohort, course: Course, *, audience: str, message: str,
                      send_at: datetime | None, actor_id: int | None, zone: str) -> Reminder:
    """A reminder to the members of `cohort` in `course` that `audience` finds, sent at
    `send_at` (None: now). A later one must fall on or before the due date, as dated
    in the scheduler's time `zone`. Flushes; the caller commits."""
    now = utcnow()
    message = (message or "").strip()
    if audience not in AUDIENCES:
        raise DomainError(_("Choose who the reminder is for."))
    if len(message) > MESSAGE_LENGTH:
        raise DomainError(_("The note is too long (at most %(num)d characters).",
                            num=MESSAGE_LENGTH))
    if cohort.archived_at is not None:
        raise DomainError(_("This cohort is archived: it gets no more reminders."))
    if send_at is not None:
        if send_at <= now:
            raise DomainError(_("Choose a time in the future, or send the reminder now."))
        if cohort.due_on is not None and \
                send_at.astimezone(ZoneInfo(zone)).date() > cohort.due_on:
            raise DomainError(_("A scheduled reminder goes out on or before the due date."))
        if audience == "overdue":
            raise DomainError(_("No one is overdue before the due date: send reminders to "
                                "the overdue now, or schedule one for those not completed."))
    reminder = Reminder(cohort_id=cohort.id, course_id=course.id, audience=audience,
                        message=message, send_at=send_at or now, created_by_id=actor_id)
    db.session.add(reminder)
    db.session.flush()
    record_event("reminder.scheduled", actor_id=actor_id, target_type="reminder",
                 target_id=reminder.id, data={"cohort": cohort.id, "course": course.slug,
                                              "audience": audience,
                                              "send_at": reminder.send_at.isoformat()})
    return reminder


def cancel_reminder(reminder: Reminder, *, actor_id: int | None) -> None:
    """Withdraw a reminder not yet sent (a conditional DELETE: one being sent stays)."""
    gone = db.session.execute(sa.delete(Reminder).where(
        Reminder.id == reminder.id, Reminder.sent_at.is_(None))
        .execution_options(synchronize_session=False)).rowcount
    if gone != 1:
        raise DomainError(_("This reminder has already been sent."))
    record_event("reminder.cancelled", actor_id=actor_id, target_type="reminder",
                 target_id=reminder.id, data={"cohort": reminder.cohort_id,
                                              "course": reminder.course_id,
                                              "audience": reminder.audience})


def recipients_query(cohort: Cohort, course_id: int, audience: str, today: date) -> sa.Select:
    """The members the audience finds who accept reminders: id, email, name, locale."""
    tracked = tracked_rows(cohort.id, course_id, is_past_due(cohort, today)).subquery("t")
    return (sa.select(User.id, User.email, User.name, User.locale)
            .join(tracked, tracked.c.user_id == User.id)
            .where(*matches(tracked, audience), User.reminders_opt_out.is_(False),
                   User.active.is_(True))
            .order_by(User.id))


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    locale: str | None


def deliver_reminder(reminder_id: int) -> int:
    """Queue the reminder's messages, one per recipient in their language, and mark it
    sent with their number (returned). Raises NotDue when it is not due or another
    worker sent it: the caller must then roll back. Flushes; the caller commits."""
    now = utcnow()
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.sent_at is not None or reminder.send_at > now:
        raise NotDue(reminder_id)
    cohort = db.session.get(Cohort, reminder.cohort_id)
    course = db.session.get(Course, reminder.course_id)
    sender = db.session.get(User, reminder.created_by_id) if reminder.created_by_id else None
    today = local_today(sender)  # "overdue" as the person who asked for it sees dates
    people = [] if cohort.archived_at else [Recipient(*values) for values in db.session.execute(
        recipients_query(cohort, course.id, reminder.audience, today))]  # archived: nobody
    course_url = link("learning.course", slug=course.slug)
    settings_url = link("reporting.reminder_settings")
    for person in people:
        send_mail(to=person.email, template="reminder", locale=person.locale, context={
            "name": person.name, "course_title": course.title, "course_url": course_url,
            "cohort_name": cohort.name, "due_on": cohort.due_on, "message": reminder.message,
            "off_url": link("reporting.reminders_off", token=off_token(person.id)),
            "settings_url": settings_url})
    claimed = db.session.execute(
        sa.update(Reminder).where(Reminder.id == reminder_id, Reminder.sent_at.is_(None))
        .values(sent_at=now, recipients=len(people))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise NotDue(reminder_id)
    record_event("reminder.sent", actor_id=reminder.created_by_id, target_type="reminder",
                 target_id=reminder_id, data={"cohort": cohort.id, "course": course.slug,
                                              "audience": reminder.audience,
                                              "recipients": len(people)})
    db.session.flush()
    return len(people)


def due_reminder_ids(limit: int = DUE_BATCH) -> list[int]:
    """Reminders whose time has come and that nobody has sent, oldest first."""
    return list(db.session.scalars(
        sa.select(Reminder.id).where(Reminder.sent_at.is_(None), Reminder.send_at <= utcnow())
        .order_by(Reminder.send_at, Reminder.id).limit(limit)))


def cohort_reminders(cohort_id: int, course_id: int, limit: int = 20) -> list[Reminder]:
    """The latest reminders of a cohort's course, to be sent first, then by date."""
    return list(db.session.scalars(
        sa.select(Reminder).where(Reminder.cohort_id == cohort_id,
                                  Reminder.course_id == course_id)
        .order_by(Reminder.sent_at.is_not(None), Reminder.send_at.desc(), Reminder.id.desc())
        .limit(limit)))


# --- links in the email ---------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=OFF_SALT)


def off_token(user_id: int) -> str:
    """The signed part of a one-click "no more reminders" link (no expiry: an old email's
    link still works; it can do nothing but turn reminders off)."""
    return _serializer().dumps(user_id)


def user_from_off_token(token: str) -> User | None:
    if len(token) > 200:
        return None
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None
