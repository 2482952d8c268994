"""`flask certificates`: a sample PDF of a template, verifying a certificate offline, keys."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from lms.catalog.models import Course
from lms.certification.checking import platform_keys, status_lookup
from lms.certification.keys import generate_key, key_set_from_file, load_ring
from lms.certification.render import render_pdf, template_meta
from lms.certification.services import verify_url
from lms.certification.verification import holder_name, serial_of, verify_file
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


@certificates_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="Trusted public key: the JWKS from /.well-known/jwks.json or a PEM "
                   "file (default: this platform's own keys).")
@click.option("--offline", is_flag=True, help="Do not fetch status lists over the network.")
def verify_command(file: str, key_file: str | None, offline: bool) -> None:
    """Check a certificate PDF, a credential JSON or a VC-JWT: prints valid, expired,
    revoked or tampered, and why. Exit status 0 only when valid."""
    try:
        keys = key_set_from_file(Path(key_file)) if key_file else platform_keys()
    except (FileNotFoundError, ValueError) as error:
        raise click.ClickException(f"no trusted key: {error}; pass --key") from error
    verdict = verify_file(Path(file).read_bytes(), file, keys,
                          status_of=status_lookup(keys, fetch=not offline))
    credential = verdict.credential or {}
    click.echo(f"{verdict.outcome}: {verdict.reason}")
    if credential:
        click.echo(f"  holder: {holder_name(credential)}")
        click.echo(f"  serial: {serial_of(credential)}")
        click.echo(f"  course: {credential.get('name')}")
        click.echo(f"  valid from {credential.get('validFrom')}"
                   + (f" until {credential['validUntil']}" if "validUntil" in credential
                      else ""))
    for note in verdict.notes:
        click.echo(f"  note: {note}")
    if not verdict.ok:
        raise SystemExit(1)


@certificates_cli.command("new-key")
def new_key_command() -> None:
    """Start signing with a new key; the old ones stay published and keep verifying."""
    path = generate_key(Path(current_app.config["CREDENTIAL_KEYS_DIR"]))
    click.echo(f"wrote {path}; every process signs with it from its next certificate")


@certificates_cli.command("public-keys")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
def public_keys_command(out: str) -> None:
    """Write the public keys (JWKS) to a file, for verifying offline elsewhere."""
    ring = load_ring(Path(current_app.config["CREDENTIAL_KEYS_DIR"]))
    Path(out).write_text(json.dumps(ring.public_jwks(), indent=2) + "\n")
    click.echo(f"wrote {out}")
