"""The status lists' view of the certificates: which entries of a year are revoked."""
from __future__ import annotations

import sqlalchemy as sa

from lms.certification.models import Certificate
from lms.core.db import db


def status_list_bits(year: int) -> tuple[set[int], int] | None:
    """The revoked indices of a year's status list and its highest index, or None when
    nothing was issued with a credential that year (one grouped query)."""
    highest = db.session.scalar(sa.select(sa.func.max(Certificate.status_index)).where(
        Certificate.status_year == year))
    if highest is None:
        return None
    revoked = set(db.session.scalars(sa.select(Certificate.status_index).where(
        Certificate.status_year == year, Certificate.status == "revoked")))
    return revoked, highest


def is_revoked(year: int, index: int) -> bool | None:
    """Revoked? for the certificate at (year, index) of the status lists; None if there
    is no such entry."""
    status = db.session.scalar(sa.select(Certificate.status).where(
        Certificate.status_year == year, Certificate.status_index == index))
    return None if status is None else status == "revoked"
