"""Catalogue: courses, modules and lessons."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.catalog.views import bp

    app.register_blueprint(bp)
