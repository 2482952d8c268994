"""The failed-login limit holds across a real multi-worker gunicorn: 4 processes × 4
threads, counting in the database (embedded) or in Redis (scaled)."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from lms.core.throttle import ThrottleCounter
from tests.gunicorn import gunicorn, wrong_passwords_at_once, wrong_passwords_in_a_row
from tests.test_config import _redis_or_skip

pytestmark = pytest.mark.slow
WRONG = "not the right passphrase"


def _sequential(base: str, email: str, n: int) -> list[int]:
    return wrong_passwords_in_a_row(base, email, n, WRONG)


def _concurrent(base: str, email: str, n: int) -> list[int]:
    return wrong_passwords_at_once(base, email, n, WRONG)


@pytest.fixture
def served(app, database_url, make_user):
    user = make_user("learner")
    return database_url, user.email


def test_the_limit_is_shared_by_four_workers_in_the_database(db, served):
    database_url, email = served
    with gunicorn(database_url, LMS_LOGIN_LIMIT_PER_ADDRESS="10") as base:
        sequential = _sequential(base, email, 60)
        concurrent = _concurrent(base, email + ".other", 100)
    # The address allows 10 failures a minute, whichever worker answers.
    assert sequential.count(401) == 10, sequential
    assert concurrent.count(401) == 0 and concurrent.count(429) == 100
    db.session.expire_all()
    assert db.session.scalar(sa.select(ThrottleCounter.count).where(
        ThrottleCounter.key == "login-address:127.0.0.1")) == 10


def test_a_burst_of_one_hundred_checks_exactly_ten(db, served):
    database_url, email = served
    with gunicorn(database_url, LMS_LOGIN_LIMIT_PER_ADDRESS="10") as base:
        statuses = _concurrent(base, email, 100)
    assert statuses.count(401) == 10 and statuses.count(429) == 90, sorted(statuses)


def test_the_limit_is_shared_by_four_workers_in_redis(db, served):
    redis = _redis_or_skip()
    database_url, email = served
    queue = f"lms-test-{uuid.uuid4().hex[:8]}"
    try:
        with gunicorn(database_url, LMS_LOGIN_LIMIT_PER_ADDRESS="10",
                      LMS_REDIS_URL="redis://127.0.0.1:6379/0", LMS_JOBS_QUEUE=queue) as base:
            sequential = _sequential(base, email, 60)
        assert sequential.count(401) == 10, sequential
        assert redis.hget(f"{queue}:throttle:login-address:127.0.0.1", "count") == b"10"
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ThrottleCounter)) == 0
        for key in redis.scan_iter(f"{queue}:throttle:*"):
            redis.delete(key)
        with gunicorn(database_url, LMS_LOGIN_LIMIT_PER_ADDRESS="10",
                      LMS_REDIS_URL="redis://127.0.0.1:6379/0", LMS_JOBS_QUEUE=queue) as base:
            statuses = _concurrent(base, email, 100)
        assert statuses.count(401) == 10 and statuses.count(429) == 90, sorted(statuses)
    finally:
        for key in redis.scan_iter(f"{queue}:*"):
            redis.delete(key)
