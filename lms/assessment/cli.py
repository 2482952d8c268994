"""`flask attempts close-expired`: grade abandoned attempts at their deadline (run from cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.assessment.services import close_expired_attempts
from lms.core.db import db

attempts_cli = AppGroup("attempts", help="Quiz attempts.")


@attempts_cli.command("close-expired")
def close_expired_command() -> None:
    closed = close_expired_attempts()
    db.session.commit()
    click.echo(f"{closed} expired attempt(s) graded.")
