"""Signing out sessions left idle: shorter for admins, who can change more."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user


def end_idle_sessions():
    """Sign out after a quiet spell: 30 minutes for admins, 8 hours for everyone else
    (quiz answers are autosaved, so a learner who pauses loses nothing)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    limit = current_app.config["IDLE_TIMEOUT_ADMIN" if current_user.role == "admin"
                               else "IDLE_TIMEOUT"]
    seen = session.get("seen")
    if seen is not None and now - seen > limit:
        logout_user()
        session.clear()
        flash(_("You were signed out after a period without activity. Please sign in "
                "again."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if seen is None or now - seen > 60:  # refresh the cookie at most once a minute
        session["seen"] = now
    return None
