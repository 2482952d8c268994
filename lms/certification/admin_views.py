"""Admin work on many certificates at once (a cohort's, a ZIP of a course's, emailing
them) and on a course's co-signers."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.queries import get_course_or_404
from lms.certification import cohorts, pdfs, signers, tasks
from lms.certification.forms import EmailAllForm, SignerForm
from lms.certification.models import Certificate
from lms.certification.views import _issue_context, bp
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.requests import parse_id, upload_limits
from lms.core.unit_of_work import commit_or_flash
from lms.learning.cohorts import CohortMember

# Two images of at most 5 MB each, and the text fields.
upload_limits["certification.admin_signers"] = 11 * 1024 * 1024


@bp.post("/admin/courses/<slug>/certificates/issue-cohort")
@roles_required("admin")
def admin_issue_cohort(slug: str):
    course = get_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    cohort_id = parse_id(request.form.get("cohort_id", ""))
    if cohort_id is None or cohort_id not in {c.id for c in cohorts.cohorts_of(course.id)}:
        flash(_("Choose one of this course's cohorts."), "error")
        return redirect(url_for("certification.admin_ready", slug=slug))
    done = commit_or_flash(lambda: tasks.start_issue_all(course, _issue_context(), cohort_id))
    if not done.ok:
        return redirect(url_for("certification.admin_ready", slug=slug))
    return redirect(url_for("jobs.job", job_id=done.value.id))


@bp.get("/admin/courses/<slug>/certificates.zip")
@roles_required("admin")
def admin_zip(slug: str):
    """Every valid certificate of the course (or of one of its cohorts' members, with
    ?cohort=ID), one PDF each, streamed as it is read."""
    course = get_course_or_404(slug)
    query = sa.select(Certificate).where(Certificate.course_id == course.id,
                                         Certificate.status == "issued")
    name = course.slug
    if "cohort" in request.args:
        cohort_id = parse_id(request.args["cohort"])
        if cohort_id is None or cohort_id not in {c.id for c in cohorts.cohorts_of(course.id)}:
            abort(404)
        query = query.where(Certificate.user_id.in_(sa.select(CohortMember.user_id).where(
            CohortMember.cohort_id == cohort_id)))
        name = f"{course.slug}-cohort-{cohort_id}"
    if db.session.scalar(sa.select(query.exists())) is False:
        flash(_("No valid certificates in this course yet."), "error")
        return redirect(url_for("certification.admin_index"))
    body = stream_with_context(pdfs.stream_zip(pdfs.certificate_batches(query)))
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}-certificates.zip"',
        "Cache-Control": "private, no-store", "X-Accel-Buffering": "no"})


@bp.post("/admin/courses/<slug>/certificates/email")
@roles_required("admin")
def admin_email_all(slug: str):
    course = get_course_or_404(slug)
    form = EmailAllForm()
    if not form.validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: tasks.start_email_all(
        course, attach=form.delivery.data == "attach", actor_id=current_user.id))
    if not done.ok:
        return redirect(url_for("certification.admin_index"))
    return redirect(url_for("jobs.job", job_id=done.value.id))


@bp.route("/admin/courses/<slug>/certificates/signers", methods=["GET", "POST"])
@roles_required("admin")
def admin_signers(slug: str):
    course = get_course_or_404(slug)
    form = SignerForm()
    if form.validate_on_submit():
        def add():
            def upload(field):
                return (field.data.read(), field.data.filename or "") if field.data else None
            return signers.add_signer(course.id, institution=form.institution.data,
                                      name=form.name.data, title=form.title.data,
                                      logo=upload(form.logo), signature=upload(form.signature),
                                      actor_id=current_user.id)
        if commit_or_flash(add).ok:
            flash(_("Co-signer added. Certificates issued from now on carry it."), "success")
            return redirect(url_for("certification.admin_signers", slug=slug))
    return render_template("certification/signers.html", course=course, form=form,
                           signers=signers.signers_of(course.id), remove_form=ActionForm(),
                           full=len(signers.signers_of(course.id)) >= signers.MAX_SIGNERS)


@bp.post("/admin/courses/<slug>/certificates/signers/<int:signer_id>/remove")
@roles_required("admin")
def admin_signer_remove(slug: str, signer_id: int):
    course = get_course_or_404(slug)
    signer = db.session.get(signers.CourseSigner, signer_id)
    if signer is None or signer.course_id != course.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: signers.remove_signer(signer, actor_id=current_user.id)).ok:
        flash(_("Co-signer removed. Certificates already issued keep it."), "success")
    return redirect(url_for("certification.admin_signers", slug=slug))
