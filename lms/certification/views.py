"""Certificates: admin issuing and revoking, learner downloads, public verification."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessment import regrade
from lms.assessment.models import RegradeFlag
from lms.catalog.queries import get_course_or_404, list_courses
from lms.certification import cohorts, pdfs, services, tasks
from lms.certification.forms import EmailAllForm, IssueForm, ReissueForm, RevokeForm
from lms.certification.models import Certificate
from lms.certification.permissions import can_download_certificate, can_see_certificate
from lms.core.access import login_required, roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.paging import keyset_page
from lms.core.requests import parse_id
from lms.core.unit_of_work import commit_or_flash
from lms.learning.models import Enrolment

bp = Blueprint("certification", __name__)


def _issue_context() -> services.IssueContext:
    config = current_app.config
    return services.IssueContext.from_config(
        config, actor_id=current_user.id,
        allow_local_base_url=current_app.debug or config["DEMO"], ip=request.remote_addr)


@bp.get("/admin/certificates")
@roles_required("admin")
def admin_index():
    issued = keyset_page(sa.select(Certificate), Certificate.id, newest_first=True)
    replaced = set(db.session.scalars(sa.select(Certificate.replaces_id).where(
        Certificate.replaces_id.in_([c.id for c in issued.items if c.status == "revoked"]))))
    return render_template("certification/admin.html", courses=list_courses(),
                           ready=services.ready_counts(), issued=issued, replaced=replaced,
                           flags=regrade.open_flags(), form=ActionForm(),
                           revoke_form=RevokeForm(), email_form=EmailAllForm())


@bp.get("/admin/courses/<slug>/certificates/ready")
@roles_required("admin")
def admin_ready(slug: str):
    course = get_course_or_404(slug)
    ready = keyset_page(services.ready_query(course.id), Enrolment.id, scalars=False)
    waiting = [(c, services.count_ready(course.id, c.id))
               for c in cohorts.cohorts_of(course.id)]
    return render_template("certification/ready.html", course=course, ready=ready,
                           total=services.count_ready(course.id), form=ActionForm(),
                           cohorts=waiting)


@bp.post("/admin/regrade-flags/<int:flag_id>/resolve")
@roles_required("admin")
def admin_resolve_flag(flag_id: int):
    flag = db.session.get(RegradeFlag, flag_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    apply = request.form.get("decision") == "apply"
    done = commit_or_flash(lambda: regrade.resolve_flag(flag, apply=apply,
                                                        actor_id=current_user.id))
    if done.ok:
        flash(_("The regraded result now stands.") if apply
              else _("The original result stands."), "success")
    return redirect(url_for("certification.admin_index"))


@bp.post("/admin/certificates/issue")
@roles_required("admin")
def admin_issue():
    form = IssueForm()
    enrolment = None
    if form.validate_on_submit() and (enrolment_id := parse_id(form.enrolment_id.data)):
        enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    done = commit_or_flash(lambda: services.issue_certificate(enrolment, _issue_context()))
    if done.ok:
        flash(_("Certificate %(serial)s issued.", serial=done.value.serial), "success")
    return redirect(url_for("certification.admin_ready", slug=enrolment.course.slug))


@bp.post("/admin/courses/<slug>/certificates/issue-all")
@roles_required("admin")
def admin_issue_all(slug: str):
    course = get_course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: tasks.start_issue_all(course, _issue_context()))
    if not done.ok:
        return redirect(url_for("certification.admin_index"))
    return redirect(url_for("jobs.job", job_id=done.value.id))


@bp.post("/admin/certificates/<int:certificate_id>/revoke")
@roles_required("admin")
def admin_revoke(certificate_id: int):
    certificate = db.session.get(Certificate, certificate_id) or abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for revoking; it is kept in the audit log."), "error")
        return redirect(url_for("certification.admin_index"))
    done = commit_or_flash(lambda: services.revoke_certificate(
        certificate, reason=form.reason.data, actor_id=current_user.id, ip=request.remote_addr))
    if done.ok:
        flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
    return redirect(url_for("certification.admin_index"))


@bp.post("/admin/certificates/<int:certificate_id>/reissue")
@roles_required("admin")
def admin_reissue(certificate_id: int):
    certificate = db.session.get(Certificate, certificate_id) or abort(404)
    form = ReissueForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for re-issuing; it is kept in the audit log."), "error")
        return redirect(url_for("certification.admin_index"))
    done = commit_or_flash(lambda: services.reissue_certificate(
        certificate, reason=form.reason.data, context=_issue_context()))
    if done.ok:
        flash(_("Certificate %(serial)s issued in place of %(old)s.", serial=done.value.serial,
                old=certificate.serial), "success")
    return redirect(url_for("certification.admin_index"))


@bp.get("/certificates")
@login_required
def mine():
    return render_template("certification/mine.html",
                           certificates=services.certificates_of(current_user.id))


@bp.get("/certificates/<serial>.pdf")
@login_required
def download(serial: str):
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.serial == serial))
    # Someone else's certificate is answered exactly like a missing one.
    if certificate is None or not can_see_certificate(current_user, certificate):
        abort(404)
    if not can_download_certificate(current_user, certificate):
        abort(410)  # a revoked certificate is not handed out as if it were valid
    pdf = pdfs.pdf_of(certificate)
    db.session.commit()  # a first download keeps the rendered PDF for the next
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificate.serial}.pdf"',
        "Cache-Control": "private, no-store"})
