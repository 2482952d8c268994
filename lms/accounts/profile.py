"""A person's own profile: name (a record), details, and a new email confirmed by a link."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask_babel import gettext as _

from lms.accounts.choices import COUNTRIES, COUNTRY_UNDISCLOSED, SECTOR_UNDISCLOSED, SECTORS, SEXES
from lms.accounts.demographics import apply_answers, checked_answers
from lms.accounts.models import User
from lms.accounts.name_record import change_name
from lms.accounts.recovery import InvalidLink, check_current_password
from lms.accounts.services import EMAIL_RE, get_user_by_email, normalise_email
from lms.accounts.tokens import issue_token, peek_token, use_token
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)
ORGANISATION_MAX = 200

COUNTRY_CODES = {code for code, _label in [*COUNTRIES, COUNTRY_UNDISCLOSED]}
SECTOR_CODES = {code for code, _label in [*SECTORS, SECTOR_UNDISCLOSED]}
SEX_CODES = {code for code, _label in SEXES}


def update_profile(user: User, *, name: str, organisation: str, country: str, sector: str,
                   sex: str, answers: Mapping[str, str | None] | None = None,
                   ip: str | None = None) -> None:
    """The person's own edit; a new name is audited with the old one (name_record).
    `answers`: those of lms.accounts.demographics, all replaced (None: left as they are);
    they are not audited, being nobody's business but the reports'."""
    if country not in COUNTRY_CODES or sector not in SECTOR_CODES or sex not in SEX_CODES:
        raise DomainError(_("Choose one of the listed answers; “Prefer not to say” is fine."))
    if answers is not None:
        checked_answers(answers)  # everything checked before anything is written
    organisation = " ".join((organisation or "").split())
    if len(organisation) > ORGANISATION_MAX:
        raise DomainError(_("The organisation can be at most %(max)d characters.",
                            max=ORGANISATION_MAX))
    change_name(user, name, actor_id=user.id, ip=ip)
    user.organisation = organisation or None
    user.country, user.sector, user.sex = country, sector, sex
    if answers is not None:
        apply_answers(user, answers)
    db.session.flush()


def request_email_change(user: User, *, new_email: str, password: str,
                         ip: str | None = None) -> None:
    """With the current password: a link to the new address (it changes when opened) and
    a notice to the current one. An address another account uses gets a note instead of
    a link, and the page says the same either way."""
    check_current_password(user, password)
    new_email = normalise_email(new_email)
    if not EMAIL_RE.match(new_email) or len(new_email) > 254:
        raise DomainError(_("Please enter a valid email address."))
    if new_email == user.email:
        raise DomainError(_("This is already your email address."))
    if get_user_by_email(new_email) is not None:
        send_mail(to=new_email, template="email_change_taken", locale=user.locale, context={})
    else:
        token = issue_token(user.id, "email", EMAIL_CHANGE_LIFETIME, {"email": new_email})
        send_mail(to=new_email, template="email_change_confirm", locale=user.locale,
                  context={"name": user.name,
                           "link": link("accounts.confirm_email", token=token)})
    send_mail(to=user.email, template="email_change_notice", locale=user.locale,
              context={"name": user.name, "new_email": new_email,
                       "forgot_link": link("accounts.forgot_password")})
    record_event("user.email_change_requested", actor_id=user.id, target_type="user",
                 target_id=user.id, data={"to": new_email}, ip=ip)
    db.session.flush()


def email_change_for(token: str) -> tuple[User, str] | None:
    """Whose address the link changes, and to what, without using it."""
    row = peek_token(token, "email")
    if row is None or row.data.get("registration"):
        return None
    user = db.session.get(User, row.user_id)
    return (user, row.data["email"]) if user is not None and user.active else None


def confirm_email_change(token: str, *, ip: str | None = None) -> User:
    """Use the link: the new address becomes the one to sign in with."""
    row = use_token(token, "email")
    if row is None or row.data.get("registration"):
        raise InvalidLink()
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        raise InvalidLink()
    new_email = row.data["email"]
    if get_user_by_email(new_email) is not None:
        raise DomainError(_("Another account now uses this address, so it cannot be yours "
                            "too. Nothing was changed."))
    record_event("user.email_changed", actor_id=user.id, target_type="user",
                 target_id=user.id, data={"from": user.email, "to": new_email}, ip=ip)
    user.email = new_email
    db.session.flush()
    return user
