"""Certificates: who is ready, issuing (one, a batch, re-issue), revoking, look-up.

A learner whose certificate was revoked is not "ready": no bulk action gives
them a new one. Re-issuing is a deliberate act on that one certificate, with a
reason, and it is audited.
"""
from __future__ import annotations

import base64
import calendar
import ipaddress
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.catalog import certificate_policy as policy
from lms.catalog.models import Course
from lms.certification import cohorts, credential, signers
from lms.certification.keys import load_ring
from lms.certification.models import Certificate, SerialCounter
from lms.certification.render import template_meta
from lms.core.audit import record_event, record_events
from lms.core.db import db, insert_ignore, upsert_insert, utcnow
from lms.core.errors import DomainError
from lms.core.page_cache import changed as pages_changed
from lms.learning.cohorts import CohortMember
from lms.learning.models import Enrolment

CODE_BYTES = 10  # 80 random bits


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    version: str


@dataclass(frozen=True)
class IssueContext:
    """Who issues, and with what settings (plain values, so a job can carry them)."""

    actor_id: int
    prefix: str
    template: TemplateInfo
    base_url: str
    allow_local_base_url: bool = False  # debug and demo mode
    ip: str | None = None
    # Where the credential signing keys and the template folders are; the issuer's name.
    keys_dir: str = ""
    templates_root: str = ""
    issuer_name: str = ""

    def as_params(self) -> dict:
        return asdict(self)

    @classmethod
    def from_config(cls, config: dict, *, actor_id: int, template: TemplateInfo | None = None,
                    allow_local_base_url: bool = False, ip: str | None = None) -> IssueContext:
        """The platform's settings; the template courses get unless they pick their own
        is the default folder's."""
        if template is None:
            meta = template_meta(config["CERTIFICATES_DIR"], "default")
            template = TemplateInfo(meta["name"], meta["version"])
        return cls(actor_id=actor_id, prefix=config["CERTIFICATE_PREFIX"], template=template,
                   base_url=config["BASE_URL"], allow_local_base_url=allow_local_base_url,
                   ip=ip, keys_dir=config["CREDENTIAL_KEYS_DIR"],
                   templates_root=config["CERTIFICATES_DIR"], issuer_name=config["ISSUER_NAME"])

    @classmethod
    def from_params(cls, params: dict) -> IssueContext:
        return cls(**{**params, "template": TemplateInfo(**params["template"])})


