"""Core: database, access rules, errors, security headers, i18n, audit, limits, jobs."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms.core import (  # noqa: F401  (site_settings: a model, for migrations)
    access,
    errors,
    i18n,
    jobs,
    mail,
    page_cache,
    requests,
    security,
    site_settings,
    static_files,
)
from lms.core.db import db
from lms.core.extensions import compress, csrf, login_manager, migrate
from lms.core.health import bp as health_bp


def init_app(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"),
                     render_as_batch=True)
    if app.config["REDIS_URL"]:
        import redis

        # from_url connects lazily: creating the app still touches no network.
        app.extensions["lms_redis"] = redis.Redis.from_url(app.config["REDIS_URL"])
    requests.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    access.init_app(app)
    security.init_app(app)
    # after_request hooks run last-registered first: page_cache sets the ETag of the
    # page as rendered, then Flask-Compress compresses it and marks the ETag with the
    # encoding.
    compress.init_app(app)
    page_cache.init_app(app)
    static_files.init_app(app)
    errors.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)
    app.register_blueprint(health_bp)
