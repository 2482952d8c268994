"""`flask setup`: first-run set-up for a fresh checkout (secret, schema, courses, demo users)."""
from __future__ import annotations

import secrets
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.catalog.models import Course
from lms.catalog.services import set_staff_role
from lms.certification.keys import ensure_key
from lms.config import SECRET_KEY_FILE
from lms.content.cli import sync_or_exit
from lms.content.loader import load_catalogue
from lms.content.sync import sync_courses
from lms.core.db import db

DEMO_USERS = [
    ("admin@example.org", "Demo Admin", "admin"),
    ("instructor@example.org", "Demo Instructor", "instructor"),
    ("me@example.org", "Demo M&E Officer", "me_officer"),
    ("learner@example.org", "สมชาย ใจดี", "learner"),
]


def ensure_secret_key(path: Path = SECRET_KEY_FILE) -> bool:
    """Write a random secret key into instance/ if there is none; True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32))
    path.chmod(0o600)
    return True


@click.command("setup")
@click.option("--demo", is_flag=True,
              help="Also create four demo accounts (admin, instructor, M&E officer, "
                   "learner). "
                   "Never on a server people use: their passwords are printed.")
@with_appcontext
def setup_cli(demo: bool) -> None:
    """Create the secret key and database schema and load the courses (idempotent)."""
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    if ensure_secret_key():
        click.echo(f"Wrote a new secret key to {SECRET_KEY_FILE}")
    if written := ensure_key(Path(current_app.config["CREDENTIAL_KEYS_DIR"])):
        click.echo(f"Wrote a new credential signing key to {written}")
    upgrade()
    specs, shared, errors = load_catalogue(Path(current_app.config["COURSES_DIR"]))
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise click.ClickException("course files have errors; nothing was loaded")
    report = sync_or_exit(lambda: sync_courses(specs, shared=shared))
    click.echo(f"Courses: {len(specs)} loaded, {len(report.changes)} change(s).")
    if demo:
        create_demo_accounts()


def create_demo_accounts() -> None:
    created = []
    for email, name, role in DEMO_USERS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            password = secrets.token_urlsafe(12)
            create_user(email=email, name=name, password=password, role=role)
            created.append((role, email, password))
    # The demo instructor works on every course, so /teach/ shows them all.
    instructor = db.session.scalar(sa.select(User).where(User.email == DEMO_USERS[1][0]))
    if instructor is not None and instructor.role == "instructor" and instructor.active:
        for course in db.session.scalars(sa.select(Course).where(Course.archived_at.is_(None))):
            set_staff_role(course, instructor, "owner", actor_id=None)
    db.session.commit()
    if created:
        click.echo("Demo accounts (passwords are shown only this once):")
        for role, email, password in created:
            click.echo(f"  {role:<11} {email:<26} {password}")
