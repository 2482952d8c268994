"""Background work of assessment: grading attempts abandoned past their deadline."""
from __future__ import annotations

import logging

from huey import crontab

from lms.assessment.services import close_expired_attempt, expired_attempt_ids
from lms.core.db import db
from lms.core.jobs import periodic


@periodic(crontab(minute="*"))
def close_expired() -> int:
    """Every minute, on every worker: finishing is a conditional UPDATE, so an attempt
    two workers both see is still graded once. One commit per attempt, so one that
    cannot be graded does not hold back the others."""
    closed = 0
    for attempt_id in expired_attempt_ids():
        try:
            closed += close_expired_attempt(attempt_id)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logging.getLogger(__name__).exception("could not grade expired attempt %s",
                                                  attempt_id)
    return closed
