"""How many wrong passwords get checked against a multi-worker gunicorn.

    .venv/bin/python bench/login_limit.py [--workers 4] [--limit 10]

For each store of the failure counts (SQLite, PostgreSQL, PostgreSQL + Redis), serves
the platform with gunicorn (--workers x 4 threads) and sends one account
60 wrong passwords one after another, then (a fresh address window) 100 at once from
100 browsers released together. Prints how many were checked (401) rather than
refused (429); with a shared, atomic limit both equal --limit.

WARNING: the PostgreSQL runs wipe the lms_bench database (see finish_attempts.py).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from finish_attempts import POSTGRES_URL, prepare_postgres  # noqa: E402

from tests.gunicorn import (  # noqa: E402
    gunicorn,
    wrong_passwords_at_once,
    wrong_passwords_in_a_row,
)

WRONG = "not the right passphrase"
EMAIL = "judge@example.org"


def prepare(database_url: str) -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.accounts.services import create_user
    from lms.core.db import db

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        create_user(email=EMAIL, name="Bench Judge", password="a long bench passphrase 42")
        db.session.commit()
        db.engine.dispose()


def clear_counters(database_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM throttle_counter"))
    engine.dispose()


def run(name: str, database_url: str, workers: int, limit: int, **env: str) -> None:
    settings = {"LMS_LOGIN_LIMIT_PER_ADDRESS": str(limit), **env}
    with gunicorn(database_url, workers=workers, **settings) as base:
        first = wrong_passwords_in_a_row(base, EMAIL, 60, WRONG)
    clear_counters(database_url)
    if "LMS_REDIS_URL" in env:
        import redis

        client = redis.Redis.from_url(env["LMS_REDIS_URL"])
        for key in client.scan_iter(f"{env['LMS_JOBS_QUEUE']}:*"):
            client.delete(key)
    with gunicorn(database_url, workers=workers, **settings) as base:
        second = wrong_passwords_at_once(base, EMAIL, 100, WRONG)
    print(f"{name:<22} {workers} workers x 4 threads, limit {limit}: "
          f"{first.count(401)} of 60 sequential checked ({first.count(429)} refused), "
          f"{second.count(401)} of 100 concurrent checked ({second.count(429)} refused)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        prepare(url)
        run("SQLite (database)", url, args.workers, args.limit)
    prepare_postgres(POSTGRES_URL)
    prepare(POSTGRES_URL)
    run("PostgreSQL (database)", POSTGRES_URL, args.workers, args.limit)
    run("PostgreSQL + Redis", POSTGRES_URL, args.workers, args.limit,
        LMS_REDIS_URL="redis://127.0.0.1:6379/0", LMS_JOBS_QUEUE=f"bench-{uuid.uuid4().hex[:6]}")


if __name__ == "__main__":
    main()
