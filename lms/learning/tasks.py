"""Background work of learning: the follow-up on use, emailed a set number of days after
a learner completes a course."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab

from lms.core.db import db, utcnow
from lms.core.jobs import periodic
from lms.learning import surveys

FOLLOW_UP_BATCH = 100  # enrolments marked and mailed per transaction
# A follow-up not sent within this many days of its due day is not sent at all: asked a
# year late, "have you used it?" asks about something else. It also keeps the first run
# after an upgrade (or after mail was down for long) from mailing every old completion.
FOLLOW_UP_LATE_DAYS = 60

log = logging.getLogger(__name__)


def send_due_follow_ups(now: datetime | None = None, batch: int = FOLLOW_UP_BATCH) -> int:
    """Send every follow-up that is due at `now`, one commit per batch; returns how many
    were sent. Each enrolment is marked in the transaction that queues its email (mail
    leaves only after the commit), so a run killed half-way, or a second worker, or a
    rerun, never sends one twice."""
    now = now or utcnow()
    total = 0
    plan = surveys.follow_up_plan()
    db.session.rollback()  # the plan's read ends here: each batch is a unit of its own
    for course_id, days in plan:
        cutoff = now - timedelta(days=days)
        since = cutoff - timedelta(days=FOLLOW_UP_LATE_DAYS)
        while True:
            ids = surveys.due_follow_up_ids(course_id, since, cutoff, batch)
            if not ids:
                break
            sent = sum(surveys.send_follow_up(enrolment_id, now) for enrolment_id in ids)
            db.session.commit()
            total += sent
            # A short batch was the last; one where others claimed every row means
            # another worker is on this course, and it finishes it.
            if len(ids) < batch or not sent:
                break
    return total


@periodic(crontab(minute="17"))
def send_follow_up_surveys() -> int:
    """Every hour, on every worker: each due follow-up is claimed by one of them."""
    try:
        return send_due_follow_ups()
    except Exception:
        db.session.rollback()
        log.exception("could not send the follow-up surveys; the next run tries again")
        return 0
