"""Settings an admin changes in the browser (registration mode, …): one row per key."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow


class SiteSetting(db.Model):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


def get_setting(key: str, default: Any = None) -> Any:
    row = db.session.get(SiteSetting, key)
    return default if row is None else row.value


def set_setting(key: str, value: Any, *, actor_id: int | None) -> None:
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value, updated_by_id=actor_id))
    else:
        row.value, row.updated_at, row.updated_by_id = value, utcnow(), actor_id
    db.session.flush()
