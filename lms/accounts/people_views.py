"""The admin people pages: the searchable list, editing a person, deactivating them."""
from __future__ import annotations

from babel.lists import format_list
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts import people_services
from lms.accounts.forms import ROLE_LABELS
from lms.accounts.models import User
from lms.accounts.people import (
    COUNTRY_LABELS,
    SECTOR_LABELS,
    STATUSES,
    count_people,
    extra_filters,
    parse_filters,
    people_page,
    status_of,
    unconfirmed_ids,
)
from lms.accounts.people_forms import PersonForm
from lms.accounts.views import bp
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash

FIELD_LABELS = {"name": _l("name"), "email": _l("email"), "organisation": _l("organisation"),
                "country": _l("country"), "sector": _l("sector"), "sex": _l("sex")}


def _person_url(user: User) -> str:
    # The person page lives with certification, which can read enrolments and
    # certificates; accounts only names its endpoint.
    return url_for("certification.admin_person", user_id=user.id)


@bp.get("/admin/users")
@roles_required("admin")
def admin_users():
    filters = parse_filters(request.args)
    extras = [(extra, extra.choices()) for extra in extra_filters().values()]
    people = people_page(filters)
    return render_template(
        # Counted on the first page only: a later page needs no second count of 100,000.
        "accounts/people.html", people=people,
        count=count_people(filters) if people.after is None else None,
        unconfirmed=unconfirmed_ids(people.items),
        filters=filters, extras=extras, status_of=status_of,
        # Translated once here, not once per row (50 rows × 6 lazy labels add up).
        statuses=_texts(STATUSES), role_labels=_texts(ROLE_LABELS),
        countries=_texts(COUNTRY_LABELS), sectors=_texts(SECTOR_LABELS))


def _texts(labels: dict) -> dict[str, str]:
    return {key: str(label) for key, label in labels.items()}


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def admin_edit_person(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PersonForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        done = commit_or_flash(lambda: people_services.edit_person(
            user, actor_id=current_user.id, reason=form.reason.data, name=form.name.data,
            email=form.email.data, organisation=form.organisation.data or "",
            country=form.country.data or "", sector=form.sector.data or "",
            sex=form.sex.data or "", ip=request.remote_addr))
        if done.ok:
            if done.value:
                fields = format_list([str(FIELD_LABELS[f]) for f in done.value],
                                     locale=get_locale())
                flash(_("Saved; changed: %(fields)s.", fields=fields), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(_person_url(user))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/people_edit.html", person=user, form=form), status


def _switch(user_id: int, service, done_message: str, same_message: str):
    user = db.session.get(User, user_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: service(user, actor_id=current_user.id,
                                           ip=request.remote_addr))
    if done.ok:
        flash((done_message if done.value else same_message) % {"name": user.name},
              "success" if done.value else "info")
    return redirect(_person_url(user))


@bp.post("/admin/users/<int:user_id>/deactivate")
@roles_required("admin")
def admin_deactivate_person(user_id: int):
    return _switch(user_id, people_services.deactivate_person,
                   _("%(name)s is deactivated and signed out everywhere."),
                   _("%(name)s was already deactivated."))


@bp.post("/admin/users/<int:user_id>/reactivate")
@roles_required("admin")
def admin_reactivate_person(user_id: int):
    return _switch(user_id, people_services.reactivate_person,
                   _("%(name)s can sign in again."), _("%(name)s was already active."))
