"""Cohort pages: the list, one cohort and its members, editing, and open invitations."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.accounts import invitations
from lms.accounts.choices import COUNTRIES
from lms.accounts.models import User
from lms.catalog.models import Course
from lms.catalog.queries import list_courses
from lms.core.access import roles_required
from lms.core.db import db, utcnow
from lms.core.forms import ActionForm
from lms.core.paging import keyset_page
from lms.core.unit_of_work import commit_or_flash
from lms.learning import cohort_services
from lms.learning.cohort_forms import CohortForm, MemberForm
from lms.learning.cohorts import Cohort, CohortCourse, CohortInstructor, CohortMember
from lms.learning.permissions import can_view_cohort, visible_cohorts_clause
from lms.learning.views import bp


def cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort, if this person may see it (else 404: its existence is not theirs)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_view_cohort(current_user, cohort):
        abort(404)
    return cohort


def _members_count() -> sa.ScalarSelect:
    return (sa.select(sa.func.count()).where(CohortMember.cohort_id == Cohort.id)
            .correlate(Cohort).scalar_subquery())


@bp.get("/cohorts")
@roles_required("instructor", "admin")
def cohorts() -> ResponseReturnValue:
    page = keyset_page(sa.select(Cohort, _members_count()).where(
        visible_cohorts_clause(current_user)), Cohort.id, newest_first=True, scalars=False)
    return render_template("learning/cohorts.html", page=page, countries=dict(COUNTRIES))


def _form_choices(form: CohortForm, cohort: Cohort | None) -> None:
    courses = list_courses()
    if cohort is not None:  # a course archived since stays listed, so it is not dropped
        taken = {c.id for c in courses}
        courses += [c for c in db.session.scalars(sa.select(Course).join(
            CohortCourse, CohortCourse.course_id == Course.id).where(
            CohortCourse.cohort_id == cohort.id)) if c.id not in taken]
    form.courses.choices = [(c.id, c.title) for c in courses]
    staff = db.session.execute(sa.select(User.id, User.name, User.email).where(
        User.role.in_(("instructor", "admin")), User.active).order_by(User.name)).all()
    form.instructors.choices = [(row.id, f"{row.name} ({row.email})") for row in staff]


def _details(form: CohortForm) -> cohort_services.CohortDetails:
    return cohort_services.CohortDetails(
        name=form.name.data or "", description=form.description.data or "",
        starts_on=form.starts_on.data, due_on=form.due_on.data,
        country=form.country.data or None, agency=form.agency.data or None,
        certificate_language=form.certificate_language.data or None,
        course_ids=tuple(form.courses.data or ()),
        instructor_ids=tuple(form.instructors.data or ()))


@bp.route("/cohorts/new", methods=["GET", "POST"])
@roles_required("admin")
def new_cohort() -> ResponseReturnValue:
    form = CohortForm()
    _form_choices(form, None)
    if form.validate_on_submit():
        done = commit_or_flash(lambda: cohort_services.create_cohort(
            _details(form), actor_id=current_user.id, ip=request.remote_addr))
        if done.ok:
            flash(_("The cohort “%(name)s” is created.", name=done.value.name), "success")
            return redirect(url_for("learning.cohort", cohort_id=done.value.id))
    return render_template("learning/cohort_form.html", form=form, cohort=None), \
        422 if request.method == "POST" else 200


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    _form_choices(form, cohort)
    if request.method == "GET":
        form.country.data = cohort.country or ""
        form.courses.data = cohort_services.course_ids_of(cohort.id)
        form.instructors.data = cohort_services.instructor_ids_of(cohort.id)
    if form.validate_on_submit():
        done = commit_or_flash(lambda: cohort_services.update_cohort(
            cohort, _details(form), actor_id=current_user.id, ip=request.remote_addr))
        if done.ok:
            enrolled = (done.value or {}).get("enrolled", 0)
            flash(ngettext("The cohort is saved; %(num)d enrolment was added for its members.",
                           "The cohort is saved; %(num)d enrolments were added for its "
                           "members.", enrolled) if enrolled else _("The cohort is saved."),
                  "success")
            return redirect(url_for("learning.cohort", cohort_id=cohort.id))
    return render_template("learning/cohort_form.html", form=form, cohort=cohort), \
        422 if request.method == "POST" else 200


@bp.get("/cohorts/<int:cohort_id>")
@roles_required("instructor", "admin")
def cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = cohort_or_404(cohort_id)
    courses = list(db.session.scalars(sa.select(Course).join(
        CohortCourse, CohortCourse.course_id == Course.id)
        .where(CohortCourse.cohort_id == cohort.id).order_by(Course.title)))
    instructors = list(db.session.scalars(sa.select(User).join(
        CohortInstructor, CohortInstructor.user_id == User.id)
        .where(CohortInstructor.cohort_id == cohort.id).order_by(User.name)))
    members = keyset_page(
        sa.select(User, CohortMember.added_at).join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id), User.id, scalars=False)
    counts = db.session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(invitations.PENDING)).select_from(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id)).one()
    return render_template("learning/cohort.html", cohort=cohort, courses=courses,
                           instructors=instructors, members=members, total=counts[0],
                           not_accepted=counts[1], member_form=MemberForm(),
                           countries=dict(COUNTRIES))


@bp.post("/cohorts/<int:cohort_id>/members")
@roles_required("admin")
def add_cohort_member(cohort_id: int) -> ResponseReturnValue:
    cohort = cohort_or_404(cohort_id)
    form = MemberForm()
    if not form.validate_on_submit():
        flash(_("Please enter the email of a person with an account."), "error")
    else:
        done = commit_or_flash(lambda: cohort_services.add_member_by_email(
            cohort, form.email.data, actor_id=current_user.id, ip=request.remote_addr))
        if done.ok:
            flash(_("%(name)s is now in this cohort, and enrolled in its courses.",
                    name=done.value.name), "success")
    return redirect(url_for("learning.cohort", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/members/<int:user_id>/remove")
@roles_required("admin")
def remove_cohort_member(cohort_id: int, user_id: int) -> ResponseReturnValue:
    cohort = cohort_or_404(cohort_id)
    user = db.session.get(User, user_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: cohort_services.remove_member(
            cohort, user, actor_id=current_user.id, ip=request.remote_addr)).ok:
        flash(_("%(name)s is no longer in this cohort. Their enrolments and progress stay.",
                name=user.name), "success")
    return redirect(url_for("learning.cohort", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/invitations")
@roles_required("admin")
def cohort_invitations(cohort_id: int) -> ResponseReturnValue:
    """Members invited who have not accepted, with a button to send a new link."""
    cohort = cohort_or_404(cohort_id)
    page = keyset_page(invitations.pending_query().join(
        CohortMember, CohortMember.user_id == User.id).where(
        CohortMember.cohort_id == cohort.id), User.id, newest_first=True, scalars=False)
    return render_template("learning/cohort_invitations.html", cohort=cohort, page=page,
                           now=utcnow())
