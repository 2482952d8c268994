"""Studio pages for modules and lessons: add, rename, reorder (buttons, no script
needed), archive, and the lesson editor with a server-rendered preview and images."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.media import markdown_for, store_image
from lms.catalog.media_forms import ImageUploadForm
from lms.content import drafts
from lms.content.studio import bp, editing
from lms.content.studio.access import editable_course
from lms.content.studio.course_views import _int
from lms.content.studio.forms import LessonForm, ModuleForm
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.forms import ActionForm
from lms.core.markdown import render_markdown
from lms.core.unit_of_work import commit_or_flash

DIRECTIONS = ("up", "down")


def _back(slug: str):
    return redirect(url_for("studio.course", slug=slug) + "#outline")


def _outline_change(slug: str, change, then=None) -> object:
    """Run an outline change posted from the overview; a stale outline is reloaded. On
    success, `then(value)` says where to go (else back to the outline)."""
    course = editable_course(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    revision = _int(request.form.get("revision"))
    direction = request.form.get("direction", "")
    try:
        outcome = commit_or_flash(lambda: change(course, revision, direction))
    except drafts.StaleEdit:
        db.session.rollback()
        flash(_("Someone changed the outline while you were looking at it. Here it is as "
                "it is now: make your change again."), "error")
        return _back(slug)
    return then(outcome.value) if outcome.ok and then else _back(slug)


@bp.post("/<slug>/modules")
@roles_required("instructor", "admin")
def add_module(slug: str):
    editable_course(slug)  # who may, before what was sent
    form = ModuleForm()
    if not form.validate_on_submit():
        flash(_("Give the module a title of at most 200 characters."), "error")
        return _back(slug)
    return _outline_change(slug, lambda course, revision, _d: editing.add_module(
        course, form.title.data.strip(), revision=revision, actor_id=current_user.id))


@bp.post("/<slug>/modules/<module>/rename")
@roles_required("instructor", "admin")
def rename_module(slug: str, module: str):
    editable_course(slug)
    form = ModuleForm()
    if not form.validate_on_submit():
        flash(_("Give the module a title of at most 200 characters."), "error")
        return _back(slug)
    return _outline_change(slug, lambda course, revision, _d: editing.rename_module(
        course, module, form.title.data.strip(), revision=revision, actor_id=current_user.id))


@bp.post("/<slug>/modules/<module>/move")
@roles_required("instructor", "admin")
def move_module(slug: str, module: str):
    editable_course(slug)
    if request.form.get("direction") not in DIRECTIONS:
        abort(400)
    return _outline_change(slug, lambda course, revision, direction: editing.move_module(
        course, module, direction, revision=revision, actor_id=current_user.id))


@bp.post("/<slug>/modules/<module>/remove")
@roles_required("instructor", "admin")
def remove_module(slug: str, module: str):
    return _outline_change(slug, lambda course, revision, _d: editing.remove_module(
        course, module, revision=revision, actor_id=current_user.id))


@bp.post("/<slug>/modules/<module>/lessons")
@roles_required("instructor", "admin")
def add_lesson(slug: str, module: str):
    editable_course(slug)
    form = ModuleForm()  # a title is all a new lesson needs
    if not form.validate_on_submit():
        flash(_("Give the lesson a title of at most 200 characters."), "error")
        return _back(slug)
    return _outline_change(
        slug, lambda course, revision, _d: editing.add_lesson(
            course, module, form.title.data.strip(), slug=form.slug.data or None,
            revision=revision, actor_id=current_user.id),
        then=lambda lesson: redirect(url_for("studio.lesson", slug=slug, lesson=lesson)))


@bp.post("/<slug>/lessons/<lesson>/move")
@roles_required("instructor", "admin")
def move_lesson(slug: str, lesson: str):
    editable_course(slug)
    if request.form.get("direction") not in DIRECTIONS:
        abort(400)
    return _outline_change(slug, lambda course, revision, direction: editing.move_lesson(
        course, lesson, direction, revision=revision, actor_id=current_user.id))


@bp.post("/<slug>/lessons/<lesson>/remove")
@roles_required("instructor", "admin")
def remove_lesson(slug: str, lesson: str):
    return _outline_change(slug, lambda course, revision, _d: editing.remove_lesson(
        course, lesson, revision=revision, actor_id=current_user.id))


def _lesson_page(course, item, form, *, status=200, preview=None, conflict=None):
    problems = [p for p in drafts.check_draft(course).problems
                if p.startswith(f"lessons/{item.key}.md")]
    return render_template("studio/lesson.html", course=course, item=item, form=form,
                           preview=preview, conflict=conflict, problems=problems,
                           image_form=ImageUploadForm(), images=_images(course),
                           markdown_for=markdown_for), status


def _images(course):
    from lms.catalog.media import MediaFile

    return db.session.scalars(db.select(MediaFile).where(
        MediaFile.course_id == course.id).order_by(MediaFile.id.desc()).limit(24)).all()


@bp.route("/<slug>/lessons/<lesson>", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def lesson(slug: str, lesson: str):
    course = editable_course(slug)
    item = drafts.get_item(course.id, "lesson", lesson)
    if item is None:
        abort(404)
    header = item.data.get("header", {})
    if request.method == "GET":
        form = LessonForm(revision=item.revision, title=header.get("title", ""),
                          minutes=header.get("minutes", 0),
                          content_note=header.get("content_note", ""),
                          body=item.data.get("body", ""))
        return _lesson_page(course, item, form)
    form = LessonForm()
    if not form.validate_on_submit():
        return _lesson_page(course, item, form, status=400)
    if request.form.get("action") == "preview":
        # Rendered by the server through the same sanitiser as published lessons.
        return _lesson_page(course, item, form, preview=render_markdown(form.body.data))
    new_header = {**header, "title": form.title.data.strip(),
                  "minutes": form.minutes.data or 0}
    new_header.pop("content_note", None)
    if (form.content_note.data or "").strip():
        new_header["content_note"] = form.content_note.data.strip()
    data = {"header": new_header, "body": form.body.data.replace("\r\n", "\n").strip()}
    try:
        outcome = commit_or_flash(lambda: drafts.save_item(
            course, "lesson", lesson, data, revision=_int(form.revision.data),
            actor_id=current_user.id))
    except drafts.StaleEdit as stale:
        db.session.rollback()
        form.revision.data = stale.current.revision if stale.current else ""
        return _lesson_page(course, item, form, status=409, conflict=stale.current)
    if not outcome.ok:
        return _lesson_page(course, item, form, status=400)
    flash(_("Lesson saved in the draft."), "success")
    return redirect(url_for("studio.lesson", slug=slug, lesson=lesson))


@bp.post("/<slug>/lessons/<lesson>/images")
@roles_required("instructor", "admin")
def upload_image(slug: str, lesson: str):
    course = editable_course(slug)
    item = drafts.get_item(course.id, "lesson", lesson)
    if item is None:
        abort(404)
    form = ImageUploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("studio.lesson", slug=slug, lesson=lesson))
    upload = form.image.data
    try:
        media = store_image(course.id, upload.read(), form.alt_text.data, upload.filename or "",
                            current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("studio.lesson", slug=slug, lesson=lesson))
    db.session.commit()
    flash(_("Image uploaded. Paste this line where it belongs in the text: %(markdown)s",
            markdown=markdown_for(media)), "success")
    return redirect(url_for("studio.lesson", slug=slug, lesson=lesson) + "#images")

