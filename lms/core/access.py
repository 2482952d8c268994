"""Deny-by-default access rules: every view declares who may call it.

A view without a rule answers 403 (and tests/test_access_rules.py fails), so a
forgotten decorator closes a door instead of opening one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
LOGIN = "login"
ROLES = ("learner", "instructor", "admin", "me_officer")


def public(view: F) -> F:
    """Anyone, signed in or not."""
    view._access = (PUBLIC, None)  # type: ignore[attr-defined]
    return view


def login_required(view: F) -> F:
    """Any signed-in user; object-level checks happen in the view (load, then check)."""
    view._access = (LOGIN, None)  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Signed-in users holding one of the roles."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: F) -> F:
        view._access = (LOGIN, frozenset(roles))  # type: ignore[attr-defined]
        return view

    return decorate


def rule_for(endpoint: str | None) -> tuple[str, frozenset | None] | None:
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return (PUBLIC, None)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def init_app(app: Flask) -> None:
    @app.before_request
    def enforce_access_rule():
        if request.endpoint is None:  # 404/405: let routing answer
            return None
        rule = rule_for(request.endpoint)
        if rule is None:
            app.logger.error("route %s has no access rule; denied", request.endpoint)
            abort(403)
        kind, roles = rule
        if kind == PUBLIC:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if roles is not None and current_user.role not in roles:
            abort(403)
        return None
