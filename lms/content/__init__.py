"""Content: course files → validated specs → database."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.content import (
        models,  # noqa: F401  (drafts and versions, for migrations)
        studio,
    )
    from lms.content.cli import courses_cli

    app.cli.add_command(courses_cli)
    studio.init_app(app)
