"""Domain errors and the friendly error pages."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, render_template, request
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
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        message = _("Something went wrong on our side. Nothing you entered was saved; "
                    "please try again.")
        if _wants_json():
            return jsonify({"error": message}), 500
        return render_template("errors/error.html", code=500, message=message), 500
