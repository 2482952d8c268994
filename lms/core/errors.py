"""Domain errors and the friendly error pages."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.core.db import db

# endpoint → handler that rescues a request whose CSRF token expired (e.g. a long quiz
# attempt); returns a response, or None for the usual error page. Filled by domains.
csrf_recovery: dict[str, Callable[[], Any]] = {}


class DomainError(Exception):
    """A broken business rule, with a message a person can read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def _audit_denied() -> None:
    """Every refused access decision goes to the audit log (ASVS 7.1.3), in a transaction
    of its own after the request's work was rolled back."""
    from flask_login import current_user

    from lms.core.audit import record_event

    actor = current_user.id if current_user.is_authenticated else None
    try:
        record_event("auth.access_denied", actor_id=actor, target_type="route", target_id=None,
                     data={"endpoint": request.endpoint or "", "method": request.method,
                           "path": request.path}, ip=request.remote_addr)
        db.session.commit()
    except Exception:  # the error page must not fail because the log could not be written
        db.session.rollback()
        current_app.logger.exception("could not audit a refused request")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        handler = csrf_recovery.get(request.endpoint or "")
        if handler is not None and (response := handler()) is not None:
            return response
        message = _("This form has expired or was sent from another page. "
                    "Go back, reload the page and try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code or 500
        if code == 403:
            _audit_denied()
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have permission to see this page."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            410: _("This certificate was revoked and can no longer be downloaded."),
            413: _("What you sent is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(code, _("Something went wrong."))
        if _wants_json():
            return jsonify({"error": message}), code
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        # %r: a path with CR/LF in it cannot forge a log line.
        app.logger.exception("Unhandled error on %s %r", request.method, request.path)
        message = _("Something went wrong on our side. Nothing you entered was saved; "
                    "please try again.")
        if _wants_json():
            return jsonify({"error": message}), 500
        return render_template("errors/error.html", code=500, message=message), 500
