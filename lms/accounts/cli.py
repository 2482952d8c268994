"""`flask users create`: add an account from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from lms.accounts import services
from lms.core.access import ROLES
from lms.core.db import db
from lms.core.errors import DomainError

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True, help="Name as printed on certificates.")
@click.option("--role", type=click.Choice(ROLES), default="learner")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email=email, name=name, password=password, role=role)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id})")
