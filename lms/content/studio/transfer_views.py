"""Course zips in and out of the studio: export, import as a new course, or import as a
new draft of a course after a preview of what would change. Nothing is written until
the uploader confirms the preview; then all of it is, in one transaction."""
from __future__ import annotations

import base64
import tomllib
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.models import Course
from lms.catalog.permissions import can_create_course
from lms.content import drafts, imports, versions
from lms.content.course_files import files_from_items, items_from_files
from lms.content.course_media import export_media
from lms.content.course_zip import files_from_zip, zip_of
from lms.content.models import ContentImport
from lms.content.studio import bp
from lms.content.studio.access import course_for, editable_course
from lms.content.studio.forms import UploadForm
from lms.core.access import roles_required
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash


@bp.get("/<slug>/export.zip")
@roles_required("instructor", "admin")
def export_zip(slug: str):
    """The draft of a studio course, else the published version, as `courses/` files."""
    course = course_for(slug)
    if course.source == "studio" and drafts.has_draft(course.id):
        files = drafts.draft_files(course.id)
    else:
        latest = versions.latest_version(course.id)
        if latest is None:
            abort(404)
        files = files_from_items(items_from_files(latest.files))
    files, media = export_media(course.id, files)
    return zip_of(course.slug, files, media), 200, {
        "Content-Type": "application/zip",
        "Content-Disposition": f'attachment; filename="{course.slug}.zip"',
        "Cache-Control": "private, no-store"}


def _read_upload(form: UploadForm):
    """The zip's files, or None with the reason flashed."""
    if not form.validate_on_submit():
        flash(_("Choose a zip file to upload."), "error")
        return None
    try:
        return files_from_zip(form.file.data.read())
    except DomainError as error:
        flash(error.message, "error")
        return None


def _keep(pending: ContentImport) -> ContentImport:
    """Store a new pending import; ones older than a day were never confirmed."""
    db.session.execute(sa.delete(ContentImport).where(
        ContentImport.created_at < utcnow() - timedelta(days=1)))
    db.session.add(pending)
    db.session.commit()
    return pending


def _payload(read) -> dict:
    return {"slug": read.slug, "files": read.files,
            "media": {name: base64.b64encode(data).decode() for name, data in
                      read.media.items()}}


def _pending(import_id: int) -> ContentImport:
    pending = db.session.get(ContentImport, import_id)
    if pending is None or pending.user_id != current_user.id:
        abort(404)
    return pending


