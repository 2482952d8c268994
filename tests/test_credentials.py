"""Open Badges 3.0 credentials: signed at issue, verified offline, tampered with,
revoked and verified again; carried inside the PDF; keys published and rotated."""
from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from joserfc import jwt
from joserfc.jwk import RSAKey

from lms.catalog.models import Course
from lms.certification import credential as cred
from lms.certification.checking import platform_keys, status_lookup
from lms.certification.keys import generate_key, load_ring, trusted_from_ring
from lms.certification.models import Certificate
from lms.certification.render import render_pdf
from lms.certification.verification import (
    holder_name,
    read_pdf,
    serial_of,
    status_from_list,
    verify_file,
    verify_token,
)
from tests.fixtures.app import post_form
from tests.helpers import complete_course

TEMPLATES = str(Path(__file__).resolve().parents[1] / "certificates")


@pytest.fixture
def issued(db, tiny_course, learner_client, admin_client):
    """The learner's certificate, for a course valid for 36 months."""
    db.session.get(Course, tiny_course.id).certificate = {"validity_months": 36}
    db.session.commit()
    complete_course(learner_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    return db.session.scalar(sa.select(Certificate))


def _payload(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _with_payload(token: str, payload: dict) -> str:
    """The same header and signature over a changed payload: a forgery."""
    head, _body, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{head}.{body}.{signature}"


def test_the_credential_is_an_open_badge_signed_rs256(issued, learner):
    token = issued.credential
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["typ"] == "vc+jwt"
    assert header["kid"].startswith("http://lms.example.org/.well-known/jwks.json#")
    vc = _payload(token)
    assert vc["@context"] == [cred.VC_CONTEXT, cred.OB_CONTEXT]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["type"] == ["Profile"] and vc["iss"] == vc["issuer"]["id"]
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == issued.snapshot["course_title"]
    assert subject["creditsEarned"] == issued.snapshot["cpd_hours"]
    assert holder_name(vc) == learner.name and serial_of(vc) == issued.serial
    email = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    assert email["hashed"] is True
    assert email["identityHash"] == cred.identity_hash(learner.email, email["salt"])
    assert learner.email not in json.dumps(vc)  # only its salted hash
    assert vc["validUntil"][:4] == str(issued.issued_at.year + 3)
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert vc["credentialStatus"]["statusListIndex"] == str(int(issued.serial[-6:]))


def test_verified_offline_and_each_forgery_is_caught(issued, app):
    keys = platform_keys()
    assert verify_token(issued.credential, keys).outcome == "valid"
    vc = _payload(issued.credential)
    renamed = _with_payload(issued.credential, {**vc, "credentialSubject": {
        **vc["credentialSubject"], "identifier": [{
            "type": "IdentityObject", "identityType": "name", "hashed": False,
            "identityHash": "Somebody Else"}]}})
    redated = _with_payload(issued.credential, {**vc, "validUntil": "2099-01-01T00:00:00Z"})
    assert verify_token(renamed, keys).outcome == "tampered"
    assert "altered" in verify_token(redated, keys).reason
    stranger = RSAKey.generate_key(2048, private=True)
    stranger.ensure_kid()
    forged = cred.sign(vc, stranger, "http://lms.example.org")
    verdict = verify_token(forged, keys)
    assert verdict.outcome == "tampered" and "issuer's key" in verdict.reason
    # A forger who also names the platform's key id in the header still fails.
    kid_of_ours = json.loads(base64.urlsafe_b64decode(issued.credential.split(".")[0] + "=="))
    forged_kid = jwt.encode(kid_of_ours, {"x": 1}, stranger)
    assert verify_token(forged_kid, keys).outcome == "tampered"


def test_expired_after_its_validity_with_a_frozen_clock(issued):
    keys = platform_keys()
    expires = issued.expires_at
    assert verify_token(issued.credential, keys, now=expires - timedelta(days=1)).ok
    late = verify_token(issued.credential, keys, now=expires + timedelta(seconds=1))
    assert late.outcome == "expired" and expires.date().isoformat() in late.reason


def test_revoking_flips_the_bit_in_the_signed_status_list(issued, admin_client, client):
    keys = platform_keys()
    lookup = status_lookup(keys, fetch=False)
    assert verify_token(issued.credential, keys, status_of=lookup).outcome == "valid"
    year, index = issued.status_year, issued.status_index
    listed = client.get(f"/credentials/status/{year}")
    assert listed.status_code == 200 and listed.mimetype == "application/vc+jwt"
    assert status_from_list(listed.get_data(as_text=True), keys.rsa, index) is False
    post_form(admin_client, f"/admin/certificates/{issued.id}/revoke", {"reason": "Fraud"})
    listed = client.get(f"/credentials/status/{year}").get_data(as_text=True)
    assert status_from_list(listed, keys.rsa, index) is True
    assert status_from_list(listed, keys.rsa, index + 1) is False
    verdict = verify_token(issued.credential, keys, status_of=lookup)
    assert verdict.outcome == "revoked"
    assert client.get("/credentials/status/1999").status_code == 404


def test_the_pdf_carries_the_credential_and_the_cli_verifies_it(issued, learner_client,
                                                                 runner, tmp_path):
    pdf = learner_client.get(f"/certificates/{issued.serial}.pdf").data
    assert read_pdf(pdf).token == issued.credential
    from pypdf import PdfReader
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert b"pdfuaid:part" in xmp
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid:") and issued.serial in result.output
    # Offline, elsewhere: the published JWKS as the only trusted key.
    jwks = tmp_path / "jwks.json"
    jwks.write_text(learner_client.get("/.well-known/jwks.json").get_data(as_text=True))
    offline = runner.invoke(args=["certificates", "verify", str(path), "--key", str(jwks),
                                  "--offline"])
    assert offline.exit_code == 0 and offline.output.startswith("valid:"), offline.output


def test_a_pdf_printed_with_another_name_is_tampered(issued, tmp_path, runner):
    snapshot = {**issued.snapshot, "name": "Somebody Else"}
    pdf = render_pdf(snapshot, root=TEMPLATES, verify_url="https://lms.example.org/verify/x",
                     credential=issued.credential)
    verdict = verify_file(pdf, "x.pdf", platform_keys())
    assert verdict.outcome == "tampered" and "name printed" in verdict.reason
    other_serial = render_pdf({**issued.snapshot, "serial": "CoE-2026-999999"}, root=TEMPLATES,
                              verify_url="https://lms.example.org/verify/x",
                              credential=issued.credential)
    assert "serial printed" in verify_file(other_serial, "x.pdf", platform_keys()).reason
    path = tmp_path / "forged.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and result.output.startswith("tampered:")


def test_the_json_download_is_the_holders_only(issued, learner_client, app, make_user):
    answer = learner_client.get(f"/certificates/{issued.serial}.json")
    assert answer.status_code == 200
    assert verify_file(answer.data, "c.json", platform_keys()).ok
    assert answer.get_json()["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    jwt_answer = learner_client.get(f"/certificates/{issued.serial}.jwt")
    assert jwt_answer.get_data(as_text=True) == issued.credential
    stranger = app.test_client()
    from tests.fixtures.users import login
    login(stranger, make_user("learner"))
    assert stranger.get(f"/certificates/{issued.serial}.json").status_code == 404
    assert app.test_client().get(f"/certificates/{issued.serial}.jwt").status_code in (302,
                                                                                       401)


def test_keys_rotate_and_old_credentials_still_verify(tmp_path):
    folder = tmp_path / "keys"
    generate_key(folder)
    first = load_ring(folder)
    vc = {"id": "urn:x", "issuer": {"id": "https://i"}, "validFrom": "2026-01-01T00:00:00Z"}
    token = cred.sign(vc, first.signing, "https://i")
    generate_key(folder)
    second = load_ring(folder)
    assert len(second.keys) == 2 and second.signing.kid != first.signing.kid
    assert verify_token(token, trusted_from_ring(second),
                        now=datetime(2026, 6, 1, tzinfo=UTC)).ok
    published = second.public_jwks()["keys"]
    assert {k["kid"] for k in published if k["kty"] == "RSA"} == {k.kid for k in second.keys}
    assert len([k for k in published if k["kty"] == "OKP"]) == 2 == len(second.ed_keys)
    assert all("d" not in k for k in published)  # public halves only
    assert (oct(next(folder.iterdir()).stat().st_mode & 0o777)) == "0o600"


def test_status_bits_round_trip():
    encoded = cred.encode_bits({0, 7, 8, 131_071}, cred.STATUS_LIST_BITS)
    assert [cred.decode_bit(encoded, i) for i in (0, 1, 7, 8, 9, 131_071)] == [
        True, False, True, True, False, True]
    assert cred.list_size(131_072) == 2 * cred.STATUS_LIST_BITS


def _as_vc11(vc: dict) -> dict:
    """The stored 1EdTech schema is the VC Data Model 1.1 edition (the VC 2.0 edition at
    the same address could not be obtained here): the two renamed date properties are
    mapped back; everything Open Badges defines is checked as issued."""
    mapped = {k: v for k, v in vc.items() if k not in ("validFrom", "validUntil")}
    mapped["issuanceDate"] = vc["validFrom"]
    if "validUntil" in vc:
        mapped["expirationDate"] = vc["validUntil"]
    return mapped


def test_the_credential_meets_the_open_badges_schema_and_contexts(issued):
    from jsonschema import Draft201909Validator
    from pyld import jsonld

    from lms.certification.vocab import SCHEMA, document_loader

    vc = {k: v for k, v in _payload(issued.credential).items()
          if k not in ("iss", "jti", "nbf", "exp")}
    schema = json.loads(SCHEMA.read_text())
    errors = [e.message for e in Draft201909Validator(schema).iter_errors(_as_vc11(vc))]
    assert errors == []
    broken = {**vc, "credentialSubject": {**vc["credentialSubject"], "achievement": {}}}
    assert list(Draft201909Validator(schema).iter_errors(_as_vc11(broken)))
    # Every term is defined by the contexts: expanding and compacting again loses nothing.
    options = {"documentLoader": document_loader}
    again = jsonld.compact(jsonld.expand(vc, options), {"@context": vc["@context"]}, options)
    assert _flat({k: v for k, v in again.items() if k != "@context"}) == _flat(
        {k: v for k, v in vc.items() if k != "@context"})


def _flat(value):
    """JSON-LD compaction writes a one-item list as the item."""
    if isinstance(value, list):
        return _flat(value[0]) if len(value) == 1 else [_flat(v) for v in value]
    if isinstance(value, dict):
        return {k: _flat(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name", ["สำราญ น้ำใจดี", "សុខ សំណាង", "ຄຳແພງ ສີສຸວັນ",
                                  "ဒေါ်အောင်မြင့်မြတ်", "Trần Thị Ngọc Ánh", "Siti Nurhaliza 🌺"])
def test_a_genuine_pdf_in_any_script_verifies_from_its_text_layer(issued, name):
    snapshot = {**issued.snapshot, "name": name}
    vc = {k: v for k, v in _payload(issued.credential).items()
          if k not in ("iss", "jti", "nbf", "exp")}
    vc["credentialSubject"]["identifier"][1]["identityHash"] = name
    ring = load_ring(Path(current_app.config["CREDENTIAL_KEYS_DIR"]))
    token = cred.sign(vc, ring.signing, "http://lms.example.org")
    pdf = render_pdf(snapshot, root=TEMPLATES, verify_url="https://lms.example.org/verify/x",
                     credential=token)
    assert read_pdf(pdf).token == token  # extracted with pypdf
    verdict = verify_file(pdf, "x.pdf", platform_keys())
    assert verdict.outcome == "valid", verdict.reason


def test_the_data_integrity_proof_verifies_offline_and_catches_forgeries(
        issued, learner_client, admin_client, runner, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lms.certification import integrity

    document = learner_client.get(f"/certificates/{issued.serial}.json").get_json()
    proof = document["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["proofValue"].startswith("z")
    assert proof["created"] == document["validFrom"]
    assert proof["verificationMethod"].startswith(document["issuer"]["id"] + "#z6Mk")
    # ... and resolves: the issuer's page lists it as an assertion method.
    controller = learner_client.get("/credentials/issuer").get_json()
    assert proof["verificationMethod"] in controller["assertionMethod"]
    assert {m["id"] for m in controller["verificationMethod"]} >= {proof["verificationMethod"]}
    # The same request gives the same proof (deterministic), and the credential is the
    # VC-JWT's own.
    again = learner_client.get(f"/certificates/{issued.serial}.json").get_json()
    assert again == document
    assert {k: v for k, v in document.items() if k != "proof"} == {
        k: v for k, v in _payload(issued.credential).items()
        if k not in ("iss", "jti", "nbf", "exp")}
    keys = platform_keys()
    assert verify_file(json.dumps(document).encode(), "c.json", keys).ok
    renamed = json.loads(json.dumps(document))
    renamed["credentialSubject"]["identifier"][1]["identityHash"] = "Somebody Else"
    redated = {**document, "validUntil": "2099-01-01T00:00:00Z"}
    for forged in (renamed, redated):
        verdict = verify_file(json.dumps(forged).encode(), "c.json", keys)
        assert verdict.outcome == "tampered" and "altered" in verdict.reason
    stranger = integrity.secure({k: v for k, v in document.items() if k != "proof"},
                                Ed25519PrivateKey.generate())
    assert "issuer's key" in verify_file(json.dumps(stranger).encode(), "c.json", keys).reason
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(learner_client.get("/.well-known/jwks.json").get_data(as_text=True))
    offline = runner.invoke(args=["certificates", "verify", str(path), "--key", str(jwks),
                                  "--offline"])
    assert offline.exit_code == 0 and offline.output.startswith("valid:"), offline.output
    post_form(admin_client, f"/admin/certificates/{issued.id}/revoke", {"reason": "Fraud"})
    revoked = runner.invoke(args=["certificates", "verify", str(path)])
    assert revoked.exit_code == 1 and revoked.output.startswith("revoked:"), revoked.output


def test_base58_round_trips():
    from lms.certification.integrity import base58, unbase58

    for data in (b"", b"\0\0abc", bytes(range(256)), b"\xed\x01" + b"\xff" * 32):
        assert unbase58(base58(data)) == data
    assert base58(b"hello world") == "StV1DL6CwTryKyV"
