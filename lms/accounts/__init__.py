"""Accounts: people, roles, sign-in and sessions."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.core.db import db
from lms.core.extensions import login_manager
from lms.core.requests import parse_id


def init_app(app: Flask) -> None:
    from lms.accounts import (  # noqa: F401  (tokens: models; the others: routes)
        audit_views,
        invitation_views,
        people_views,
        profile_views,
        recovery_views,
        registration_views,
        tokens,
    )
    from lms.accounts.cli import users_cli
    from lms.accounts.models import User
    from lms.accounts.session_limits import end_idle_sessions
    from lms.accounts.views import bp

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        # The cookie holds "id:session_version"; a bumped version ends old sessions.
        user_id, _, version = (parse_id(part) for part in token.partition(":"))
        if user_id is None or version is None:
            return None
        user = db.session.get(User, user_id)
        if user is None or user.session_version != version or not user.active:
            return None
        return user

    from lms.accounts import permissions

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.jinja_env.globals.update(can_teach=permissions.can_teach,
                                 can_manage_people=permissions.can_manage_people)
    app.before_request(end_idle_sessions)

