"""The SQLAlchemy handle, the declarative base and column types shared by every domain."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use lms.core.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING),
        type_annotation_map={datetime: UTCDateTime(), dict: sa.JSON, list: sa.JSON},
    )


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL for concurrent readers, enforced foreign keys, a busy timeout for writers,
    and a lower() that folds every script."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only; searches must fold Vietnamese (Đ, Ư) and
    # every other cased script as PostgreSQL's lower() does.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def upsert_insert(model: type, dialect: str | None = None):
    """The backend's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = dialect or db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _insert_ignore_statement(dialect: str, model: type, values: dict[str, Any]):
    # RETURNING rather than rowcount: psycopg reports -1 for inserts SQLAlchemy extends
    # with RETURNING for the primary key. A skipped row returns nothing.
    return (upsert_insert(model, dialect).values(**values).on_conflict_do_nothing()
            .returning(sa.literal_column("1")))


def insert_ignore(model: type, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either backend; True if the row was inserted.

    Used where a unique constraint settles a race (double taps, two workers): the
    loser learns it lost without an exception, a savepoint or a rolled-back request.
    """
    dialect = db.session.get_bind().dialect.name
    stmt = _insert_ignore_statement(dialect, model, values)
    return db.session.execute(stmt).first() is not None


def insert_ignore_on(conn: sa.Connection, model: type, values: dict[str, Any]) -> bool:
    """insert_ignore on a connection of its own (work that must outlive the request's
    transaction, such as counting a failed sign-in)."""
    stmt = _insert_ignore_statement(conn.dialect.name, model, values)
    return conn.execute(stmt).first() is not None