def is_local_address(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_base_url(context: IssueContext) -> None:
    """QR codes must lead verifiers to this platform, not to their own computer; and
    credentials can only be issued with the platform's signing key."""
    _signing_key(context)
    if is_local_address(context.base_url) and not context.allow_local_base_url:
        raise DomainError(_(
            "Certificates cannot be issued while LMS_BASE_URL is %(url)s, an address of "
            "this computer: their QR codes would lead nowhere. Set LMS_BASE_URL to the "
            "platform's public address and restart it.", url=context.base_url))


def verify_url(base_url: str, code: str) -> str:
    """Built when a PDF is rendered, from the configured address: never frozen."""
    return f"{base_url.rstrip('/')}/verify/{code}"


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().lower().rstrip("=")


def next_numbers(year: int, count: int) -> range:
    """Take `count` consecutive numbers of the year inside the caller's transaction (the
    UPDATE … RETURNING holds the counter row until commit, on both databases). A number
    is the serial's and the credential's index in the year's status list."""
    insert_ignore(SerialCounter, {"year": year, "value": 0})
    last = db.session.execute(
        sa.update(SerialCounter).where(SerialCounter.year == year)
        .values(value=SerialCounter.value + count).returning(SerialCounter.value)).scalar_one()
    return range(last - count + 1, last + 1)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    days = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def _has_certificate(*statuses: str):
    return sa.select(Certificate.id).where(
        Certificate.user_id == Enrolment.user_id, Certificate.course_id == Enrolment.course_id,
        Certificate.status.in_(statuses)).exists()


def ready_query(course_id: int | None, *, completed_before: datetime | None = None,
                cohort_id: int | None = None):
    """Completed enrolments holding no certificate for their course, issued or revoked
    (of one cohort's members when `cohort_id` is given)."""
    query = (sa.select(Enrolment, User).join(User, User.id == Enrolment.user_id)
             .where(Enrolment.status == "completed", ~_has_certificate("issued", "revoked"))
             .order_by(Enrolment.completed_at, Enrolment.id))
    if course_id is not None:
        query = query.where(Enrolment.course_id == course_id)
    if completed_before is not None:
        query = query.where(Enrolment.completed_at <= completed_before)
    if cohort_id is not None:
        query = query.where(Enrolment.user_id.in_(sa.select(CohortMember.user_id).where(
            CohortMember.cohort_id == cohort_id)))
    return query


def ready_for_certificate(course_id: int | None) -> list[tuple[Enrolment, User]]:
    return [(e, u) for e, u in db.session.execute(ready_query(course_id))]


def ready_counts() -> dict[int, int]:
    """Course id → people ready for a certificate there (one grouped query)."""
    query = ready_query(None).order_by(None).subquery()
    return dict(db.session.execute(sa.select(query.c.course_id, sa.func.count()).group_by(
        query.c.course_id)).all())


def count_ready(course_id: int, cohort_id: int | None = None) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        ready_query(course_id, cohort_id=cohort_id).order_by(None).subquery()))


def local_date(moment: datetime, zone: str) -> str:
    """The calendar date where the learner is (a 06:00 completion in Bangkok is not
    yesterday's UTC date)."""
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def snapshot(user: User, course: Course, enrolment: Enrolment, serial: str, code: str,
             issued_at: datetime, template: TemplateInfo,
             expires_at: datetime | None = None, issuer: str = "",
             second: str | None = None) -> dict:
    """Everything printed, frozen at issue. Not the verify address: it is built from
    the configured base URL whenever the PDF is rendered."""
    zone = user.timezone_name
    return {
        "name": user.name, "course_title": course.title, "course_slug": course.slug,
        "course_version": course.version, "cpd_hours": course.cpd_hours,
        "completed_on": local_date(enrolment.completed_at or issued_at, zone),
        "issued_on": local_date(issued_at, zone), "serial": serial, "code": code,
        "template": template.name, "template_version": template.version, "locale": "en",
        "expires_on": local_date(expires_at, zone) if expires_at else None,
        "issuer": issuer, "second_locale": second,
    }


def _template_for(course: Course, context: IssueContext) -> TemplateInfo:
    """The course's own template ([certificate] template), else the context's."""
    name = (course.certificate or {}).get("template") or context.template.name
    if not context.templates_root or name == context.template.name:
        return context.template
    try:
        meta = template_meta(context.templates_root, name)
    except FileNotFoundError:
        raise DomainError(_("The course asks for the certificate template “%(name)s”, "
                            "which is not in the certificates folder.", name=name)) from None
    return TemplateInfo(meta["name"], meta["version"])


def _expiry(course: Course, issued_at: datetime) -> datetime | None:
    months = policy.validity_months(course)
    return add_months(issued_at, months) if months else None


def _signing_key(context: IssueContext):
    """The key credentials are signed with; a clear refusal where there is none (a host
    or worker set up without the shared key folder)."""
    if not context.keys_dir:
        return None
    try:
        return load_ring(Path(context.keys_dir)).signing
    except FileNotFoundError:
        raise DomainError(_(
            "Certificates cannot be issued: there is no credential signing key in "
            "%(folder)s. Run “flask setup” on this host, or give every host and worker "
            "the same LMS_CREDENTIAL_KEYS_DIR.", folder=context.keys_dir)) from None


