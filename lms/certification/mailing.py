"""Certificates by email: each holder gets theirs, with the PDF attached or a link, in
their own language, once (marked in the transaction that queues the message)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.certification import pdfs, services
from lms.certification.models import Certificate
from lms.core.db import db, utcnow
from lms.core.mail import Attachment, link, send_mail


def _unsent(course_id: int):
    return sa.select(Certificate).where(
        Certificate.course_id == course_id, Certificate.status == "issued",
        Certificate.emailed_at.is_(None))


def count_unsent(course_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        _unsent(course_id).subquery()))


def email_certificate(certificate: Certificate, holder: User, *, attach: bool,
                      pdf: bytes | None = None) -> None:
    attachments: tuple[Attachment, ...] = ()
    if attach:
        attachments = (Attachment(pdfs.zip_name(certificate), "application/pdf",
                                  pdf if pdf is not None else pdfs.pdf_of(certificate)),)
    send_mail(to=holder.email, template="certificate_issued", locale=holder.locale,
              attachments=attachments, context={
                  "name": holder.name, "course_title": certificate.snapshot["course_title"],
                  "serial": certificate.serial, "attached": attach,
                  "download_url": link("certification.download", serial=certificate.serial),
                  "verify_url": services.verify_url(current_app.config["BASE_URL"],
                                                    certificate.code),
                  "expires_on": certificate.expires_at})
    certificate.emailed_at = utcnow()


def email_next_batch(course_id: int, *, attach: bool, issued_before: datetime,
                     limit: int) -> int:
    """Mail the next `limit` unsent certificates issued before the job started."""
    batch = list(db.session.scalars(_unsent(course_id).where(
        Certificate.issued_at <= issued_before).order_by(Certificate.id).limit(limit)
        .with_for_update(skip_locked=True)))
    if not batch:
        return 0
    holders = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_({c.user_id for c in batch})))}
    files = pdfs.pdfs_of(batch) if attach else {}
    for certificate in batch:
        email_certificate(certificate, holders[certificate.user_id], attach=attach,
                          pdf=files.get(certificate.id))
    db.session.flush()
    return len(batch)
