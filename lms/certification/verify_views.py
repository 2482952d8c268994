"""Public verification: by the code on the paper (the QR code), or by uploading the PDF or
the credential. Shows the holder's name, the course, the dates, the status and the
co-signers; nothing else personal (no email, organisation or account id)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from lms.certification import credential, services
from lms.certification.checking import platform_keys, status_lookup
from lms.certification.forms import VerifyUploadForm
from lms.certification.models import Certificate, current_status
from lms.certification.verification import MAX_FILE_BYTES, serial_of, verify_file
from lms.certification.views import bp
from lms.core import throttle
from lms.core.access import public
from lms.core.db import db, utcnow
from lms.core.page_cache import anonymous_page
from lms.core.requests import upload_limits

upload_limits["certification.verify_upload"] = MAX_FILE_BYTES + 64 * 1024


def _successor(certificate: Certificate) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.replaces_id == certificate.id))


def public_view(certificate: Certificate) -> dict:
    """Only what a verifier needs: no email, no user id, no organisation, no scores;
    the reason for a revocation is for the holder and admins only."""
    snap = certificate.snapshot
    base = current_app.config["BASE_URL"]
    successor = _successor(certificate) if certificate.status in ("revoked", "renewed") else None
    data = {
        "holder": snap["name"], "course": snap["course_title"],
        "cpd_hours": snap["cpd_hours"], "serial": certificate.serial,
        "issued_on": snap["issued_on"], "expires_on": snap.get("expires_on"),
        "status": current_status(certificate, utcnow()),
        "revoked_on": certificate.revoked_at.date().isoformat()
        if certificate.revoked_at and certificate.status == "revoked" else None,
        "replaced_by": {"serial": successor.serial,
                        "verify": services.verify_url(base, successor.code)}
        if successor else None,
        "replaces": snap.get("replaces"), "renewal": bool(snap.get("renewal")),
        "issuer": snap.get("issuer") or current_app.config["ISSUER_NAME"],
        "cosigners": [{k: c.get(k) for k in ("institution", "name", "title")}
                      for c in snap.get("cosigners", [])],
    }
    if certificate.status_year is not None:
        status_url = credential.status_list_url(base, certificate.status_year)
        data["links"] = {
            "credential": url_for("certification.verify_credential", code=certificate.code,
                                  _external=True),
            "status_list": status_url, "status_list_index": certificate.status_index,
            "issuer": f"{base.rstrip('/')}/credentials/issuer",
            "keys": f"{base.rstrip('/')}/.well-known/jwks.json"}
    return data


def _verify_limit() -> tuple[str, int]:
    return f"verify:{request.remote_addr}", current_app.config["VERIFY_LIMIT_PER_ADDRESS"]


def _refuse_exhausted_addresses() -> None:
    # Per address, in the shared store: codes are 80 random bits, but nobody should be
    # able to try them by the million. Only unknown codes are counted (a known one
    # costs one indexed read and is cacheable); once an address has used its allowance
    # every lookup is refused, cached or not, so a lucky guess after the limit tells it
    # nothing.
    if throttle.exhausted(*_verify_limit(), 60):
        abort(429)


def _find_or_refuse(code: str) -> Certificate:
    certificate = services.find_by_code(code)
    if certificate is None:
        key, limit = _verify_limit()
        abort(404 if throttle.take(key, limit, 60).allowed else 429)
    return certificate


@bp.get("/verify/<code>")
@public
@anonymous_page(guard=_refuse_exhausted_addresses, shared=False)
def verify(code: str):
    as_json = code.endswith(".json")
    certificate = _find_or_refuse(code.removesuffix(".json"))
    data = public_view(certificate)
    if as_json:
        return jsonify(data)
    return render_template("certification/verify.html", cert=data,
                           issued_on=date.fromisoformat(data["issued_on"]),
                           expires_on=date.fromisoformat(data["expires_on"])
                           if data["expires_on"] else None,
                           revoked_on=certificate.revoked_at)


@bp.get("/verify/<code>/credential.jwt")
@public
@anonymous_page(guard=_refuse_exhausted_addresses, shared=False)
def verify_credential(code: str):
    """The credential behind the paper, for a verifier's own tools: whoever holds the
    code (printed on the certificate) may check it; it names the holder only by name
    and by a salted hash of their email."""
    certificate = _find_or_refuse(code)
    token = db.session.scalar(sa.select(Certificate.credential).where(
        Certificate.id == certificate.id))
    if token is None:
        abort(404)
    return current_app.response_class(token, mimetype="application/vc+jwt")


@bp.route("/verify", methods=["GET", "POST"])
@public
def verify_upload():
    """Upload a certificate PDF, a credential JSON or a VC-JWT; checked as the offline
    command checks it, against this platform's keys and status lists."""
    form = VerifyUploadForm()
    verdict = None
    if form.validate_on_submit():
        key, limit = _verify_limit()
        if not throttle.take(key, limit, 60).allowed:
            abort(429)
        upload = form.file.data
        data = upload.read(MAX_FILE_BYTES + 1)
        keys = platform_keys()
        verdict = verify_file(data, upload.filename or "", keys,
                              status_of=status_lookup(keys, fetch=False))
        certificate = None
        if verdict.credential is not None and (serial := serial_of(verdict.credential)):
            certificate = db.session.scalar(sa.select(Certificate).where(
                Certificate.serial == serial))
        return render_template(
            "certification/verify_upload.html", form=form, verdict=verdict,
            outcome_text=OUTCOMES[verdict.outcome](),
            cert=public_view(certificate) if certificate and verdict.outcome != "tampered"
            else None)
    return render_template("certification/verify_upload.html", form=form, verdict=verdict)


OUTCOMES = {
    "valid": lambda: _("Valid: the signature holds, and it is neither revoked nor expired."),
    "expired": lambda: _("Expired: genuine, but its validity period has ended."),
    "revoked": lambda: _("Revoked: genuine, but the issuer has withdrawn it."),
    "tampered": lambda: _("Not genuine: this file was altered or was not issued here."),
}
