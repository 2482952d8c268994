"""Accounts: people, roles, sign-in and sessions."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core.db import db
from lms.core.extensions import login_manager


def init_app(app: Flask) -> None:
    from lms.accounts.cli import users_cli
    from lms.accounts.models import User
    from lms.accounts.views import bp

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # The cookie holds "id:session_version"; a bumped version ends old sessions.
        user_id, _, version = token.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_version != int(version) or not user.active:
            return None
        return user

    from lms.accounts import permissions

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.jinja_env.globals.update(can_teach=permissions.can_teach,
                                 can_manage_people=permissions.can_manage_people)
    app.before_request(end_idle_sessions)


def end_idle_sessions():
    """Sign out after a quiet spell: 30 minutes for admins, 8 hours for everyone else
    (quiz answers are autosaved, so a learner who pauses loses nothing)."""
    import time

    from flask import current_app, flash, redirect, request, session, url_for
    from flask_babel import gettext as _
    from flask_login import current_user, logout_user

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
