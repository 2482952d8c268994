"""A certificate's life after issue: the reminder before it expires, and renewal by
completing the course's refresher.

A refresher is a short course whose [certificate] table says `renews = "<slug>"`.
When a holder completes it within the renewal window (from `remind_days` before
expiry, or after it), a new certificate for the renewed course is issued that
references the old one; the old one becomes "renewed": genuine, no longer current,
and its verification page points to the new one.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.catalog import certificate_policy as policy
from lms.catalog.models import Course
from lms.certification import services
from lms.certification.models import Certificate
from lms.core.audit import record_event
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail
from lms.learning.models import Enrolment

log = logging.getLogger(__name__)
REMINDER_BATCH = 100


def in_renewal_window(certificate: Certificate, course: Course, now: datetime) -> bool:
    if certificate.status != "issued" or certificate.expires_at is None:
        return False
    return certificate.expires_at - timedelta(days=max(policy.remind_days(course), 1)) <= now


def system_context(actor_id: int) -> services.IssueContext:
    """Issuing on a learner's behalf (a renewal): the platform's settings."""
    config = current_app.config
    return services.IssueContext.from_config(
        config, actor_id=actor_id, allow_local_base_url=current_app.debug or config["DEMO"])


def renew_after_refresher(enrolment: Enrolment, now: datetime | None = None) -> Certificate | None:
    """Receiver of learning's course_completed: renew what this refresher renews."""
    now = now or utcnow()
    refresher = db.session.get(Course, enrolment.course_id)
    slug = policy.renews(refresher) if refresher else None
    if not slug:
        return None
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None:
        return None
    old = db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == enrolment.user_id, Certificate.course_id == course.id,
        Certificate.status == "issued"))
    original = db.session.scalar(sa.select(Enrolment).where(
        Enrolment.user_id == enrolment.user_id, Enrolment.course_id == course.id))
    if old is None or original is None or not in_renewal_window(old, course, now):
        return None
    context = system_context(enrolment.user_id)
    if services.is_local_address(context.base_url) and not context.allow_local_base_url:
        log.warning("certificate %s not renewed: LMS_BASE_URL is a local address", old.serial)
        return None
    # In a savepoint: whatever stops the renewal (no signing key, a missing template)
    # must not undo the learner's own completion of the refresher. Admins can renew by
    # re-issuing; the log says why.
    try:
        with db.session.begin_nested():
            old.status = "renewed"
            db.session.flush()  # before the insert: one current certificate per course
            renewed = services.insert_certificates(
                [(original, db.session.get(User, enrolment.user_id))], context,
                replaces=old, action="certificate.renewed",
                extra={"renews": old.serial, "refresher": refresher.slug})
    except DomainError as error:
        db.session.refresh(old)
        log.warning("certificate %s not renewed: %s", old.serial, error.message)
        return None
    return renewed[0] if renewed else None


def due_reminders(now: datetime, limit: int) -> list[Certificate]:
    """Current certificates entering their renewal window, not yet reminded."""
    found: list[Certificate] = []
    for course in db.session.scalars(sa.select(Course)):
        days = policy.remind_days(course)
        if not policy.validity_months(course) or days <= 0:
            continue
        found += db.session.scalars(sa.select(Certificate).where(
            Certificate.course_id == course.id, Certificate.status == "issued",
            Certificate.reminded_at.is_(None), Certificate.expires_at > now,
            Certificate.expires_at <= now + timedelta(days=days))
            .order_by(Certificate.id).limit(limit - len(found)).with_for_update(
                skip_locked=True))
        if len(found) >= limit:
            break
    return found


def refresher_of(course: Course) -> Course | None:
    return db.session.scalar(sa.select(Course).where(
        Course.archived_at.is_(None),
        Course.certificate["renews"].as_string() == course.slug))


def send_expiry_reminders(now: datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """Mail every holder whose certificate enters its renewal window; one commit per
    batch, each certificate marked in the transaction that queues its email."""
    now = now or utcnow()
    total = 0
    while certificates := due_reminders(now, batch):
        for certificate in certificates:
            course = db.session.get(Course, certificate.course_id)
            holder = db.session.get(User, certificate.user_id)
            refresher = refresher_of(course)
            send_mail(to=holder.email, template="certificate_expiring", locale=holder.locale,
                      context={"name": holder.name, "course_title": certificate.snapshot[
                          "course_title"], "serial": certificate.serial,
                          "expires_at": certificate.expires_at,
                          "refresher_title": refresher.title if refresher else None,
                          "refresher_url": link("learning.course", slug=refresher.slug)
                          if refresher else None,
                          "certificates_url": link("certification.mine")})
            certificate.reminded_at = now
            record_event("certificate.reminded", actor_id=None, target_type="certificate",
                         target_id=certificate.id, data={"serial": certificate.serial})
        db.session.commit()
        total += len(certificates)
        if len(certificates) < batch:
            break
    return total
