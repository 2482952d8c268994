"""A person's choice to get no reminder emails (kept on the account, audited)."""
from __future__ import annotations

from lms.accounts.models import User
from lms.core.audit import record_event
from lms.core.db import db


def set_reminders_opt_out(user: User, opt_out: bool, *, via: str) -> bool:
    """Turn reminders off (or on again) for `user`; False when nothing changed. `via`
    says where (the settings page, the link in an email). Flushes."""
    if user.reminders_opt_out == opt_out:
        return False
    user.reminders_opt_out = opt_out
    record_event("account.reminders_off" if opt_out else "account.reminders_on",
                 actor_id=user.id, target_type="user", target_id=user.id, data={"via": via})
    db.session.flush()
    return True
