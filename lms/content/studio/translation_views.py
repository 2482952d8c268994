"""Translations in the studio: the report (per language: translated, stale, missing,
also as CSV) and the editor of one item beside its source text."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.content import drafts, versions
from lms.content.course_files import Files
from lms.content.specs import CourseSpec
from lms.content.studio import bp
from lms.content.studio.access import course_for, editable_course
from lms.content.translation_edit import (
    LONG,
    TranslationRefused,
    fields,
    language_rows,
    save_translation,
    translated_table,
)
from lms.content.translation_template import source_table
from lms.content.translations import course_items, item_file
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.i18n import LANGUAGES

KINDS = ("course", "module", "lesson", "quiz", "question", "references")


def _files_and_spec(course) -> tuple[Files, CourseSpec | None, list[str]]:
    """The draft for a studio course, else the latest published version, as checked."""
    if course.source == "studio" and drafts.has_draft(course.id):
        files = drafts.draft_files(course.id)
    else:
        latest = versions.latest_version(course.id)
        files = dict(latest.files) if latest else {}
    check = drafts.check_files(course.slug, files) if files else None
    if check is None:
        return files, None, []
    return files, check.spec, check.problems


@bp.get("/<slug>/translations")
@roles_required("instructor", "admin")
def translations(slug: str):
    course = course_for(slug)
    files, spec, problems = _files_and_spec(course)
    rows = language_rows(spec) if spec else []
    if request.args.get("format") == "csv" and spec is not None:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["language", "kind", "key", "state"])
        for row in rows:
            for kind, key, state in row["items"]:
                writer.writerow([row["locale"], kind, key, state])
        return Response(out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{course.slug}-translations.csv"'})
    started = {row["locale"] for row in rows}
    others = [code for code in LANGUAGES if code != course.language and code not in started]
    return render_template("studio/translations.html", course=course, rows=rows,
                           problems=problems, others=others,
                           editable=course.source == "studio")


def _item_or_404(spec: CourseSpec | None, locale: str, kind: str, key: str) -> str:
    key = "" if key == "-" else key
    if (spec is None or locale not in LANGUAGES or locale == spec.language
            or kind not in KINDS or (kind, key) not in course_items(spec)):
        abort(404)
    return key


@bp.route("/<slug>/translations/<locale>/<kind>/<key>", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def translation_edit(slug: str, locale: str, kind: str, key: str):
    course = editable_course(slug)
    files, spec, problems = _files_and_spec(course)
    if spec is None:
        for problem in problems[:10]:
            flash(problem, "error")
        return redirect(url_for("studio.translations", slug=slug))
    key = _item_or_404(spec, locale, kind, key)
    source = source_table(spec, kind, key)
    mine = translated_table(files, locale, spec, kind, key) or {}
    values = dict(fields(mine))
    form = ActionForm()
    errors: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = {path: request.form.get("f-" + path, "") for path, _v in fields(source)}
        revision = request.form.get("revision", "")
        try:
            save_translation(course, spec, files, locale, kind, key, values,
                             shown_source=request.form.get("source", ""),
                             revision=int(revision) if revision.isdigit() else None,
                             actor_id=current_user.id)
        except TranslationRefused as refused:
            db.session.rollback()
            errors = refused.problems
        else:
            db.session.commit()
            flash(_("The translation is saved in the draft. Publish the course for "
                    "learners to see it."), "success")
            return redirect(url_for("studio.translations", slug=slug))
    held = drafts.get_item(course.id, "translation", f"{locale}/{item_file(spec, kind, key)}")
    stale = bool(mine) and mine.get("source") != source["source"]
    return render_template(
        "studio/translation_edit.html", course=course, locale=locale, kind=kind, key=key,
        rows=[(path, text, values.get(path, "")) for path, text in fields(source)],
        long=LONG, stale=stale, errors=errors, form=form, source_hash=source["source"],
        revision=held.revision if held else ""), 400 if errors else 200
