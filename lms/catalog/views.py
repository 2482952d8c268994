"""The public catalogue and the instructors' view of course content."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.choices import COUNTRIES
from lms.catalog import queries, services
from lms.catalog.forms import SupportContactForm
from lms.catalog.models import SupportContact
from lms.catalog.permissions import taught_course_ids
from lms.core.access import public, roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.page_cache import anonymous_page
from lms.core.unit_of_work import commit_or_flash

bp = Blueprint("catalog", __name__)


@bp.get("/")
@public
@anonymous_page
def index():
    return render_template("catalog/index.html", courses=queries.list_courses(),
                           lesson_counts=queries.published_lesson_counts())


@bp.get("/teach/")
@roles_required("instructor", "admin")
def teach():
    taught = taught_course_ids(current_user)  # None: an admin, every course
    courses = [c for c in queries.list_courses() if taught is None or c.id in taught]
    return render_template("catalog/teach.html", courses=courses,
                           outlines=queries.outlines([c.id for c in courses]))


@bp.get("/courses/<slug>/references")
@public
@anonymous_page
def references(slug: str):
    course = queries.get_course_or_404(slug)
    if not course.references_html:
        abort(404)
    return render_template("catalog/references.html", course=course)


@bp.get("/glossary")
@public
@anonymous_page
def glossary():
    return render_template("catalog/glossary.html", terms=queries.glossary_terms())


@bp.get("/support")
@public
@anonymous_page
def support():
    return render_template("catalog/support.html", page=queries.site_page("support"),
                           contacts=queries.support_contacts(), countries=dict(COUNTRIES))


@bp.route("/admin/support", methods=["GET", "POST"])
@roles_required("admin")
def admin_support():
    form = SupportContactForm()
    if form.validate_on_submit():
        done = commit_or_flash(lambda: services.add_support_contact(
            country=form.country.data, name=form.name.data, phone=form.phone.data or "",
            hours=form.hours.data or "", note=form.note.data or "", actor_id=current_user.id))
        if done.ok:
            flash(_("Added to the support page."), "success")
            return redirect(url_for("catalog.admin_support"))
    return render_template("catalog/admin_support.html", form=form,
                           contacts=queries.support_contacts(), countries=dict(COUNTRIES),
                           delete_form=ActionForm()), 422 if form.errors else 200


@bp.post("/admin/support/<int:contact_id>/delete")
@roles_required("admin")
def admin_support_delete(contact_id: int):
    contact = db.session.get(SupportContact, contact_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: services.remove_support_contact(contact,
                                                               actor_id=current_user.id)).ok:
        flash(_("Removed from the support page."), "success")
    return redirect(url_for("catalog.admin_support"))
