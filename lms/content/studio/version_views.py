"""Publishing and versions: publish the draft, list versions, compare two, roll back."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.permissions import can_publish_course
from lms.content import drafts, publish, versions
from lms.content.studio import bp
from lms.content.studio.access import course_for
from lms.content.studio.forms import PublishForm
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash


@bp.post("/<slug>/publish")
@roles_required("instructor", "admin")
def publish_course(slug: str):
    course = course_for(slug, can_publish_course)
    if course.source != "studio":
        abort(409)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("Say in a few words what changed: learners' records keep the note."), "error")
        return redirect(url_for("studio.course", slug=slug))
    try:
        outcome = commit_or_flash(lambda: publish.publish_draft(
            course, note=form.note.data.strip(), actor_id=current_user.id,
            ip=request.remote_addr))
    except publish.PublishRefused as refused:
        db.session.rollback()
        for problem in refused.problems[:20]:
            flash(problem, "error")
        return redirect(url_for("studio.course", slug=slug))
    if outcome.ok:
        flash(_("Version %(number)d is published.", number=outcome.value.number), "success")
    return redirect(url_for("studio.course", slug=slug))


@bp.get("/<slug>/versions")
@roles_required("instructor", "admin")
def versions_list(slug: str):
    course = course_for(slug)
    unpublished = course.source == "studio" and drafts.unpublished_changes(course)
    return render_template("studio/versions.html", course=course, unpublished=unpublished,
                           versions=versions.versions_of(course.id), form=ActionForm())


@bp.get("/<slug>/versions/compare")
@roles_required("instructor", "admin")
def compare(slug: str):
    """Two versions, or a version and the draft ("draft")."""
    course = course_for(slug)

    def files(which: str | None):
        if which == "draft" and drafts.has_draft(course.id):
            return _("Draft"), drafts.draft_files(course.id)
        number = int(which) if which and which.isdigit() and len(which) < 9 else 0
        version = versions.get_version(course.id, number)
        if version is None:
            abort(404)
        return _("Version %(number)d", number=number), version.files

    old_name, old = files(request.args.get("old"))
    new_name, new = files(request.args.get("new"))
    return render_template("studio/compare.html", course=course, old_name=old_name,
                           new_name=new_name, changes=versions.compare(old, new))


@bp.post("/<slug>/versions/<int:number>/rollback")
@roles_required("instructor", "admin")
def rollback(slug: str, number: int):
    course = course_for(slug, can_publish_course)
    if versions.get_version(course.id, number) is None:
        abort(404)
    if course.source != "studio" or not ActionForm().validate_on_submit():
        abort(400)
    if drafts.unpublished_changes(course) and request.form.get("discard") != "y":
        flash(_("The draft has changes that are not published yet, and rolling back "
                "replaces the draft. Publish them first, or tick “Discard the draft's "
                "unpublished changes”."), "error")
        return redirect(url_for("studio.versions_list", slug=slug))
    try:
        outcome = commit_or_flash(lambda: publish.roll_back(
            course, number, note=(request.form.get("note") or "")[:300],
            actor_id=current_user.id, ip=request.remote_addr))
    except publish.PublishRefused as refused:
        db.session.rollback()
        for problem in refused.problems[:20]:
            flash(problem, "error")
        return redirect(url_for("studio.versions_list", slug=slug))
    if outcome.ok:
        flash(_("Version %(old)d is published again as version %(new)d.", old=number,
                new=outcome.value.number), "success")
    return redirect(url_for("studio.versions_list", slug=slug))
