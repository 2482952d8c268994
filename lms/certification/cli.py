"""`flask certificates render`: a sample PDF for checking a certificate template."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from lms.catalog.models import Course
from lms.certification.render import render_pdf, template_meta
from lms.certification.services import verify_url
from lms.core.db import db

certificates_cli = AppGroup("certificates", help="Certificate templates and PDFs.")


@certificates_cli.command("render")
@click.option("--name", required=True, help="Holder's name, any script.")
@click.option("--course", "slug", required=True, help="Course slug (from the database).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--template", default="default")
def render_command(name: str, slug: str, out: str, template: str) -> None:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"no course '{slug}'; run `flask courses sync` first")
    root = current_app.config["CERTIFICATES_DIR"]
    meta = template_meta(root, template)
    today = date.today().isoformat()
    snapshot = {"name": name, "course_title": course.title, "course_slug": course.slug,
                "course_version": course.version, "cpd_hours": course.cpd_hours,
                "completed_on": today, "issued_on": today, "serial": "SAMPLE-0000-000000",
                "code": "sample", "locale": "en", "template": template,
                "template_version": meta["version"]}
    url = verify_url(current_app.config["BASE_URL"], "sample")
    Path(out).write_bytes(render_pdf(snapshot, root=root, template=template, verify_url=url))
    click.echo(f"wrote {out}")
