"""The admin's page of one person: details, cohorts, enrolments, certificates, trail."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from lms.accounts.audit_log import describe, person_trail
from lms.accounts.forms import RoleForm
from lms.accounts.models import User
from lms.accounts.people import (
    COUNTRY_LABELS,
    SECTOR_LABELS,
    SEX_LABELS,
    STATUSES,
    status_of,
)
from lms.certification.services import certificates_of
from lms.certification.views import bp
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.requests import parse_id
from lms.learning.people import cohorts_of
from lms.learning.queries import progress_for_user


# Here, not in accounts: the page reads every layer up to certification, and accounts may
# not import learning or certification. The accounts pages link to it by endpoint name.
@bp.get("/admin/users/<int:user_id>")
@roles_required("admin")
def admin_person(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    certificates = certificates_of(person.id)
    return render_template(
        "accounts/people_person.html", person=person, status=status_of(person),
        statuses=STATUSES, countries=COUNTRY_LABELS,
        sectors=SECTOR_LABELS, sexes=SEX_LABELS,
        cohorts=cohorts_of(person.id), enrolments=progress_for_user(person.id),
        certificates=certificates,
        replaced={c.replaces_id for c in certificates if c.replaces_id},
        trail=person_trail(person.id, parse_id(request.args.get("after"))),
        describe=describe, is_self=person.id == current_user.id,
        form=ActionForm(), role_form=RoleForm())
