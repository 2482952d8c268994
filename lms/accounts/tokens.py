"""Single-use links sent by email: reset a password, accept an invitation, confirm a
new email. Only a hash of the token is stored; a link works once and expires."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow

PURPOSES = ("reset", "invite", "email")


class AccountToken(db.Model):
    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    data: Mapped[dict] = mapped_column(default=dict)  # e.g. the new email to confirm
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("purpose IN ('reset', 'invite', 'email')", name="purpose"),
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user_id: int, purpose: str, lifetime: timedelta,
                data: dict | None = None) -> str:
    """A new token (returned once, for the link); earlier unused ones of the same purpose
    stop working, so only the latest email's link does (flushes)."""
    now = utcnow()
    db.session.execute(sa.update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user_id, purpose=purpose, token_hash=hash_token(token),
                                data=data or {}, created_at=now, expires_at=now + lifetime))
    db.session.flush()
    return token


def use_token(token: str, purpose: str) -> AccountToken | None:
    """The token's row if it is valid now, marked used in the same statement (so two
    clicks cannot both use it); None when unknown, used or expired."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    row = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    done = db.session.execute(sa.update(AccountToken).where(
        AccountToken.id == row.id, AccountToken.used_at.is_(None)).values(used_at=now))
    if done.rowcount != 1:
        return None
    db.session.refresh(row)
    return row


def peek_token(token: str, purpose: str) -> AccountToken | None:
    """The token's row if it is valid now, without using it (a page that shows the form
    the token is for: the link is used when that form is sent)."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row