def _signed_credential(snap: dict, user: User, course: Course, context: IssueContext,
                       issued_at: datetime, expires_at: datetime | None,
                       number: int) -> str | None:
    if not context.keys_dir:
        return None
    key = _signing_key(context)
    document = credential.build_credential(
        snap, base_url=context.base_url, issuer_name=context.issuer_name,
        email=user.email, salt=credential.new_salt(), issued_at=issued_at,
        expires_at=expires_at, status_year=issued_at.year, status_index=number,
        summary=course.summary)
    return credential.sign(document, key, context.base_url)


def insert_certificates(pairs: list[tuple[Enrolment, User]], context: IssueContext,
                        *, replaces: Certificate | None = None, action: str | None = None,
                        extra: dict | None = None) -> list[Certificate]:
    """Insert one certificate per (enrolment, user) in one statement, skipping anyone who
    already holds a valid one (the partial unique index decides, even against another
    worker); one audit event per certificate issued (`action`, with `extra` data). A
    re-issue or renewal names the certificate it `replaces`, also on the new paper."""
    if not pairs:
        return []
    now = utcnow()
    courses = {c.id: c for c in db.session.scalars(sa.select(Course).where(
        Course.id.in_({e.course_id for e, _u in pairs})))}
    templates = {cid: _template_for(course, context) for cid, course in courses.items()}
    cosigners = {cid: signers.frozen(cid) for cid in courses}
    languages = cohorts.cohort_languages(pairs)
    numbers = next_numbers(now.year, len(pairs))
    rows = []
    for (enrolment, user), number in zip(pairs, numbers, strict=True):
        code, serial = new_code(), f"{context.prefix}-{now.year}-{number:06d}"
        course, template = courses[enrolment.course_id], templates[enrolment.course_id]
        expires_at = _expiry(course, now)
        second = cohorts.second_locale(course, user, languages.get((user.id, course.id)))
        snap = snapshot(user, course, enrolment, serial, code, now, template, expires_at,
                        context.issuer_name, second)
        snap["cosigners"] = cosigners[enrolment.course_id]
        if replaces is not None:
            snap["replaces"] = replaces.serial
            snap["renewal"] = action == "certificate.renewed"
        rows.append(dict(
            serial=serial, code=code, user_id=user.id, course_id=enrolment.course_id,
            status="issued", issued_at=now, issued_by_id=context.actor_id,
            template=template.name, template_version=template.version,
            replaces_id=replaces.id if replaces else None, snapshot=snap,
            expires_at=expires_at, status_year=now.year, status_index=number,
            credential=_signed_credential(snap, user, course, context, now, expires_at,
                                          number)))
    # Only "already holds a valid one" is skipped (the partial unique index); a clash on
    # serial or code is an error, not a silent skip.
    ids = db.session.scalars(upsert_insert(Certificate).values(rows).on_conflict_do_nothing(
        index_elements=["user_id", "course_id"], index_where=sa.text("status = 'issued'"))
        .returning(Certificate.id)).all()
    issued = list(db.session.scalars(sa.select(Certificate).where(Certificate.id.in_(ids))
                                     .order_by(Certificate.id)))
    action = action or ("certificate.reissued" if replaces else "certificate.issued")
    extra = {**({"replaces": replaces.serial} if replaces else {}), **(extra or {})}
    record_events(action, [
        {"target_id": c.id, "data": {"serial": c.serial, "user_id": c.user_id,
                                     "course": courses[c.course_id].slug, **extra}}
        for c in issued], actor_id=context.actor_id, target_type="certificate", ip=context.ip)
    if replaces is not None:
        pages_changed()  # the old one's verification page now points to the new one
    return issued


