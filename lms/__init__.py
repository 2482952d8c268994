"""The learning platform: `create_app()` wires extensions, domains, CLI and error pages."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms.config import INSTANCE, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application. No side effects: no database, files or network touched."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder="static", instance_path=str(INSTANCE))
    app.config.update(load_config(config))
    if not app.config.get("SECRET_KEY"):
        # Not generated here (no side effects): `flask setup` writes instance/secret_key.
        @app.before_request
        def refuse_without_secret_key():
            raise RuntimeError("No secret key: run `flask --app wsgi setup` (or `make run`) "
                               "once, or set LMS_SECRET_KEY.")

    from lms import (
        accounts,
        assessment,
        catalog,
        certification,
        content,
        core,
        learning,
        reporting,
    )
    from lms.cli import setup_cli

    if app.config["PROXY_HOPS"]:
        # Behind nginx: trust X-Forwarded-* from that many hops, so rate limits and the
        # audit log see the learner's address, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    core.init_app(app)
    for domain in (accounts, catalog, content, learning, assessment, certification, reporting):
        domain.init_app(app)
    app.cli.add_command(setup_cli)
    return app
