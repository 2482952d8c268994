"""What an admin does to a person: deactivate, reactivate, edit with a reason (audited)."""
from __future__ import annotations

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.name_record import change_name
from lms.accounts.people import COUNTRY_LABELS, SECTOR_LABELS, SEX_LABELS, status_of
from lms.accounts.services import EMAIL_RE, end_sessions, get_user_by_email, normalise_email
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError

REASON_MAX = 500
ORGANISATION_MAX = 200
EDITABLE = ("email", "organisation", "country", "sector", "sex")


def deactivate_person(user: User, *, actor_id: int, ip: str | None = None) -> bool:
    """Stop the person signing in and end their sessions; False if already inactive."""
    if user.id == actor_id:
        raise DomainError(_("You cannot deactivate your own account."))
    if not user.active:
        return False
    user.active = False
    end_sessions(user)
    record_event("user.deactivated", actor_id=actor_id, target_type="user",
                 target_id=user.id, ip=ip)
    return True


def reactivate_person(user: User, *, actor_id: int, ip: str | None = None) -> bool:
    """Let a deactivated person sign in again; False if already active."""
    if user.active:
        return False
    status = status_of(user)
    if status == "unconfirmed":
        raise DomainError(_("%(name)s has not confirmed the email address yet: the account "
                            "is nobody's until the link in that email is opened.",
                            name=user.name))
    if status == "pending":
        raise DomainError(_("%(name)s is waiting for approval: approve the registration "
                            "instead.", name=user.name))
    user.active = True
    record_event("user.reactivated", actor_id=actor_id, target_type="user",
                 target_id=user.id, ip=ip)
    db.session.flush()
    return True


def _checked(user: User, *, email: str, organisation: str, country: str, sector: str,
             sex: str) -> dict[str, str | None]:
    """The new values of the editable fields, or a DomainError naming the bad one."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise DomainError(_("Please enter a valid email address."))
    if email != user.email and get_user_by_email(email) is not None:
        raise DomainError(_("Another account already uses this email address."))
    organisation = " ".join(organisation.split())
    if len(organisation) > ORGANISATION_MAX:
        raise DomainError(_("The organisation can be at most %(max)d characters.",
                            max=ORGANISATION_MAX))
    for value, allowed in ((country, COUNTRY_LABELS), (sector, SECTOR_LABELS),
                           (sex, SEX_LABELS)):
        if value and value not in allowed:
            raise DomainError(_("Choose one of the listed values."))
    return {"email": email, "organisation": organisation or None, "country": country or None,
            "sector": sector or None, "sex": sex or None}


def edit_person(user: User, *, actor_id: int, reason: str, name: str, email: str,
                organisation: str = "", country: str = "", sector: str = "", sex: str = "",
                ip: str | None = None) -> list[str]:
    """Correct a person's details, with a reason kept in the audit log beside the old
    and new values; the names of the fields changed (none: nothing recorded)."""
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        raise DomainError(_("Say why you are changing these details: the reason is kept "
                            "in the audit log."))
    # Everything is checked before anything is written: a refused edit changes nothing.
    values = _checked(user, email=email, organisation=organisation, country=country,
                      sector=sector, sex=sex)
    changes = {key: {"from": getattr(user, key), "to": value}
               for key, value in values.items() if getattr(user, key) != value}
    changed = ["name"] if change_name(user, name, actor_id=actor_id, reason=reason,
                                      ip=ip) else []
    if changes:
        record_event("user.updated", actor_id=actor_id, target_type="user",
                     target_id=user.id, ip=ip, data={"changes": changes, "reason": reason})
        for key, change in changes.items():
            setattr(user, key, change["to"])
        db.session.flush()
    return changed + [key for key in EDITABLE if key in changes]