def issue_certificate(enrolment: Enrolment, context: IssueContext) -> Certificate:
    """Issue one certificate for a completed enrolment."""
    check_base_url(context)
    if enrolment.status != "completed":
        raise DomainError(_("This learner has not completed the course yet."))
    user = db.session.get(User, enrolment.user_id)
    revoked = db.session.scalar(sa.select(Certificate.serial).where(
        Certificate.user_id == user.id, Certificate.course_id == enrolment.course_id,
        Certificate.status == "revoked"))
    held = db.session.scalar(sa.select(Certificate.id).where(
        Certificate.user_id == user.id, Certificate.course_id == enrolment.course_id,
        Certificate.status == "issued"))
    if held is None and revoked is not None:
        raise DomainError(_(
            "%(name)s's certificate %(serial)s for this course was revoked. To issue a new "
            "one, use “Re-issue” on that certificate and give a reason.",
            name=user.name, serial=revoked))
    issued = insert_certificates([(enrolment, user)], context)
    if not issued:
        raise DomainError(_("%(name)s already holds a valid certificate for this course.",
                            name=user.name))
    return issued[0]


def reissue_certificate(old: Certificate, *, reason: str,
                        context: IssueContext) -> Certificate:
    """A new certificate in place of `old`, with the reason, audited. The new one prints
    the holder's name and the course as they are now (a corrected name, for one). A
    valid `old` is revoked as replaced in the same transaction: one valid certificate
    per course, and the old paper's verification page says it no longer holds."""
    check_base_url(context)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give a reason for re-issuing; it is kept in the audit log."))
    if old.status not in ("issued", "revoked"):
        raise DomainError(_("Only a valid or revoked certificate can be re-issued."))
    if db.session.scalar(sa.select(Certificate.id).where(Certificate.replaces_id == old.id)):
        raise DomainError(_("Certificate %(serial)s was re-issued already.", serial=old.serial))
    enrolment = db.session.scalar(sa.select(Enrolment).where(
        Enrolment.user_id == old.user_id, Enrolment.course_id == old.course_id))
    if enrolment is None or enrolment.status != "completed":
        raise DomainError(_("This learner has not completed the course yet."))
    user = db.session.get(User, old.user_id)
    if old.status == "issued":
        old.status, old.revoked_at = "revoked", utcnow()
        old.revoke_reason = reason[:1000]
        record_event("certificate.revoked", actor_id=context.actor_id,
                     target_type="certificate", target_id=old.id, ip=context.ip,
                     data={"serial": old.serial, "reason": reason[:1000], "replaced": True})
        db.session.flush()  # before the insert: the index allows one valid per course
    issued = insert_certificates([(enrolment, user)], context, replaces=old,
                                 extra={"reason": reason[:1000]})
    if not issued:
        raise DomainError(_("%(name)s already holds a valid certificate for this course.",
                            name=user.name))
    return issued[0]


def issue_next_batch(course_id: int, completed_before: datetime, context: IssueContext,
                     limit: int = 200, cohort_id: int | None = None) -> int:
    """Issue to the next `limit` learners still waiting who completed before the job
    started; returns how many were issued (0 when nobody is left)."""
    # One batch per course at a time: two jobs started for the same course by two admins
    # would otherwise read the same ready learners, take serial numbers for all of them,
    # and leave gaps in the serials when the unique index skips the ones the other job
    # issued first. A no-op write locks the course row on PostgreSQL and takes SQLite's
    # write lock, before the ready list is read (SELECT ... FOR UPDATE would do nothing
    # on SQLite, whose reads take no lock).
    db.session.execute(sa.text("UPDATE course SET id = id WHERE id = :id"), {"id": course_id})
    pairs = [(e, u) for e, u in db.session.execute(
        ready_query(course_id, completed_before=completed_before, cohort_id=cohort_id)
        .limit(limit))]
    return len(insert_certificates(pairs, context)) if pairs else 0


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
    pages_changed()  # no worker may go on showing it as valid


def find_by_code(code: str) -> Certificate | None:
    if not code.isascii() or not code.isalnum() or len(code) > 32:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code.lower()))


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(
        Certificate.user_id == user_id).order_by(Certificate.issued_at.desc())))
