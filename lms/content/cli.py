"""`flask courses validate|sync|report|staff|export`: check course files, load them into
the database, name who works on a course, and write a course back out as files."""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.accounts.models import User
from lms.accounts.services import normalise_email
from lms.catalog.models import Course
from lms.catalog.services import remove_staff, set_staff_role
from lms.content.balance import balance_warnings
from lms.content.loader import load_catalogue
from lms.content.sync import SyncError, sync_courses
from lms.content.translations import coverage
from lms.core.db import db
from lms.core.errors import DomainError

courses_cli = AppGroup("courses", help="Validate and load course files.")


def _load_or_exit(path: str | None):
    root = Path(path or current_app.config["COURSES_DIR"])
    if not root.exists():
        raise click.ClickException(f"{root}: no such folder")
    specs, shared, errors = load_catalogue(root)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(errors)} error(s); nothing was changed.", err=True)
        raise SystemExit(1)
    return root, specs, shared


def sync_or_exit(sync):
    """Run a sync and commit it; a refusal by the database is one `path:line:` line and
    exit 1, with nothing changed (never a traceback)."""
    try:
        report = sync()
        db.session.commit()
    except SyncError as error:
        db.session.rollback()
        click.echo(str(error), err=True)
        click.echo("Nothing was changed.", err=True)
        raise SystemExit(1) from None
    return report


@courses_cli.command("validate", with_appcontext=False)
@click.argument("path", required=False)
def validate_command(path: str | None) -> None:
    """Check course files (no database). Exit 1 with `path:line: message` lines on errors."""
    from lms.config import load_config

    if path is None:
        path = load_config()["COURSES_DIR"]
    root = Path(path)
    if not root.exists():
        raise click.ClickException(f"{root}: no such folder")
    specs, shared, errors = load_catalogue(root)
    for spec in specs:
        click.echo(f"{spec.slug}: {len(spec.modules)} modules, {spec.lesson_count} lessons, "
                   f"{spec.question_count} questions")
        for warning in balance_warnings(spec):
            click.echo(str(warning), err=True)
        for line in coverage_lines(spec):
            click.echo(line)
    for locale in sorted({t.locale for t in shared.translations} if shared else ()):
        terms = [t for t in shared.translations if t.locale == locale]
        current = sum(t.current for t in terms)
        click.echo(f"glossary: {locale}: {current}/{len(shared.terms)} terms translated; "
                   f"{len(terms) - current} stale")
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise SystemExit(1)


KIND_LABELS = {"module": "modules", "lesson": "lessons", "quiz": "quizzes",
               "question": "questions"}


def coverage_lines(spec) -> list[str]:
    """Per language: items current of all, by kind, then each stale item (never shown
    to learners until its translation is brought up to date)."""
    lines = []
    for locale, cover in coverage(spec).items():
        kinds = ", ".join(f"{KIND_LABELS[kind]} {done}/{total}" for kind, (done, total)
                          in cover.by_kind.items() if kind not in ("course", "references"))
        lines.append(f"  {locale}: {cover.current}/{cover.total} items translated "
                     f"({cover.percent:.0f} %; {kinds}); {len(cover.stale)} stale")
        lines += [f"    stale: {kind} {key}".rstrip() for kind, key in cover.stale]
        lines += [f"    orphaned (its source is gone; remove the translation): {kind} {key}"
                  for kind, key in cover.orphans]
    return lines


@courses_cli.command("translation-template", with_appcontext=False)
@click.argument("course_folder", type=click.Path(exists=True, file_okay=False))
@click.argument("locale")
@click.argument("out", type=click.Path(file_okay=False))
def translation_template_command(course_folder: str, locale: str, out: str) -> None:
    """Write into OUT the i18n/LOCALE/ files a translator fills in: every item of the
    course (or of courses/_shared's glossary) not yet translated or stale, with its
    source text and hash."""
    from lms.content.translation_template import glossary_template, template_files
    from lms.core.i18n import LANGUAGES

    folder = Path(course_folder).resolve()
    # The whole catalogue, so links to other courses resolve as in `courses validate`.
    specs, shared, errors = load_catalogue(folder.parent)
    specs = [s for s in specs if Path(s.folder).resolve() == folder]
    if errors or (not specs and folder.name != "_shared"):
        for error in errors:
            click.echo(str(error), err=True)
        raise SystemExit(1)
    language = specs[0].language if folder.name != "_shared" else "en"
    if locale not in LANGUAGES or locale == language:
        raise click.ClickException(f"{locale}: not a language to translate into "
                                   f"({', '.join(sorted(set(LANGUAGES) - {language}))})")
    target = Path(out)
    files = (glossary_template(shared, locale) if folder.name == "_shared"
             else template_files(specs[0], locale))
    for relative in files:
        path = target / relative
        if path.exists():
            raise click.ClickException(f"{path} exists; nothing was written")
    for relative, text in files.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(files)} files to {target / 'i18n' / locale}")


