"""Signing in: shared failure limits, the password check, and the audit trail.

Limits (lms.core.throttle, shared by every worker and host), each counted before
the password is checked so a concurrent burst cannot slip past:
- per address: LOGIN_LIMIT_PER_ADDRESS attempts a minute, so one machine cannot
  try many accounts (or hammer one); a successful sign-in gives its count back,
  so a room of judges behind one address can all sign in;
- per account: LOGIN_LIMIT_PER_ACCOUNT failures an hour, with a growing delay
  after the first ten.
An attacker could use the account limit to keep its owner out. So, as OWASP
suggests, a browser where the owner signed in before carries a signed *device
cookie*: from it, the account's limit does not apply, only a limit of that
device's own (a stolen cookie still cannot try many passwords).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.accounts.models import User
from lms.accounts.services import (
    EMAIL_RE,
    authenticate,
    normalise_email,
    upgrade_password_hash,
)
from lms.core import throttle
from lms.core.audit import record_event
from lms.core.db import utcnow

DEVICE_COOKIE = "lms_device"
DEVICE_DAYS = 365


@dataclass(frozen=True)
class SignIn:
    user: User | None
    retry_after: int = 0  # seconds, when refused by a limit
    device_cookie: str | None = None  # to set on success

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def device_cookie_name() -> str:
    # Over https the __Host- prefix: only this host, path /, Secure (as the session).
    return ("__Host-" if current_app.config["SESSION_COOKIE_SECURE"] else "") + DEVICE_COOKIE


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def _account_digest(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:24]


def device_cookie_for(email: str) -> str:
    return _signer().dumps({"account": _account_digest(email)})


def _known_device(cookie: str | None, email: str) -> str | None:
    """The device's own key when `cookie` was issued to this account's browser."""
    if not cookie:
        return None
    try:
        data = _signer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != _account_digest(email):
        return None
    return "login-device:" + hashlib.sha256(cookie.encode()).hexdigest()[:32]


def _shown(email: str) -> str:
    """What the audit log keeps of a typed email: the address, never other text (people
    type their password into the wrong box)."""
    email = normalise_email(email)[:254]
    return email if EMAIL_RE.match(email) else "(not an email address)"


def _refused(ip: str | None, email: str, limit: str, retry_after: int) -> SignIn:
    # One audit event per key and minute: a flood of refused requests is one line.
    if throttle.take(f"audited:{limit}:{ip if limit == 'address' else _shown(email)}", 1,
                     60).allowed:
        record_event("auth.login_throttled", actor_id=None, target_type="user",
                     target_id=None, ip=ip, data={"email": _shown(email), "limit": limit})
    return SignIn(None, retry_after)


def sign_in(email: str, password: str, *, ip: str | None,
            device_cookie: str | None = None) -> SignIn:
    """Check the limits, then the password; audit the outcome (the caller commits)."""
    config = current_app.config
    address_key = f"login-address:{ip or 'unknown'}"
    by_address = throttle.take(address_key, config["LOGIN_LIMIT_PER_ADDRESS"], 60)
    if not by_address.allowed:
        return _refused(ip, email, "address", by_address.retry_after)
    device_key = _known_device(device_cookie, email)
    account_key = device_key or f"login-account:{_account_digest(email)}"
    by_account = throttle.take(account_key, config["LOGIN_LIMIT_PER_ACCOUNT"], 3600,
                               backoff=True)
    if not by_account.allowed:
        # The address keeps this count: polling a delayed account costs attempts too.
        return _refused(ip, email, "device" if device_key else "account",
                        by_account.retry_after)
    user = authenticate(email, password)
    if user is None:
        record_event("auth.login_failed", actor_id=None, target_type="user", target_id=None,
                     ip=ip, data={"email": _shown(email)})
        return SignIn(None)
    throttle.give_back(address_key)
    throttle.clear(account_key)
    # After the counters: on SQLite they are written on their own connection, which
    # would wait for this session's write lock.
    upgrade_password_hash(user, password)
    # Tracking reads it beside the latest lesson and test; set at sign-in, never on every
    # request (a write per page would cost every learner on a slow connection).
    user.last_active_at = utcnow()
    record_event("auth.login_succeeded", actor_id=user.id, target_type="user",
                 target_id=user.id, ip=ip, data={"known_device": device_key is not None})
    return SignIn(user, device_cookie=device_cookie_for(user.email))
