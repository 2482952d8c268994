"""Cohorts on the admin people pages: the list's cohort filter and a person's cohorts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.accounts.people import ExtraFilter, add_people_filter
from lms.core.db import db
from lms.core.requests import parse_id
from lms.learning.cohorts import Cohort, CohortMember


def cohort_choices() -> list[tuple[str, str]]:
    """Every cohort, current ones first, by name."""
    rows = db.session.execute(sa.select(Cohort.id, Cohort.name, Cohort.archived_at).order_by(
        Cohort.archived_at.is_not(None), Cohort.name))
    return [(str(row.id), _("%(name)s (archived)", name=row.name) if row.archived_at
             else row.name) for row in rows]


def in_cohort(query: sa.Select, value: str) -> sa.Select | None:
    """Members of the cohort. A join rather than IN: the planner then reads the
    membership key (cohort_id, user_id) backwards, already in the list's order."""
    cohort_id = parse_id(value)
    if cohort_id is None:
        return None
    return query.join(CohortMember, CohortMember.user_id == User.id).where(
        CohortMember.cohort_id == cohort_id)


def cohorts_of(user_id: int) -> list[Cohort]:
    return list(db.session.scalars(
        sa.select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id).order_by(Cohort.name)))


def init_app(app: Flask) -> None:
    add_people_filter(app, ExtraFilter("cohort", _l("Cohort"), cohort_choices, in_cohort))
