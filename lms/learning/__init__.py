"""Learning: enrolments, lesson progress and course completion."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.learning import cohorts  # noqa: F401  (models, for migrations)
    from lms.learning.views import bp

    app.register_blueprint(bp)
