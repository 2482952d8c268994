"""Signing in: shared failure limits, the password check, and the audit trail.

Limits (lms.core.throttle, shared by every worker and host):
- per address: LOGIN_LIMIT_PER_ADDRESS failures a minute, so one machine cannot
  try many accounts; a successful sign-in gives its count back, so a room of
  judges behind one address can all sign in;
- per account: LOGIN_LIMIT_PER_ACCOUNT failures an hour, with a growing delay
  after the first ten (never a hard lock: the owner waits a minute at most).
Both are counted before the password is checked, so a concurrent burst cannot
slip past between "check" and "count".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from lms.accounts.models import User
from lms.accounts.services import authenticate, normalise_email
from lms.core import throttle
from lms.core.audit import record_event


@dataclass(frozen=True)
class SignIn:
    user: User | None
    retry_after: int = 0  # seconds, when refused by a limit

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def _keys(email: str, ip: str | None) -> tuple[str, str]:
    return f"login-address:{ip or 'unknown'}", f"login-account:{normalise_email(email)[:254]}"


def sign_in(email: str, password: str, *, ip: str | None) -> SignIn:
    """Check the limits, then the password; audit the outcome (the caller commits)."""
    config = current_app.config
    address_key, account_key = _keys(email, ip)
    attempted = normalise_email(email)[:254]
    by_address = throttle.take(address_key, config["LOGIN_LIMIT_PER_ADDRESS"], 60)
    by_account = (throttle.take(account_key, config["LOGIN_LIMIT_PER_ACCOUNT"], 3600,
                                backoff=True)
                  if by_address.allowed else throttle.Decision(True))
    if not (by_address.allowed and by_account.allowed):
        if by_address.allowed:  # the account refused: this attempt was not tried
            throttle.give_back(address_key)
        record_event("auth.login_throttled", actor_id=None, target_type="user",
                     target_id=None, ip=ip,
                     data={"email": attempted,
                           "limit": "address" if not by_address.allowed else "account"})
        return SignIn(None, max(by_address.retry_after, by_account.retry_after))
    user = authenticate(email, password)
    if user is None:
        record_event("auth.login_failed", actor_id=None, target_type="user", target_id=None,
                     ip=ip, data={"email": attempted})
        return SignIn(None)
    throttle.give_back(address_key)
    throttle.clear(account_key)
    record_event("auth.login_succeeded", actor_id=user.id, target_type="user",
                 target_id=user.id, ip=ip)
    return SignIn(user)
