"""Open Badges 3.0: every certificate is also an OpenBadgeCredential, signed as a VC-JWT.

Built from the certificate's frozen snapshot at issue (W3C Verifiable Credentials
Data Model 2.0, the 1EdTech Open Badges 3.0 context), signed with the platform's
RS256 key (the algorithm every conforming verifier accepts) and stored as issued, so
what the holder carries never changes after issue. The VC-JWT's payload is the
credential itself, with the registered claims iss, nbf, jti, exp beside it (Open
Badges 3.0 §8.2).

The learner is named by a salted SHA-256 hash of their email (an IdentityObject):
whoever knows the email can check it, nobody can read it from the credential. Their
name as printed is a second, plain IdentityObject.

Status is a BitstringStatusList per year of issue (the list id is the year, the index
the serial's number), published signed at /credentials/status/<year>; revoking a
certificate flips its bit.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")
JWT_TYPE = "vc+jwt"
# The specification's minimum: 16 KB of bits, so a list alone tells little about who
# is in it (herd privacy); it grows in whole 16 KB steps when a year issues more.
STATUS_LIST_BITS = 131_072


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def identity_hash(email: str, salt: str) -> str:
    """The Open Badges IdentityHash: 'sha256$' and the hex digest of email + salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


def new_salt() -> str:
    return secrets.token_hex(16)


def issuer_profile(base_url: str, name: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    return {"id": f"{base}/credentials/issuer", "type": ["Profile"], "name": name,
            "url": f"{base}/"}


def status_list_url(base_url: str, year: int) -> str:
    return f"{base_url.rstrip('/')}/credentials/status/{year}"


def build_credential(snap: dict[str, Any], *, base_url: str, issuer_name: str,
                     email: str, salt: str, issued_at: datetime,
                     expires_at: datetime | None, status_year: int, status_index: int,
                     summary: str) -> dict[str, Any]:
    """The OpenBadgeCredential for one certificate, from its frozen snapshot."""
    base = base_url.rstrip("/")
    hours = snap["cpd_hours"]
    status_url = status_list_url(base, status_year)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base}/verify/{snap['code']}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": snap["course_title"],
        # The serial as printed, first (lms.certification.verification.serial_of).
        "description": f"Certificate {snap['serial']} for the course “{snap['course_title']}”",
        "issuer": issuer_profile(base, issuer_name),
        "validFrom": timestamp(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                "identityHash": identity_hash(email, salt), "salt": salt},
                # The name as printed, in plain text (the verify page shows it too).
                {"type": "IdentityObject", "identityType": "name", "hashed": False,
                 "identityHash": snap["name"]}],
            "achievement": {
                "id": f"{base}/courses/{snap['course_slug']}#v{snap['course_version']}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": snap["course_title"],
                "description": summary or snap["course_title"],
                "criteria": {"narrative": (
                    "Read every lesson of the course and passed its final test, on the "
                    "platform of the issuer.")},
                "creditsAvailable": hours,
                "fieldOfStudy": "Trafficking in persons",
            },
            "creditsEarned": hours,
            "activityEndDate": f"{snap['completed_on']}T00:00:00Z",
        },
        "credentialStatus": {
            "id": f"{status_url}#{status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(status_index),
            "statusListCredential": status_url},
        # "JsonSchema" (VC JSON Schema, defined by the v2 context); the older name
        # 1EdTechJsonSchemaValidator2019 is in neither stored context.
        "credentialSchema": [{"id": OB_SCHEMA, "type": "JsonSchema"}],
    }
    if expires_at is not None:
        credential["validUntil"] = timestamp(expires_at)
    return credential


# The registered JWT claims a VC-JWT carries beside the credential's own members.
JWT_CLAIMS = ("iss", "jti", "nbf", "exp")


def _claims(credential: dict[str, Any]) -> dict[str, Any]:
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    return claims


def payload_of(token: str) -> dict[str, Any]:
    """The credential inside a VC-JWT this platform issued (read, not verified: for
    re-securing what the database holds)."""
    body = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return {k: v for k, v in claims.items() if k not in JWT_CLAIMS}


def key_id(base_url: str, key: RSAKey) -> str:
    """A URI that dereferences to the public key: the JWKS entry with this thumbprint."""
    return f"{base_url.rstrip('/')}/.well-known/jwks.json#{key.kid}"


def sign(credential: dict[str, Any], key: RSAKey, base_url: str) -> str:
    header = {"alg": "RS256", "typ": JWT_TYPE, "kid": key_id(base_url, key)}
    return jwt.encode(header, _claims(credential), key)


def encode_bits(revoked: set[int], size: int) -> str:
    """The encodedList: GZIP of the bits (index 0 is the first byte's highest bit),
    base64url without padding, with the multibase prefix 'u'."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_bit(encoded: str, index: int) -> bool:
    if not encoded.startswith("u"):
        raise ValueError("the status list is not base64url multibase")
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    if index // 8 >= len(bits):
        raise ValueError("the status index lies outside the status list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_size(highest_index: int) -> int:
    return max(STATUS_LIST_BITS, -(-(highest_index + 1) // STATUS_LIST_BITS) * STATUS_LIST_BITS)


def status_list_credential(*, base_url: str, issuer_name: str, year: int,
                           revoked: set[int], highest_index: int,
                           now: datetime) -> dict[str, Any]:
    url = status_list_url(base_url, year)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(base_url, issuer_name),
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list", "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(revoked, list_size(highest_index))},
    }
