"""Response headers every page carries."""
from __future__ import annotations

from flask import Flask, Response

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    # Only when the platform is served over https: HSTS on plain http would do nothing
    # here, and on a mistyped local set-up it would lock browsers out of http for a year.
    https = app.config["BASE_URL"].startswith("https://")

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
