"""Background work of reporting: reminders sent now or when their time comes."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from huey import crontab

from lms.catalog.models import Course
from lms.core.db import db
from lms.core.jobs import after_commit, periodic, task, use_storage
from lms.learning.cohorts import Cohort, Reminder
from lms.reporting import reminders


def schedule_reminder(cohort: Cohort, course: Course, *, audience: str, message: str,
                      send_at: datetime | None, actor_id: int | None, zone: str) -> Reminder:
    """`reminders.schedule_reminder`, and one to send now is queued once the caller
    commits (the periodic task is the safety net if the queue loses it)."""
    reminder = reminders.schedule_reminder(cohort, course, audience=audience, message=message,
                                           send_at=send_at, actor_id=actor_id, zone=zone)
    if send_at is None:
        app, reminder_id = current_app._get_current_object(), reminder.id

        def enqueue() -> None:
            use_storage(app)
            send_reminder(reminder_id)

        after_commit(enqueue)
    return reminder


def deliver_and_commit(reminder_id: int) -> int | None:
    """Send one reminder as one unit of work; None when it was not ours to send."""
    try:
        sent = reminders.deliver_reminder(reminder_id)
    except reminders.NotDue:
        db.session.rollback()  # drops any message queued before the claim was lost
        return None
    db.session.commit()
    return sent


@task()
def send_reminder(reminder_id: int) -> int | None:
    """Queue entry point of "send now"."""
    return deliver_and_commit(reminder_id)


@periodic(crontab(minute="*"))
def send_due_reminders() -> int:
    """Every minute, on every worker: each due reminder is claimed by one of them."""
    total = 0
    for reminder_id in reminders.due_reminder_ids():
        try:
            total += deliver_and_commit(reminder_id) or 0
        except Exception:
            db.session.rollback()
            logging.getLogger(__name__).exception("could not send reminder %s", reminder_id)
    return total
