"""Registration: open, by invitation or with approval; the address confirmed by a link."""
# The answer never says whether an address already has an account: its owner gets an
# email instead.
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.demographics import apply_answers, checked_answers
from lms.accounts.models import User
from lms.accounts.passwords import hash_password
from lms.accounts.recovery import InvalidLink, email_key
from lms.accounts.services import (
    check_new_account,
    create_user,
    get_user_by_email,
    normalise_email,
    normalise_name,
)
from lms.accounts.tokens import AccountToken, issue_token, peek_token, use_token
from lms.core import throttle
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail
from lms.core.site_settings import get_setting, set_setting

MODE_KEY = "registration_mode"
MODES = {"open": _l("Open: anyone can create an account"),
         "invite": _l("By invitation only: people join through an invitation email"),
         "approval": _l("Open with approval: an admin approves each new account")}
CONFIRM_LIFETIME = timedelta(hours=48)
# Messages one address receives from registrations in an hour: the form cannot be used
# to flood someone's mailbox. Beyond it the form answers as always and sends nothing.
MAILS_PER_ADDRESS_PER_HOUR = 3


def registration_mode() -> str:
    mode = get_setting(MODE_KEY, "open")
    return mode if mode in MODES else "open"


def set_registration_mode(mode: str, *, actor_id: int, ip: str | None = None) -> None:
    if mode not in MODES:
        raise DomainError(_("Choose one of the listed ways to register."))
    old = registration_mode()
    if mode == old:
        return
    set_setting(MODE_KEY, mode, actor_id=actor_id)
    record_event("site.registration_mode_changed", actor_id=actor_id, target_type="site",
                 target_id=None, data={"from": old, "to": mode}, ip=ip)


def _registration_tokens(user_id: int) -> list[AccountToken]:
    return [row for row in db.session.scalars(sa.select(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.purpose == "email"))
        if row.data.get("registration")]


def awaiting_confirmation(user: User) -> bool:
    """Registered and never confirmed: not yet anyone's account, so registering again
    with the address replaces it (whoever confirms first, from the mailbox, owns it)."""
    return (not user.active and user.accepted_at is None and user.invited_at is None
            and bool(_registration_tokens(user.id)))


def _account_state(user: User) -> str:
    if user.invited_at is not None and user.accepted_at is None:
        return "invited"
    if user.pending_approval:
        return "pending"
    return "active" if user.active else "inactive"


def _may_mail(email: str) -> bool:
    return throttle.take(f"register-mail:{email_key(email)}", MAILS_PER_ADDRESS_PER_HOUR,
                         3600).allowed


def register(*, email: str, name: str, password: str, locale: str | None = None,
             country: str | None = None, organisation: str | None = None,
             sector: str | None = None, sex: str | None = None,
             answers: Mapping[str, str | None] | None = None) -> None:
    """Register, or tell the address's owner someone tried: the caller cannot tell which
    (same checks first, one password hash either way). `answers`: the optional ones of
    lms.accounts.demographics. Flushes; mail goes on commit."""
    mode = registration_mode()
    if mode == "invite":
        raise DomainError(_("Registration is by invitation only."))
    email, name = normalise_email(email), normalise_name(name)
    check_new_account(email, name, password)
    checked_answers(answers or {})  # before the address is looked up, as the checks above
    # Counted before anything is written (SQLite: its own connection, no lock held yet).
    may_mail = _may_mail(email)
    existing = get_user_by_email(email)
    if existing is not None and not awaiting_confirmation(existing):
        hash_password(password)  # as long as the other way takes
        if may_mail:
            send_mail(to=existing.email, template="registration_exists", locale=existing.locale,
                      context={"name": existing.name, "state": _account_state(existing),
                               "login_link": link("accounts.login"),
                               "forgot_link": link("accounts.forgot_password")})
        return
    details = {"country": country, "organisation": (organisation or "").strip() or None,
               "sector": sector, "sex": sex, "locale": locale}
    if existing is None:
        user = create_user(email=email, name=name, password=password, **details)
    else:
        user = existing
        user.name, user.password_hash = name, hash_password(password)
        for key, value in details.items():
            setattr(user, key, value)
    # Also when replacing an unconfirmed try: its answers are the new form's, or none.
    apply_answers(user, answers or {})
    user.active = False  # until the link in the email is opened
    user.pending_approval = mode == "approval"
    db.session.flush()
    token = issue_token(user.id, "email", CONFIRM_LIFETIME,
                        {"email": user.email, "registration": True})
    if may_mail:
        send_mail(to=user.email, template="registration_confirm", locale=user.locale,
                  context={"name": user.name, "approval": user.pending_approval,
                           "link": link("accounts.confirm_registration", token=token)})


def registrant_for(token: str) -> User | None:
    """Who the confirmation link is for, without using it (the page with the button)."""
    row = peek_token(token, "email")
    if row is None or not row.data.get("registration"):
        return None
    user = db.session.get(User, row.user_id)
    return user if user is not None and awaiting_confirmation(user) else None


def confirm_registration(token: str, *, ip: str | None = None) -> User:
    """Use the link: the address is theirs. Active at once when registration is open;
    with approval, it waits for an admin. Raises InvalidLink."""
    row = use_token(token, "email")
    if row is None or not row.data.get("registration"):
        raise InvalidLink()
    user = db.session.get(User, row.user_id)
    if (user is None or user.email != row.data.get("email") or user.active
            or user.accepted_at is not None or user.invited_at is not None):
        raise InvalidLink()
    user.accepted_at = utcnow()
    user.active = not user.pending_approval
    record_event("user.registered", actor_id=user.id, target_type="user", target_id=user.id,
                 data={"awaits_approval": user.pending_approval}, ip=ip)
    db.session.flush()
    return user


def pending_query() -> sa.Select:
    """Confirmed registrations waiting for an admin."""
    return sa.select(User).where(User.pending_approval.is_(True), User.accepted_at.is_not(None))


def _pending(user: User) -> None:
    if not user.pending_approval or user.accepted_at is None:
        raise DomainError(_("This account is not waiting for approval."))


def approve_registration(user: User, *, actor_id: int, ip: str | None = None) -> None:
    _pending(user)
    user.pending_approval, user.active = False, True
    record_event("user.approved", actor_id=actor_id, target_type="user", target_id=user.id,
                 ip=ip)
    send_mail(to=user.email, template="registration_approved", locale=user.locale,
              context={"name": user.name, "login_link": link("accounts.login")})
    db.session.flush()


def refuse_registration(user: User, *, actor_id: int, ip: str | None = None) -> None:
    """The account stays, inactive (the people pages can still reactivate it)."""
    _pending(user)
    user.pending_approval, user.active = False, False
    record_event("user.refused", actor_id=actor_id, target_type="user", target_id=user.id,
                 ip=ip)
    send_mail(to=user.email, template="registration_refused", locale=user.locale,
              context={"name": user.name})
    db.session.flush()
