"""Append-only audit log for grades, roles and certificates (no update or delete path)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(sa.String(45))


def record_event(action: str, *, actor_id: int | None, target_type: str,
                 target_id: int | None, data: dict[str, Any] | None = None,
                 ip: str | None = None) -> AuditEvent:
    """Add one audit event to the current transaction."""
    event = AuditEvent(action=action, actor_id=actor_id, target_type=target_type,
                       target_id=target_id, data=data or {}, ip=ip)
    db.session.add(event)
    return event
