"""Certificates: who is ready, issuing (one or all), revoking, looking up by code."""
from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.choices import COUNTRY_TIMEZONES
from lms.accounts.models import User
from lms.catalog.models import Course
from lms.certification.models import Certificate, SerialCounter
from lms.core.audit import record_event
from lms.core.db import db, insert_ignore, utcnow
from lms.core.errors import DomainError
from lms.learning.models import Enrolment

CODE_BYTES = 10  # 80 random bits


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    version: str


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower().rstrip("=")


def next_serial(prefix: str, year: int) -> str:
    """Take the next number of the year inside the caller's transaction."""
    insert_ignore(SerialCounter, {"year": year, "value": 0})
    value = db.session.execute(
        sa.update(SerialCounter).where(SerialCounter.year == year)
        .values(value=SerialCounter.value + 1).returning(SerialCounter.value)).scalar_one()
    return f"{prefix}-{year}-{value:06d}"


def ready_for_certificate(course_id: int | None) -> list[tuple[Enrolment, User]]:
    """Completed enrolments without an issued certificate (of one course, or of all)."""
    issued = sa.select(Certificate.id).where(
        Certificate.user_id == Enrolment.user_id, Certificate.course_id == Enrolment.course_id,
        Certificate.status == "issued").exists()
    rows = db.session.execute(
        sa.select(Enrolment, User).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.status == "completed", ~issued)
        .where(Enrolment.course_id == course_id if course_id is not None else sa.true())
        .order_by(Enrolment.completed_at))
    return [(e, u) for e, u in rows]


def _local_date(moment: datetime, country: str | None) -> str:
    """The calendar date where the learner is (a 06:00 completion in Bangkok is not
    yesterday's UTC date)."""
    zone = COUNTRY_TIMEZONES.get(country or "")
    return (moment.astimezone(ZoneInfo(zone)) if zone else moment).date().isoformat()


def _snapshot(user: User, course: Course, enrolment: Enrolment, serial: str, code: str,
              base_url: str, issued_at: datetime, template: TemplateInfo) -> dict:
    return {
        "name": user.name, "course_title": course.title, "course_slug": course.slug,
        "course_version": course.version, "cpd_hours": course.cpd_hours,
        "completed_on": _local_date(enrolment.completed_at or issued_at, user.country),
        "issued_on": _local_date(issued_at, user.country), "serial": serial, "code": code,
        "verify_url": f"{base_url.rstrip('/')}/verify/{code}",
        "template": template.name, "template_version": template.version, "locale": "en",
    }


def _insert(enrolment: Enrolment, user: User, *, actor_id: int, base_url: str, prefix: str,
            template: TemplateInfo, ip: str | None) -> Certificate | None:
    """Insert a certificate unless the learner already holds a valid one (the partial
    unique index decides, even against a concurrent request)."""
    course = enrolment.course
    now = utcnow()
    serial, code = next_serial(prefix, now.year), new_code()
    inserted = insert_ignore(Certificate, dict(
        serial=serial, code=code, user_id=user.id, course_id=course.id, status="issued",
        issued_at=now, issued_by_id=actor_id, template=template.name,
        template_version=template.version,
        snapshot=_snapshot(user, course, enrolment, serial, code, base_url, now, template)))
    if not inserted:
        return None
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.serial == serial))
    record_event("certificate.issued", actor_id=actor_id, target_type="certificate",
                 target_id=certificate.id, data={"serial": serial, "user_id": user.id,
                                                 "course": course.slug}, ip=ip)
    return certificate


def issue_certificate(enrolment: Enrolment, **options) -> Certificate:
    """Issue one certificate for a completed enrolment; refuse if one is already valid."""
    if enrolment.status != "completed":
        raise DomainError(_("This learner has not completed the course yet."))
    user = db.session.get(User, enrolment.user_id)
    certificate = _insert(enrolment, user, **options)
    if certificate is None:
        raise DomainError(_("%(name)s already holds a valid certificate for this course.",
                            name=user.name))
    return certificate


def issue_all_ready(course: Course, **options) -> list[Certificate]:
    """Issue to everyone ready in the course; running it twice issues nothing new, and a
    learner issued by a concurrent request is skipped, not an error for the batch."""
    issued = [_insert(enrolment, user, **options)
              for enrolment, user in ready_for_certificate(course.id)]
    return [c for c in issued if c is not None]


def revoke_certificate(certificate: Certificate, *, reason: str, actor_id: int,
                       ip: str | None = None) -> None:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give a reason for revoking; it is kept in the audit log."))
    if certificate.status == "revoked":
        raise DomainError(_("This certificate is already revoked."))
    certificate.status = "revoked"
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason[:1000]
    record_event("certificate.revoked", actor_id=actor_id, target_type="certificate",
                 target_id=certificate.id, data={"serial": certificate.serial,
                                                 "reason": certificate.revoke_reason}, ip=ip)
    db.session.flush()


def find_by_code(code: str) -> Certificate | None:
    if not code.isalnum() or len(code) > 32:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code.lower()))


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(
        Certificate.user_id == user_id).order_by(Certificate.issued_at.desc())))
