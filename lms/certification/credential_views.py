"""Credentials on the web: the public keys, the issuer, the status lists (public), and
the holder's credential as a VC-JWT or as JSON."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, jsonify
from flask_login import current_user

from lms.certification import credential, integrity, status
from lms.certification.keys import load_ring
from lms.certification.models import Certificate
from lms.certification.permissions import can_download_certificate, can_see_certificate
from lms.certification.verification import enveloped
from lms.certification.views import bp
from lms.core.access import login_required, public
from lms.core.db import db, utcnow

JWT_MEDIA_TYPE = "application/vc+jwt"
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"  # W3C Controlled Identifiers: Multikey
LD_MEDIA_TYPE = "application/ld+json"


def _ring():
    return load_ring(Path(current_app.config["CREDENTIAL_KEYS_DIR"]))


@bp.get("/.well-known/jwks.json")
@public
def jwks():
    """Every key the platform has signed with (rotation keeps the old ones here)."""
    response = jsonify(_ring().public_jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets verify in browsers
    return response


@bp.get("/credentials/issuer")
@public
def issuer():
    """The issuer's Profile, and the controller document of its Ed25519 keys: the Data
    Integrity proofs' verificationMethod (`<this address>#<Multikey>`) resolves here."""
    config = current_app.config
    profile = {"@context": [credential.VC_CONTEXT, credential.OB_CONTEXT, CID_CONTEXT],
               **credential.issuer_profile(config["BASE_URL"], config["ISSUER_NAME"])}
    methods = [{"id": integrity.verification_method(profile["id"], key.public_key()),
                "type": "Multikey", "controller": profile["id"],
                "publicKeyMultibase": integrity.multibase_key(key.public_key())}
               for key in _ring().ed_keys]
    if methods:
        profile["verificationMethod"] = methods
        profile["assertionMethod"] = [m["id"] for m in methods]
    response = jsonify(profile)
    response.mimetype = LD_MEDIA_TYPE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/credentials/status/<int:year>")
@public
def status_list(year: int):
    """The year's BitstringStatusListCredential, signed as a VC-JWT on every request
    (a fraction of a millisecond), so a revocation shows within a minute."""
    bits = status.status_list_bits(year) if 2000 <= year <= 9999 else None
    if bits is None:
        abort(404)
    revoked, highest = bits
    config = current_app.config
    document = credential.status_list_credential(
        base_url=config["BASE_URL"], issuer_name=config["ISSUER_NAME"], year=year,
        revoked=revoked, highest_index=highest, now=utcnow())
    token = credential.sign(document, _ring().signing, config["BASE_URL"])
    return Response(token, mimetype=JWT_MEDIA_TYPE, headers={
        "Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"})


def _holders_credential(serial: str) -> tuple[Certificate, str]:
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.serial == serial))
    if certificate is None or not can_see_certificate(current_user, certificate):
        abort(404)
    if not can_download_certificate(current_user, certificate):
        abort(410)
    if certificate.credential is None:
        abort(404)  # issued before credentials existed
    return certificate, certificate.credential


@bp.get("/certificates/<serial>.jwt")
@login_required
def credential_jwt(serial: str):
    certificate, token = _holders_credential(serial)
    return Response(token, mimetype=JWT_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{certificate.serial}.jwt"',
        "Cache-Control": "private, no-store"})


@bp.get("/certificates/<serial>.json")
@login_required
def credential_json(serial: str):
    """The credential as a JSON document a wallet imports: the credential the VC-JWT
    carries, with an eddsa-rdfc-2022 Data Integrity proof (or, on a platform without an
    Ed25519 key yet, VC Data Model 2.0's enveloped form of the VC-JWT)."""
    certificate, token = _holders_credential(serial)
    ring = _ring()
    document = integrity.secure(credential.payload_of(token), ring.ed_signing) \
        if ring.ed_keys else enveloped(token)
    response = jsonify(document)
    response.mimetype = LD_MEDIA_TYPE
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{certificate.serial}.credential.json"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
