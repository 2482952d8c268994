"""Session limits: signed out after a quiet spell (shorter for admins, who can change
more) and, whatever the activity, a fixed time after signing in (ASVS 3.3)."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user


def start_session_clock() -> None:
    """Called at sign-in, on the fresh session."""
    now = int(time.time())
    session["started"] = session["seen"] = now


def _sign_out(message: str):
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def end_idle_sessions():
    """Idle: 30 minutes for admins, 8 hours for everyone else (quiz answers are autosaved,
    so a learner who pauses loses nothing). Absolute: SESSION_LIFETIME (12 hours)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    config = current_app.config
    started = session.get("started")
    # A session without a start time predates the limit: it ends now, once.
    if started is None or now - started > config["SESSION_LIFETIME"]:
        return _sign_out(_("Your sign-in has expired. Please sign in again."))
    limit = config["IDLE_TIMEOUT_ADMIN" if current_user.role == "admin" else "IDLE_TIMEOUT"]
    seen = session.get("seen", started)
    if now - seen > limit:
        return _sign_out(_("You were signed out after a period without activity. Please "
                           "sign in again."))
    if now - seen > 60:  # refresh the cookie at most once a minute
        session["seen"] = now
    return None
