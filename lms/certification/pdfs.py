"""Certificate PDFs: rendered from the frozen snapshot, kept in certificate_pdf, and
handed out one by one or many at once as a ZIP that is streamed, never built in memory.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app

from lms.certification import services, signers
from lms.certification.models import Certificate, CertificatePdf
from lms.certification.render import render_many
from lms.core.db import db, upsert_insert

# Bump when the renderer itself changes what it prints (templates carry a version).
RENDERER = "1"
ZIP_BATCH = 50  # PDFs read from the database at a time


def fingerprint(certificate: Certificate) -> str:
    """What the stored PDF depends on besides the frozen snapshot and credential."""
    base = current_app.config["BASE_URL"]
    key = f"{RENDERER}|{base}|{certificate.template}|{certificate.template_version}"
    return hashlib.sha256(key.encode()).hexdigest()


def render_certificates(certificates: list[Certificate]) -> dict[int, bytes]:
    """PDF bytes per certificate id (co-signer images read once for the lot)."""
    config = current_app.config
    snapshots = signers.with_images([c.snapshot for c in certificates])
    tokens = dict(db.session.execute(sa.select(Certificate.id, Certificate.credential).where(
        Certificate.id.in_([c.id for c in certificates]))).all()) if certificates else {}
    jobs = [(snap, config["CERTIFICATES_DIR"],
             services.verify_url(config["BASE_URL"], c.code), c.template, tokens.get(c.id))
            for c, snap in zip(certificates, snapshots, strict=True)]
    rendered = render_many(jobs, config["RENDER_PROCESSES"])
    return {c.id: data for c, data in zip(certificates, rendered, strict=True)}


def store(pdfs: dict[int, bytes], certificates: list[Certificate]) -> None:
    """Keep rendered PDFs (one statement; a newer render replaces an older one)."""
    by_id = {c.id: c for c in certificates}
    for certificate_id, data in pdfs.items():
        row = {"certificate_id": certificate_id, "data": data,
               "fingerprint": fingerprint(by_id[certificate_id])}
        db.session.execute(upsert_insert(CertificatePdf).values(row).on_conflict_do_update(
            index_elements=["certificate_id"],
            set_={"data": row["data"], "fingerprint": row["fingerprint"]}))


def render_and_store(certificates: list[Certificate]) -> int:
    pdfs = render_certificates(certificates)
    store(pdfs, certificates)
    return len(pdfs)


def stored_pdfs(certificates: list[Certificate]) -> dict[int, bytes]:
    """The stored PDFs that are still current (right fingerprint), by certificate id."""
    if not certificates:
        return {}
    wanted = {c.id: fingerprint(c) for c in certificates}
    rows = db.session.execute(sa.select(CertificatePdf.certificate_id,
                                        CertificatePdf.fingerprint, CertificatePdf.data)
                              .where(CertificatePdf.certificate_id.in_(wanted)))
    return {i: data for i, print_, data in rows if wanted[i] == print_}


def pdfs_of(certificates: list[Certificate], *, keep: bool = True) -> dict[int, bytes]:
    """Every PDF, from the store where current, rendered (and kept) otherwise."""
    found = stored_pdfs(certificates)
    missing = [c for c in certificates if c.id not in found]
    if missing:
        rendered = render_certificates(missing)
        if keep:
            store(rendered, missing)
        found.update(rendered)
    return found


def pdf_of(certificate: Certificate) -> bytes:
    return pdfs_of([certificate])[certificate.id]


def unrendered_query(course_id: int, since: datetime):
    """Valid certificates of a course issued since `since` without a current PDF."""
    return (sa.select(Certificate).outerjoin(
        CertificatePdf, CertificatePdf.certificate_id == Certificate.id)
        .where(Certificate.course_id == course_id, Certificate.issued_at >= since,
               Certificate.status == "issued", CertificatePdf.certificate_id.is_(None))
        .order_by(Certificate.id))


# --- many as one ZIP --------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def zip_name(certificate: Certificate) -> str:
    """'CoE-2026-000042 Somchai Jaidee.pdf': serial and name, in the name's own script,
    without anything a file system or an unzip tool would take as a path or refuse."""
    name = unicodedata.normalize("NFC", certificate.snapshot["name"])
    name = _UNSAFE.sub(" ", name).strip(" .") or "certificate"
    return f"{certificate.serial} {name[:80]}.pdf"


class _Chunks:
    """A write-only file for zipfile that hands out what was written so far."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def certificate_batches(query, batch: int = ZIP_BATCH) -> Iterator[list[Certificate]]:
    """Certificates of `query` by id, a batch at a time (keyset: no OFFSET, no hold on
    every row at once)."""
    last = 0
    while True:
        rows = list(db.session.scalars(query.where(Certificate.id > last)
                                       .order_by(Certificate.id).limit(batch)))
        if not rows:
            return
        yield rows
        last = rows[-1].id
        db.session.expunge_all()  # what was streamed is not kept in the session


def stream_zip(batches: Iterable[list[Certificate]]) -> Iterator[bytes]:
    """A ZIP of one PDF per certificate, written as it is read: memory holds one batch
    of PDFs, whatever the number. PDFs are stored, not deflated (they are compressed)."""
    out = _Chunks()
    moment = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for batch in batches:
            pdfs = pdfs_of(batch, keep=False)
            for certificate in batch:
                info = zipfile.ZipInfo(zip_name(certificate), date_time=moment)
                archive.writestr(info, pdfs[certificate.id])
                yield out.take()
    yield out.take()
