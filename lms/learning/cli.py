"""`flask cohorts import COHORT FILE [--dry-run]`: the web import, from a terminal."""
# The same preview lines and checks; any error row: exit status 1, nothing written.
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lms.core.csv_text import ENCODINGS
from lms.core.db import db
from lms.core.errors import DomainError
from lms.learning import import_services
from lms.learning.cohort_import import MAX_BYTES, shown
from lms.learning.cohorts import Cohort

cohorts_cli = AppGroup("cohorts", help="Cohorts: import people from a CSV file.")

WORDS = {"new": "new person", "existing": "existing person", "member": "already a member",
         "error": "error"}


def find_cohort(text: str) -> Cohort | None:
    """By id, or by name (capitals do not matter)."""
    if text.isascii() and text.isdigit() and len(text) < 10:
        cohort = db.session.get(Cohort, int(text))
        if cohort is not None:
            return cohort
    return db.session.scalar(sa.select(Cohort).where(
        sa.func.lower(Cohort.name) == " ".join(text.split()).lower()))


def _line(line: import_services.Line) -> str:
    row = line.row
    text = f"row {row.line}: {WORDS[line.kind]}: {row.email} {shown(row.name, 80)}".rstrip()
    if line.known is not None and line.known.name != row.name:
        text += f" (account name: {shown(line.known.name, 80)})"
    if row.problems:
        text += " — " + " ".join(row.problems)
    return text


@cohorts_cli.command("import")
@click.argument("cohort")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show the preview only; write nothing.")
@click.option("--encoding", type=click.Choice(list(ENCODINGS)), default=None,
              help="The file's encoding (default: found from the bytes).")
@click.option("--quiet", is_flag=True, help="Print only the problems and the summary.")
def import_command(cohort: str, file: Path, dry_run: bool, encoding: str | None,
                   quiet: bool) -> None:
    """Import the people of a CSV file into COHORT (its name or id): every row, or none."""
    found = find_cohort(cohort)
    if found is None:
        raise click.ClickException(f"no cohort {cohort!r} (give its name or id)")
    with file.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    checked = import_services.preview(found.id, data, encoding=encoding)
    reading = checked.reading
    if reading.encoding:
        click.echo(f"{file.name}: {ENCODINGS[reading.encoding]}, separator "
                   f"{reading.delimiter!r}, header on row {reading.header_line}")
    if reading.ignored:
        click.echo("columns not used: " + ", ".join(shown(c) for c in reading.ignored))
    for line in checked.lines:
        if not quiet or line.kind == "error":
            click.echo(_line(line))
    for problem in reading.problems:
        click.echo(f"file: {problem}", err=True)
    counts = checked.counts
    click.echo(f"{len(checked.lines)} rows: {counts['new']} new, {counts['existing']} "
               f"existing, {counts['member']} already members, {counts['error']} errors")
    if not checked.ok:
        raise click.ClickException("nothing imported: fix the rows above and run again")
    if dry_run:
        click.echo("dry run: nothing written")
        return
    try:
        pending = import_services.stage_import(found, data, source=file.name,
                                               encoding=encoding, rows=len(checked.lines),
                                               actor_id=None)
        import_services.apply_import(pending, actor_id=None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"nothing imported: {error.message}") from None
    db.session.commit()
    sent = 0
    while import_services.mails_left(pending) > 0:
        sent += import_services.send_import_mail(pending)
        db.session.commit()
    click.echo(f"imported into {found.name!r}: {counts['new']} invited, "
               f"{counts['existing']} added; {sent} emails queued")