@courses_cli.command("sync")
@click.argument("path", required=False)
@with_appcontext
def sync_command(path: str | None) -> None:
    """Load course files into the database in one transaction (idempotent)."""
    root, specs, shared = _load_or_exit(path)
    # Syncing one course folder must not archive the others.
    report = sync_or_exit(lambda: sync_courses(
        specs, archive_missing=not (root / "course.toml").exists(), shared=shared))
    for change in report.changes:
        click.echo(change)
    click.echo(f"{len(specs)} course(s) checked, {len(report.changes)} change(s).")


@courses_cli.command("report", with_appcontext=False)
@click.argument("path", required=False)
def report_command(path: str | None) -> None:
    """Lessons, words, questions by type, bank topics against their draws, lessons'
    stated minutes against their length, and stated versus computed study hours."""
    from lms.config import load_config
    from lms.content.study_time import lesson_minutes, minutes_agree, study_time, topic_draws

    specs, _shared, errors = load_catalogue(Path(path or load_config()["COURSES_DIR"]))
    for error in errors:
        click.echo(str(error), err=True)
    for spec in specs:
        time = study_time(spec)
        types = ", ".join(f"{n} {t}" for t, n in time.by_type.items())
        click.echo(f"{spec.slug}: {time.lessons} lessons, {time.words} words; "
                   f"{sum(time.by_type.values())} questions ({types}); "
                   f"{time.answered} answered per run-through, {time.scenarios:.1f} "
                   f"scenarios; stated {time.stated_hours:g} h, computed "
                   f"{time.computed_hours:.2f} h"
                   f"{'' if time.within_tolerance else '  <-- outside ±25 %'}")
        click.echo("  bank topics (questions / most drawn by one quiz): " + ", ".join(
            f"{topic} {held}/{drawn}{'' if held >= 2 * drawn else ' <-- under 2x'}"
            for topic, held, drawn in topic_draws(spec)))
        click.echo("  lesson minutes (stated / reading time): " + ", ".join(
            f"{slug} {stated}/{computed}{'' if minutes_agree(stated, computed) else ' <--'}"
            for slug, stated, computed in lesson_minutes(spec)))
    raise SystemExit(1 if errors else 0)


@courses_cli.command("staff")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice(["owner", "editor", "grader"]), default="owner")
@click.option("--remove", is_flag=True, help="Take the person off the course's staff.")
@with_appcontext
def staff_command(slug: str, email: str, role: str, remove: bool) -> None:
    """Name a course's owner, editor or grader (or remove them); audited."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if course is None or user is None:
        raise click.ClickException(f"no {'course ' + slug if course is None else email}")
    try:
        if remove:
            remove_staff(course, user, actor_id=None)
        else:
            set_staff_role(course, user, role, actor_id=None)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{email}: {'removed from' if remove else role + ' of'} {slug}")


@courses_cli.command("export")
@click.argument("slug")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--draft", is_flag=True, help="The studio's draft instead of the published "
              "version.")
def export_command(slug: str, folder: str, draft: bool) -> None:
    """Write a course as `courses/` files into FOLDER/SLUG (the published version)."""
    from lms.content import drafts, versions
    from lms.content.course_files import files_from_items, items_from_files, write_folder
    from lms.content.course_media import export_media

    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"no course '{slug}'")
    if draft:
        if not drafts.has_draft(course.id):
            raise click.ClickException(f"{slug} has no studio draft")
        files = drafts.draft_files(course.id)
    else:
        latest = versions.latest_version(course.id)
        if latest is None:
            raise click.ClickException(f"{slug} has no published version to export; "
                                       "run `flask courses sync` or publish it first")
        files = files_from_items(items_from_files(latest.files))
    target = Path(folder) / slug
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} exists and is not empty")
    files, media = export_media(course.id, files)
    write_folder(files, target)
    for name, data in media.items():
        (target / "media").mkdir(exist_ok=True)
        (target / "media" / Path(name).name).write_bytes(data)
    click.echo(f"wrote {len(files)} files and {len(media)} images to {target}")
