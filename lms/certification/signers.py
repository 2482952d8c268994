"""Co-signers: the institutions whose logo, signatory and signature a course's
certificates carry beside the issuer's.

Images are uploads like a lesson's (lms.catalog.media: type read from the bytes,
re-encoded, stored in the database). At issue each certificate freezes its co-signers
in its snapshot, images by id; a co-signer removed later still prints on the
certificates issued while they signed.
"""
from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from lms.catalog.media import MediaFile, store_image
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError

MAX_SIGNERS = 3  # what fits one row of an A4 certificate
TEXT_MAX = 200


class CourseSigner(db.Model):
    __tablename__ = "course_signer"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    position: Mapped[int]
    institution: Mapped[str] = mapped_column(sa.String(TEXT_MAX))
    name: Mapped[str] = mapped_column(sa.String(TEXT_MAX))
    title: Mapped[str] = mapped_column(sa.String(TEXT_MAX), default="")
    logo_id: Mapped[int | None] = mapped_column(sa.ForeignKey("media_file.id"))
    signature_id: Mapped[int | None] = mapped_column(sa.ForeignKey("media_file.id"))

    __table_args__ = (sa.UniqueConstraint("course_id", "position"),)


def signers_of(course_id: int) -> list[CourseSigner]:
    return list(db.session.scalars(sa.select(CourseSigner).where(
        CourseSigner.course_id == course_id).order_by(CourseSigner.position)))


def _text(value: str | None, missing: str | None) -> str:
    """One line of text; `missing` is the message when it is required and empty."""
    text = " ".join((value or "").split())
    if missing is not None and not text:
        raise DomainError(missing)
    if len(text) > TEXT_MAX:
        raise DomainError(_("The institution, the name and the title may have at most "
                            "%(max)d characters each.", max=TEXT_MAX))
    return text


def add_signer(course_id: int, *, institution: str, name: str, title: str,
               logo: tuple[bytes, str] | None, signature: tuple[bytes, str] | None,
               actor_id: int) -> CourseSigner:
    """Images are (bytes, filename); each is checked and re-encoded, or refused whole."""
    current = signers_of(course_id)
    if len(current) >= MAX_SIGNERS:
        raise DomainError(_("A certificate has room for %(count)d co-signers; remove one "
                            "first.", count=MAX_SIGNERS))
    signer = CourseSigner(
        course_id=course_id, position=(current[-1].position + 1) if current else 1,
        institution=_text(institution, _("Give the institution.")),
        name=_text(name, _("Give the signatory's name.")),
        title=_text(title, None))
    for attribute, upload, alt in (("logo_id", logo, _("Logo of %(institution)s",
                                                       institution=signer.institution)),
                                   ("signature_id", signature, _("Signature of %(name)s",
                                                                 name=signer.name))):
        if upload is not None and upload[0]:
            media = store_image(course_id, upload[0], alt, upload[1], actor_id)
            setattr(signer, attribute, media.id)
    db.session.add(signer)
    db.session.flush()
    record_event("certificate.signer_added", actor_id=actor_id, target_type="course",
                 target_id=course_id, data={"institution": signer.institution,
                                            "name": signer.name})
    return signer


def remove_signer(signer: CourseSigner, *, actor_id: int) -> None:
    record_event("certificate.signer_removed", actor_id=actor_id, target_type="course",
                 target_id=signer.course_id, data={"institution": signer.institution,
                                                   "name": signer.name})
    db.session.delete(signer)
    db.session.flush()


def frozen(course_id: int) -> list[dict[str, Any]]:
    """What a certificate keeps of its co-signers at issue."""
    return [{"institution": s.institution, "name": s.name, "title": s.title,
             "logo": s.logo_id, "signature": s.signature_id} for s in signers_of(course_id)]


def _data_uris(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(MediaFile.id, MediaFile.content_type, MediaFile.data)
                              .where(MediaFile.id.in_(ids))) if ids else []
    return {i: f"data:{kind};base64,{base64.b64encode(data).decode()}"
            for i, kind, data in rows}


def with_images(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Render inputs: each snapshot with its co-signers' images as data: URIs (the
    renderer reads nothing else), every image read once for the lot."""
    ids = {s[k] for snap in snapshots for s in snap.get("cosigners", ())
           for k in ("logo", "signature") if s.get(k)}
    uris = _data_uris(ids)
    return [{**snap, "cosigners_rendered": [
        {**s, "logo": uris.get(s.get("logo")), "signature": uris.get(s.get("signature"))}
        for s in snap.get("cosigners", ())]} for snap in snapshots]
