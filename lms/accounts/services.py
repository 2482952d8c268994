"""Accounts: registration, sign-in checks, roles and session invalidation."""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.choices import TIMEZONES
from lms.accounts.models import User
from lms.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from lms.core.access import ROLES
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.myanmar import looks_like_zawgyi

NAME_MAX = 150
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


# Zero-width spaces and BOMs come in with names pasted from Khmer, Thai or Myanmar
# text; they are invisible, so they are removed rather than refused.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def normalise_name(name: str) -> str:
    """NFC, trimmed, inner runs of spaces made one; as printed on a certificate."""
    name = unicodedata.normalize("NFC", name).translate(_INVISIBLE)
    return re.sub(r"\s+", " ", name).strip()


def name_problem(name: str) -> str | None:
    if not name:
        return _("Please enter your name.")
    if len(name) > NAME_MAX:
        return _("The name can be at most %(max)d characters.", max=NAME_MAX)
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d"
           for ch in name):
        return _("The name contains invisible control characters.")
    if looks_like_zawgyi(name):
        return _("This name seems to be typed in Zawgyi, an old encoding for Burmese that "
                 "shows wrongly on certificates and other screens. Please switch your "
                 "keyboard to Unicode (for example Myanmar3 or Pyidaungsu) and type it "
                 "again.")
    return None


def password_message(problem: str) -> str:
    return {
        "short": _("Use at least 12 characters; a few words make a good passphrase."),
        "long": _("This password is too long."),
        "common": _("This password is too easy to guess; add a few more words."),
    }[problem]


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_new_account(email: str, name: str, password: str) -> None:
    """The checks every new account passes (address, name, password), on normalised
    values; raises DomainError. Registration runs them before it looks the address up."""
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise DomainError(_("Please enter a valid email address."))
    if (problem := name_problem(name)) is not None:
        raise DomainError(problem)
    if (problem := password_problem(password, (email, name))) is not None:
        raise DomainError(password_message(problem))


def create_user(*, email: str, name: str, password: str, role: str = "learner",
                locale: str | None = None, country: str | None = None,
                organisation: str | None = None, sector: str | None = None,
                sex: str | None = None) -> User:
    """Create an account; raises DomainError on a taken email or a weak password."""
    email = normalise_email(email)
    name = normalise_name(name)
    check_new_account(email, name, password)
    if role not in ROLES:
        raise DomainError(_("Unknown role."))
    if get_user_by_email(email) is not None:
        raise DomainError(_("An account with this email already exists. Sign in instead."))
    user = User(email=email, name=name, role=role, password_hash=hash_password(password),
                locale=locale, country=country, organisation=(organisation or None),
                sector=sector, sex=sex)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user, or None: unknown email and wrong password are indistinguishable."""
    user = get_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def upgrade_password_hash(user: User, password: str) -> None:
    """After a successful sign-in, re-hash an older (scrypt) or cheaper hash with
    today's: the only moment the server holds the password."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every cookie issued to this user (logout everywhere)."""
    user.session_version += 1
    db.session.flush()


def change_role(user: User, role: str, *, actor: User, ip: str | None = None) -> None:
    if role not in ROLES:
        raise DomainError(_("Unknown role."))
    if user.id == actor.id:
        raise DomainError(_("You cannot change your own role."))
    if user.role == role:
        return
    record_event("user.role_changed", actor_id=actor.id, target_type="user",
                 target_id=user.id, data={"from": user.role, "to": role}, ip=ip)
    user.role = role
    end_sessions(user)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()


def update_settings(user: User, *, locale: str, timezone: str) -> None:
    """Language and time zone; the zone must be one the platform offers."""
    if timezone not in TIMEZONES:
        raise DomainError(_("Choose one of the listed time zones."))
    user.locale = locale
    user.timezone = timezone
    db.session.flush()
