"""Background work of assessment: grading attempts abandoned past their deadline."""
from __future__ import annotations

from huey import crontab

from lms.assessment.services import close_expired_attempts
from lms.core.db import db
from lms.core.jobs import periodic


@periodic(crontab(minute="*"))
def close_expired() -> int:
    """Every minute, on every worker: finishing is a conditional UPDATE, so an attempt
    two workers both see is still graded once."""
    closed = close_expired_attempts()
    db.session.commit()
    return closed
