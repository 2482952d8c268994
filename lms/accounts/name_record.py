"""The name printed on certificates is a record: every change is audited with the old
and the new name (and why, when an admin makes it). Certificates already issued keep
the name in their snapshot; an admin re-issues one deliberately to print the new name."""
from __future__ import annotations

from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.services import name_problem, normalise_name
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError


def change_name(user: User, new_name: str, *, actor_id: int | None, reason: str = "",
                ip: str | None = None) -> bool:
    """Set the person's name; False when it is the same. An admin must give a reason."""
    name = normalise_name(new_name)
    if (problem := name_problem(name)) is not None:
        raise DomainError(problem)
    if name == user.name:
        return False
    if actor_id is not None and actor_id != user.id and not reason.strip():
        raise DomainError(_("Say why the name is changed: the reason is kept with it."))
    record_event("user.name_changed", actor_id=actor_id, target_type="user",
                 target_id=user.id, ip=ip,
                 data={"from": user.name, "to": name, "reason": reason.strip()[:500]})
    user.name = name
    db.session.flush()
    return True
