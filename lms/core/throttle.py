"""Rate limits shared by every worker and host: in the database, or in Redis when set.

One primitive, `take(key, limit, window)`: count one attempt and say whether it
is allowed, in a single atomic statement, so a burst of concurrent requests
cannot all read "9 so far" and all pass. The caller counts *before* it does the
expensive or sensitive work (checking a password) and gives the attempt back
when it turns out harmless (a successful sign-in).

With `backoff=True` the key also gets a growing delay after `FREE` attempts in
its window (1, 2, 4 … up to `MAX_DELAY` seconds between attempts): an account
under attack slows the attacker down, and its owner waits a minute at most.

Counts are written in their own short transaction, not the request's: a request
that fails and rolls back must still have counted.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, insert_ignore_on

FREE = 10  # attempts in a window before the growing delay starts
MAX_DELAY = 60  # seconds


class ThrottleCounter(db.Model):
    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    window_start: Mapped[float]  # epoch seconds
    count: Mapped[int]
    not_before: Mapped[float]  # epoch seconds; the next attempt waits until then


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds


def delay_after(count: int) -> int:
    """Seconds the next attempt waits after `count` attempts in the window."""
    return 0 if count < FREE else min(2 ** (count - FREE), MAX_DELAY)


def take(key: str, limit: int, window: int, *, backoff: bool = False) -> Decision:
    """Count one attempt on `key`; allowed while fewer than `limit` were counted in the
    current window (and, with backoff, once the key's delay has passed)."""
    redis = current_app.extensions.get("lms_redis")
    if redis is not None:
        return _take_redis(redis, key, limit, window, backoff)
    return _take_sql(key, limit, window, backoff)


def exhausted(key: str, limit: int, window: int) -> bool:
    """Whether `key` has used its `limit` in the current window (reads, counts nothing)."""
    redis = current_app.extensions.get("lms_redis")
    if redis is not None:
        start, count = redis.hmget(_redis_key(key), "start", "count")
        return (count is not None and int(count) >= limit
                and float(redis.time()[0]) < float(start) + window)
    # A pooled connection of its own, not the request's session: this runs before every
    # verification page, most of which then need no database at all (page_cache).
    with db.engine.connect() as conn:
        row = conn.execute(_COUNTER, {"key": key}).first()
    return row is not None and row.count >= limit and time.time() < row.window_start + window


_COUNTER = sa.select(ThrottleCounter.window_start, ThrottleCounter.count).where(
    ThrottleCounter.key == sa.bindparam("key"))


def give_back(key: str) -> None:
    """Uncount one attempt (it was harmless after all)."""
    redis = current_app.extensions.get("lms_redis")
    if redis is not None:
        redis.eval(_REDIS_GIVE_BACK, 1, _redis_key(key))
        return
    with db.engine.begin() as conn:
        conn.execute(sa.update(ThrottleCounter).where(
            ThrottleCounter.key == key, ThrottleCounter.count > 0)
            .values(count=ThrottleCounter.count - 1))


def clear(key: str) -> None:
    """Forget every attempt on `key` (the account's owner signed in)."""
    redis = current_app.extensions.get("lms_redis")
    if redis is not None:
        redis.delete(_redis_key(key))
        return
    with db.engine.begin() as conn:
        conn.execute(sa.delete(ThrottleCounter).where(ThrottleCounter.key == key))


def purge_expired(older_than: int = 2 * 3600) -> int:
    """Delete counters whose window ended long ago (a periodic job; Redis expires its own)."""
    with db.engine.begin() as conn:
        return conn.execute(sa.delete(ThrottleCounter).where(
            ThrottleCounter.window_start < time.time() - older_than,
            ThrottleCounter.not_before < time.time())).rowcount


def _not_before_sql(new_count: sa.ColumnElement, now: float) -> sa.ColumnElement:
    """now + delay_after(new_count) as SQL; 0 while there is no delay, so a request that
    read the clock a moment before another's cannot be refused by it."""
    steps = [(new_count == n, now + delay_after(n))
             for n in range(FREE, FREE + int(math.log2(MAX_DELAY)) + 1)]
    return sa.case((new_count < FREE, 0.0), *steps, else_=now + MAX_DELAY)


def _take_sql(key: str, limit: int, window: int, backoff: bool) -> Decision:
    now = time.time()
    table = ThrottleCounter
    expired = table.window_start <= now - window
    new_count = sa.case((expired, 1), else_=table.count + 1)
    with db.engine.begin() as conn:
        insert_ignore_on(conn, table, {"key": key, "window_start": now, "count": 0,
                                       "not_before": 0.0})
        # One conditional UPDATE: the row lock (PostgreSQL) or the write lock (SQLite)
        # makes concurrent takes queue, and each sees the count the previous one left.
        counted = conn.execute(
            sa.update(table).where(table.key == key, table.not_before <= now,
                                   sa.or_(expired, table.count < limit))
            .values(count=new_count,
                    window_start=sa.case((expired, now), else_=table.window_start),
                    not_before=_not_before_sql(new_count, now) if backoff else 0.0)
            .returning(table.count)).first()
        if counted is not None:
            return Decision(True)
        row = conn.execute(sa.select(table.window_start, table.count, table.not_before)
                           .where(table.key == key)).one()
    waits = [row.not_before - now]
    if row.count >= limit:
        waits.append(row.window_start + window - now)
    return Decision(False, max(1, math.ceil(max(waits))))


def _redis_key(key: str) -> str:
    return f"{current_app.config['JOBS_QUEUE']}:throttle:{key}"


# KEYS[1]: the counter hash. ARGV: limit, window, backoff (0/1), FREE, MAX_DELAY.
# Returns {1, 0} when counted, {0, seconds to wait} when refused. Lua runs atomically,
# on Redis's clock: web hosts whose clocks differ still share one time line.
_REDIS_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local backoff, free, max_delay = ARGV[3] == '1', tonumber(ARGV[4]), tonumber(ARGV[5])
local start = tonumber(redis.call('HGET', KEYS[1], 'start') or now)
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or 0)
local not_before = tonumber(redis.call('HGET', KEYS[1], 'not_before') or 0)
if start <= now - window then start, count = now, 0 end
if not_before > now then return {0, math.ceil(not_before - now)} end
if count >= limit then return {0, math.ceil(start + window - now)} end
count = count + 1
local delay = 0
if backoff and count >= free then delay = math.min(2 ^ (count - free), max_delay) end
if delay > 0 then not_before = now + delay else not_before = 0 end
redis.call('HSET', KEYS[1], 'start', start, 'count', count, 'not_before', not_before)
redis.call('EXPIRE', KEYS[1], math.ceil(window + max_delay))
return {1, 0}
"""

_REDIS_GIVE_BACK = """
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or 0)
if count > 0 then redis.call('HSET', KEYS[1], 'count', count - 1) end
return count
"""


def _take_redis(redis, key: str, limit: int, window: int, backoff: bool) -> Decision:
    allowed, wait = redis.eval(_REDIS_TAKE, 1, _redis_key(key), limit, window, int(backoff),
                               FREE, MAX_DELAY)
    return Decision(bool(allowed), max(1, int(wait)) if not allowed else 0)
