"""Response headers every page carries, and where a request says it came from."""
from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


HSTS = "max-age=31536000; includeSubDomains"


def from_another_site() -> bool:
    """Whether the browser says this request comes from another site (Fetch Metadata,
    else Origin): the check for a form that carries no CSRF token, because a token
    would need a session cookie on an anonymous page."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    ours = {request.host_url.rstrip("/"), current_app.config["BASE_URL"].rstrip("/")}
    return origin is not None and origin.rstrip("/") not in ours


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
