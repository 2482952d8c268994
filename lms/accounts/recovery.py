"""Passwords by email: the reset link, the reset itself, and a change with the old one."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.passwords import hash_password, password_problem, verify_password
from lms.accounts.services import (
    end_sessions,
    get_user_by_email,
    normalise_email,
    password_message,
)
from lms.accounts.tokens import issue_token, peek_token, use_token
from lms.core import throttle
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail

RESET_LIFETIME = timedelta(hours=1)
# Wrong current passwords on the profile page, per account and hour: a session left open
# on a shared computer must not become a way to guess the password.
PASSWORD_CHECKS_PER_HOUR = 10


class InvalidLink(DomainError):
    """A link that is unknown, used or expired: all three get the same page."""

    def __init__(self) -> None:
        super().__init__(_("This link has expired or was already used."))


def email_key(email: str) -> str:
    """A throttle key for an address (the key holds a digest, not the address)."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:24]


def send_reset_link(email: str, *, ip: str | None = None) -> bool:
    """Email a one-hour, single-use reset link to the account with this address, if one
    can sign in; False (and nothing sent) otherwise. Flushes; sent when the caller
    commits. Runs in a background task, so a request takes as long either way."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        return False
    token = issue_token(user.id, "reset", RESET_LIFETIME)
    record_event("user.password_reset_requested", actor_id=None, target_type="user",
                 target_id=user.id, ip=ip)
    send_mail(to=user.email, template="password_reset", locale=user.locale,
              context={"name": user.name, "link": link("accounts.reset_password",
                                                       token=token)})
    return True


def user_for_reset(token: str) -> User | None:
    """Whose password the link resets, without using the link (the form's page)."""
    row = peek_token(token, "reset")
    user = db.session.get(User, row.user_id) if row is not None else None
    return user if user is not None and user.active else None


def _set_password(user: User, password: str) -> None:
    if (problem := password_problem(password, (user.email, user.name))) is not None:
        raise DomainError(password_message(problem))
    user.password_hash = hash_password(password)
    end_sessions(user)  # every browser signed in as them, the attacker's included
    send_mail(to=user.email, template="password_changed", locale=user.locale,
              context={"name": user.name, "forgot_link": link("accounts.forgot_password")})


def reset_password(token: str, password: str, *, ip: str | None = None) -> User:
    """Use the link and set the new password; every session of the person ends. Raises
    InvalidLink, or DomainError for a refused password (the link then stays unused,
    as the caller rolls back)."""
    row = use_token(token, "reset")
    user = db.session.get(User, row.user_id) if row is not None else None
    if user is None or not user.active:
        raise InvalidLink()
    _set_password(user, password)
    if user.invited_at is not None and user.accepted_at is None:
        user.accepted_at = utcnow()  # the link proved the address, as an invitation does
    record_event("user.password_reset", actor_id=user.id, target_type="user",
                 target_id=user.id, ip=ip)
    db.session.flush()
    return user


def check_current_password(user: User, password: str) -> None:
    """Raises DomainError unless `password` is the person's current one (limited)."""
    key = f"password-check:{user.id}"
    if not throttle.take(key, PASSWORD_CHECKS_PER_HOUR, 3600).allowed:
        raise DomainError(_("Too many wrong passwords. Please wait an hour and try again, "
                            "or sign out and use “Forgot your password?”."))
    if not verify_password(user.password_hash, password):
        raise DomainError(_("Your current password is not correct."))
    throttle.give_back(key)  # only wrong ones count


def change_password(user: User, *, current: str, new: str, ip: str | None = None) -> None:
    """With the current password; ends every session (the caller starts a new one for
    the browser that made the change)."""
    check_current_password(user, current)
    _set_password(user, new)
    record_event("user.password_changed", actor_id=user.id, target_type="user",
                 target_id=user.id, ip=ip)
    db.session.flush()
