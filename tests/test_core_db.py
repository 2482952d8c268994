"""The database helpers every race depends on, on the backend under test."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lms.accounts.models import User
from lms.certification.models import SerialCounter
from lms.core.db import insert_ignore


def test_insert_ignore_reports_whether_it_inserted(db):
    # An autoincrement table (the backend adds RETURNING id) and a natural-key one.
    user = {"email": "a@example.org", "name": "A", "role": "learner", "password_hash": "x",
            "active": True, "session_version": 1, "created_at": datetime.now(UTC)}
    assert insert_ignore(User, user) is True
    assert insert_ignore(User, user) is False
    assert insert_ignore(SerialCounter, {"year": 2026, "value": 0}) is True
    assert insert_ignore(SerialCounter, {"year": 2026, "value": 5}) is False
    assert db.session.get(SerialCounter, 2026).value == 0


def test_datetimes_come_back_in_utc(db, make_user):
    bangkok = timezone(timedelta(hours=7))
    user = make_user("learner", created_at=datetime(2026, 11, 28, 6, 0, tzinfo=bangkok))
    db.session.expire_all()
    stored = db.session.get(User, user.id).created_at
    assert stored == datetime(2026, 11, 27, 23, 0, tzinfo=UTC) and stored.tzinfo is not None
    with pytest.raises(Exception, match="naive datetime"):
        make_user("learner", created_at=datetime(2026, 1, 1))
    db.session.rollback()
