"""Issued certificates and the serial counter."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(sa.String(32), unique=True)  # CoE-2026-000042
    # Public verification code carried by the QR code: 80 random bits, base32.
    # It is an identifier printed on paper, not a credential, so it is stored as is.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="issued")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Everything printed, frozen at issue, so the PDF can be rendered again identically.
    snapshot: Mapped[dict] = mapped_column(default=dict)
    template: Mapped[str] = mapped_column(sa.String(40))
    template_version: Mapped[str] = mapped_column(sa.String(20))
    # A re-issue points at the revoked certificate it replaces; a renewal at the one it
    # renews (which is then "renewed": still genuine, no longer current).
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificate.id"))
    # From the course's validity period; None = does not expire.
    expires_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the holder was told it will expire
    emailed_at: Mapped[datetime | None]  # sent to the holder (PDF attached or a link)
    # The Open Badges 3.0 credential as issued (a VC-JWT), and its place in the year's
    # BitstringStatusList (lms.certification.credential). None before credentials.
    credential: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    status_year: Mapped[int | None]
    status_index: Mapped[int | None]

    __table_args__ = (
        sa.CheckConstraint("status IN ('issued', 'revoked', 'expired', 'renewed')",
                           name="status"),
        sa.UniqueConstraint("status_year", "status_index"),
        # Bulk issuing twice issues once: one valid certificate per learner and course.
        sa.Index("uq_certificate_one_issued", "user_id", "course_id", unique=True,
                 sqlite_where=sa.text("status = 'issued'"),
                 postgresql_where=sa.text("status = 'issued'")),
        # "Holds any certificate for this course?", asked of every learner who is ready.
        sa.Index("ix_certificate_user_id_course_id", "user_id", "course_id"),
    )


class CertificatePdf(db.Model):
    """A certificate's PDF, rendered once (by the issuing job or the first download) and
    kept in the database, so downloads, ZIPs and emails never wait for the renderer. The
    fingerprint names what it was rendered with; any change renders it again."""

    __tablename__ = "certificate_pdf"

    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id"),
                                                primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)


def current_status(certificate: Certificate, now: datetime) -> str:
    """issued, expired, revoked or renewed: expiry is read from the date, never stored."""
    if certificate.status == "issued" and certificate.expires_at is not None and (
            certificate.expires_at <= now):
        return "expired"
    return certificate.status


class SerialCounter(db.Model):
    """One row per year; the UPDATE … RETURNING takes the row lock on every backend."""

    __tablename__ = "serial_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(default=0)