@bp.route("/import", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def import_course():
    if not can_create_course(current_user):
        abort(403)
    form = UploadForm()
    if request.method == "GET":
        return render_template("studio/import.html", form=form, course=None)
    read = _read_upload(form)
    if read is None:
        return render_template("studio/import.html", form=form, course=None), 400
    taken = db.session.scalar(sa.select(Course.id).where(Course.slug == read.slug))
    check = drafts.check_files(read.slug, read.files)
    pending = _keep(ContentImport(user_id=current_user.id, kind="course",
                                  payload=_payload(read)))
    return render_template("studio/import_preview.html", course=None, read=read,
                           check=check, taken=taken is not None, changes=None,
                           pending=pending, form=ActionForm())


@bp.route("/<slug>/import", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def import_draft(slug: str):
    course = editable_course(slug)
    form = UploadForm()
    if request.method == "GET":
        return render_template("studio/import.html", form=form, course=course)
    read = _read_upload(form)
    if read is None:
        return render_template("studio/import.html", form=form, course=course), 400
    if read.slug != course.slug and "slug" in _toml(read.files["course.toml"]):
        flash(_("This zip is the course “%(other)s”, not this one: its course.toml says "
                "slug = \"%(other)s\". Import it as a new course instead.", other=read.slug),
              "error")
        return render_template("studio/import.html", form=form, course=course), 400
    check = drafts.check_files(course.slug, read.files)
    changes = versions.compare(drafts.draft_files(course.id), read.files)
    read.slug = course.slug
    pending = _keep(ContentImport(user_id=current_user.id, course_id=course.id, kind="course",
                                  payload={**_payload(read),
                                           "draft": drafts.fingerprint(course.id)}))
    return render_template("studio/import_preview.html", course=course, read=read,
                           check=check, taken=False, changes=changes, pending=pending,
                           form=ActionForm())


@bp.post("/imports/<int:import_id>/apply")
@roles_required("instructor", "admin")
def apply_import(import_id: int):
    """Checks here; the work (images decoded and re-encoded) in a job with a progress page."""
    pending = _pending(import_id)
    if not ActionForm().validate_on_submit() or pending.kind != "course":
        abort(400)
    if pending.course_id is None:
        if not can_create_course(current_user):
            abort(403)
    else:
        course = editable_course(db.session.get(Course, pending.course_id).slug)
        if pending.payload.get("draft") != drafts.fingerprint(course.id):
            flash(_("The draft changed since you checked this zip. Read the zip again to "
                    "see what it would change now."), "error")
            return redirect(url_for("studio.import_draft", slug=course.slug))
    job = imports.start_apply(pending, current_user.id)
    db.session.commit()
    return redirect(url_for("jobs.job", job_id=job.id))


def _toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _bank_specs(course: Course, key: str) -> list:
    """The bank's draft questions as specs (those with problems are left out)."""
    from lms.assessment.qtypes import REGISTRY
    from lms.content.course_files import from_json
    from lms.content.quiz_loader import question_problems
    from lms.content.specs import QuestionSpec

    bank = drafts.get_item(course.id, "bank", key)
    if bank is None:
        abort(404)
    specs = []
    for qkey in bank.data.get("questions", []):
        item = drafts.get_item(course.id, "question", qkey)
        raw = from_json(item.data) if item else None
        if raw is None or question_problems(raw, topic_required=True):
            continue
        specs.append(QuestionSpec(raw["key"], raw["type"], raw.get("topic", ""),
                                  raw["prompt"], raw.get("explanation", ""),
                                  tuple(raw.get("references", [])),
                                  REGISTRY[raw["type"]].build_spec(raw)))
    return specs


@bp.get("/<slug>/bank/<key>/export.<any(xml, gift):format>")
@roles_required("instructor", "admin")
def export_questions(slug: str, key: str, format: str):
    from lms.content.gift import to_gift
    from lms.content.moodle_xml import to_moodle_xml

    course = course_for(slug)
    specs = _bank_specs(course, key)
    if format == "xml":
        body, _left_out = to_moodle_xml(specs, category=course.slug)
        mimetype = "application/xml; charset=utf-8"
    else:
        text, _left_out = to_gift(specs, category=course.slug)
        body, mimetype = text.encode("utf-8"), "text/plain; charset=utf-8"
    return body, 200, {"Content-Type": mimetype, "Cache-Control": "private, no-store",
                       "Content-Disposition": f'attachment; filename="{course.slug}-{key}.'
                                              f'{"xml" if format == "xml" else "gift.txt"}"',
                       "X-Content-Type-Options": "nosniff"}


@bp.route("/<slug>/bank/<key>/import", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def import_questions(slug: str, key: str):
    from lms.content.gift import parse_gift
    from lms.content.moodle_xml import parse_moodle_xml
    from lms.content.question_import import size_problem
    from lms.content.studio.editing import used_question_keys

    course = editable_course(slug)
    if drafts.get_item(course.id, "bank", key) is None:
        abort(404)
    form = UploadForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("studio/import_questions.html", course=course, key=key,
                               form=form, result=None), 200 if request.method == "GET" else 400
    data = form.file.data.read(6 * 1024 * 1024)
    topic = form.topic.data or key
    if problem := size_problem(len(data)):
        flash(problem, "error")
        return render_template("studio/import_questions.html", course=course, key=key,
                               form=form, result=None), 400
    taken = used_question_keys(course)
    head = data.lstrip()[:200]
    if head.startswith((b"<?xml", b"<quiz", b"\xef\xbb\xbf<")):
        result = parse_moodle_xml(data, default_topic=topic, taken=taken)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            flash(_("The file is neither Moodle XML nor UTF-8 GIFT text."), "error")
            return render_template("studio/import_questions.html", course=course, key=key,
                                   form=form, result=None), 400
        result = parse_gift(text, default_topic=topic, taken=taken)
    pending = None
    if not result.errors and result.questions:
        pending = _keep(ContentImport(user_id=current_user.id, course_id=course.id,
                                      kind="questions", payload={
                                          "owner": f"bank:{key}",
                                          "questions": result.questions}))
    return render_template("studio/import_questions.html", course=course, key=key, form=form,
                           result=result, pending=pending, confirm=ActionForm())


@bp.post("/imports/<int:import_id>/apply-questions")
@roles_required("instructor", "admin")
def apply_question_import(import_id: int):
    from lms.content.studio import editing

    pending = _pending(import_id)
    if not ActionForm().validate_on_submit() or pending.kind != "questions":
        abort(400)
    course = editable_course(db.session.get(Course, pending.course_id).slug)
    owner = pending.payload["owner"]

    def apply():  # all or nothing: one transaction for every question
        for raw in pending.payload["questions"]:
            editing.add_question(course, owner, raw, actor_id=current_user.id)
        db.session.delete(pending)
        return len(pending.payload["questions"])

    outcome = commit_or_flash(apply)
    if outcome.ok:
        flash(_("%(count)d questions imported into the draft.", count=outcome.value),
              "success")
    kind, _sep, key = owner.partition(":")
    return redirect(url_for("studio.owner", slug=course.slug, kind=kind, key=key))
