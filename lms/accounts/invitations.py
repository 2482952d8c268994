"""Invitations: a link by email to choose a password, which signs the person in."""
# For people an admin added (a cohort import). The link works once and expires after 14
# days; an admin can send a new one, and the old link then stops working.
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.passwords import hash_password, password_problem
from lms.accounts.services import end_sessions, password_message
from lms.accounts.tokens import AccountToken, hash_token, issue_token, use_token
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail

INVITE_LIFETIME = timedelta(days=14)
# Stored instead of a hash until the person chooses a password: no password matches it
# (it is no hash format verify_password knows), so the account cannot be signed in to.
NO_PASSWORD = "!invited"  # noqa: S105 (a marker, not a password)
# The language an invitation is written in when the file did not say: the country's.
COUNTRY_LOCALES = {"TH": "th", "KH": "km", "LA": "lo", "MM": "my", "VN": "vi", "ID": "id",
                   "MY": "ms", "PH": "fil"}

PENDING = sa.and_(User.invited_at.is_not(None), User.accepted_at.is_(None))


def is_pending(user: User) -> bool:
    """Invited and not yet accepted."""
    return user.invited_at is not None and user.accepted_at is None


def mail_locale(user: User) -> str | None:
    """The person's language if known, else their country's, if the platform has it."""
    offered = current_app.extensions["lms_locales"]
    for code in (user.locale, COUNTRY_LOCALES.get(user.country or "")):
        if code in offered:
            return code
    return None


def _local_date(moment: datetime, user: User) -> date:
    return moment.astimezone(ZoneInfo(user.timezone_name)).date()


def send_invitation(user: User, *, programme: str | None = None) -> None:
    """Issue a new link (earlier ones stop working) and email it; flushes, and the
    message goes when the caller commits. `programme`: the cohort it is for."""
    token = issue_token(user.id, "invite", INVITE_LIFETIME,
                        {"programme": programme} if programme else None)
    _mail_invitation(user, token, programme)


def send_invitations(users: list[User], *, programme: str | None = None) -> None:
    """send_invitation for a batch (an import's): the links in two statements, not two
    per person."""
    if not users:
        return
    now = utcnow()
    ids = [user.id for user in users]
    db.session.execute(sa.update(AccountToken).where(
        AccountToken.user_id.in_(ids), AccountToken.purpose == "invite",
        AccountToken.used_at.is_(None)).values(used_at=now))
    tokens = {user.id: secrets.token_urlsafe(32) for user in users}
    db.session.execute(sa.insert(AccountToken), [
        {"user_id": uid, "purpose": "invite", "token_hash": hash_token(token),
         "data": {"programme": programme} if programme else {}, "created_at": now,
         "expires_at": now + INVITE_LIFETIME} for uid, token in tokens.items()])
    for user in users:
        _mail_invitation(user, tokens[user.id], programme)


def _mail_invitation(user: User, token: str, programme: str | None) -> None:
    send_mail(to=user.email, template="invitation", locale=mail_locale(user), context={
        "name": user.name, "programme": programme,
        "link": link("accounts.accept_invitation", token=token),
        "expires_on": _local_date(utcnow() + INVITE_LIFETIME, user),
        "login_link": link("accounts.login")})


def resend_invitation(user: User, *, actor_id: int, ip: str | None = None) -> None:
    """A new link for someone who has not accepted; the programme named in the last one
    is named again."""
    if not is_pending(user):
        raise DomainError(_("%(name)s accepted the invitation already.", name=user.name))
    if not user.active:
        raise DomainError(_("This account is deactivated. Reactivate it first."))
    previous = db.session.scalar(
        sa.select(AccountToken.data).where(AccountToken.user_id == user.id,
                                           AccountToken.purpose == "invite")
        .order_by(AccountToken.id.desc()).limit(1)) or {}
    send_invitation(user, programme=previous.get("programme"))
    record_event("user.invitation_resent", actor_id=actor_id, target_type="user",
                 target_id=user.id, ip=ip)


@dataclass(frozen=True)
class InvitationLink:
    """What an invitation link is now: `valid`, or why not (`accepted`: the person has a
    password; `replaced`: a newer link was sent; `expired`; `unknown`)."""

    state: str
    user: User | None = None
    expires_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def invitation_link(token: str) -> InvitationLink:
    """Look at a link without using it (the page with the form)."""
    if not token or len(token) > 200:
        return InvitationLink("unknown")
    row = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == hash_token(token), AccountToken.purpose == "invite"))
    user = db.session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        return InvitationLink("unknown")
    if user.accepted_at is not None:
        return InvitationLink("accepted", user, row.expires_at)
    if row.used_at is not None:
        return InvitationLink("replaced", user, row.expires_at)
    if row.expires_at <= utcnow():
        return InvitationLink("expired", user, row.expires_at)
    return InvitationLink("valid", user, row.expires_at)


class InvalidInvitation(DomainError):
    """A link that cannot be used; `found` says why (the page explains it)."""

    def __init__(self, found: InvitationLink):
        super().__init__(_("This invitation link cannot be used any more."))
        self.found = found


def accept_invitation(token: str, password: str, *, ip: str | None = None) -> User:
    """Use the link and set the password (the password rules apply; a refused one leaves
    the link usable). Raises InvalidInvitation or DomainError; the caller signs in."""
    found = invitation_link(token)
    if not found.valid or found.user is None:
        raise InvalidInvitation(found)
    user = found.user
    if (problem := password_problem(password, (user.email, user.name))) is not None:
        raise DomainError(password_message(problem))
    if use_token(token, "invite") is None:  # used by a second click a moment ago
        raise InvalidInvitation(invitation_link(token))
    user.password_hash = hash_password(password)
    user.accepted_at = utcnow()
    end_sessions(user)
    record_event("user.invitation_accepted", actor_id=user.id, target_type="user",
                 target_id=user.id, ip=ip)
    db.session.flush()
    return user


def link_expiry() -> sa.ScalarSelect[Any]:
    """Per person (correlated): when their latest invitation link expires."""
    return (sa.select(sa.func.max(AccountToken.expires_at))
            .where(AccountToken.user_id == User.id, AccountToken.purpose == "invite")
            .correlate(User).scalar_subquery())


def pending_query() -> sa.Select:
    """Everyone invited who has not accepted, with their link's expiry (for a keyset
    page: newest first by id, through the partial index on pending invitations)."""
    return sa.select(User, link_expiry().label("expires_at")).where(PENDING)
