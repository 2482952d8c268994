"""Append-only audit log for grades, roles and certificates (no update or delete path)."""
from __future__ import annotations

import re
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
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    # The viewer pages by id, newest first; each filter's index ends in id, so a page
    # of one actor, action or target is ~50 index entries read backwards at any size
    # (migration 0011). The action index also lists the distinct actions cheaply.
    __table_args__ = (
        sa.Index("ix_audit_event_actor_id_id", "actor_id", "id"),
        sa.Index("ix_audit_event_action_id", "action", "id"),
        sa.Index("ix_audit_event_target", "target_type", "target_id", "id"),
    )


# Keys whose values must never be written down (ASVS 7.1.1): refused, not filtered, so a
# mistake shows up in the tests instead of in the log.
SECRET_KEYS = re.compile(r"password|passwd|secret|token|csrf", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MAX_TEXT = 500


def clean(value: Any) -> Any:
    """Strings with control characters escaped (no forged lines in any log viewer or
    export; ASVS 7.3.1) and cut to a sane length; containers cleaned throughout."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", value)[:MAX_TEXT]
    if isinstance(value, dict):
        return {clean(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def _values(action: str, actor_id: int | None, target_type: str, target_id: int | None,
            data: dict[str, Any] | None, ip: str | None) -> dict[str, Any]:
    """One event's columns, checked (no secret-named keys) and cleaned."""
    data = data or {}
    if any(SECRET_KEYS.search(str(key)) for key in data):
        raise ValueError(f"audit data for {action} names a secret: {sorted(data)}")
    return {"action": action, "actor_id": actor_id, "target_type": target_type,
            "target_id": target_id, "data": clean(data), "ip": clean(ip)[:45] if ip else None}


def record_event(action: str, *, actor_id: int | None, target_type: str,
                 target_id: int | None, data: dict[str, Any] | None = None,
                 ip: str | None = None) -> AuditEvent:
    """Add one audit event to the current transaction."""
    event = AuditEvent(**_values(action, actor_id, target_type, target_id, data, ip))
    db.session.add(event)
    return event


def record_events(action: str, events: list[dict[str, Any]], *, actor_id: int | None,
                  target_type: str, ip: str | None = None) -> None:
    """Many events of one action in one INSERT (bulk work: a batch of certificates);
    each dict gives `target_id` and `data`."""
    if not events:
        return
    now = utcnow()
    rows = [{"at": now, **_values(action, actor_id, target_type, item["target_id"],
                                  item.get("data"), ip)} for item in events]
    db.session.execute(sa.insert(AuditEvent), rows)
