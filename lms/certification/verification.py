"""Check a credential without the platform: signature, dates, status, and the PDF's text.

Used by `flask certificates verify FILE` and by the public verify page's upload: a PDF
(its embedded VC-JWT), a VC-JWT, or a JSON credential (with its Data Integrity proof,
or enveloping a VC-JWT). The
outcome is one of valid, expired, revoked or tampered, with a reason a person can
read. Only keys the caller trusts are used (a key file, or the platform's own); the
token's header never supplies its own key.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from lms.certification.credential import JWT_CLAIMS, decode_bit
from lms.certification.keys import TrustedKeys

ATTACHMENT = "credential.jwt"
ENVELOPED = "EnvelopedVerifiableCredential"
JWT_DATA_URL = "data:application/vc+jwt,"
MAX_FILE_BYTES = 10 * 1024 * 1024

# (status list URL, index) -> revoked?, or None when the list cannot be reached.
StatusLookup = Callable[[str, int], bool | None]


@dataclass
class Verdict:
    outcome: str  # valid, expired, revoked, tampered
    reason: str
    credential: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == "valid"


def holder_name(credential: dict[str, Any]) -> str | None:
    for identity in credential.get("credentialSubject", {}).get("identifier", []):
        if identity.get("identityType") == "name" and not identity.get("hashed"):
            return identity.get("identityHash")
    return None


SERIAL = re.compile(r"^Certificate (\S+)")


def serial_of(credential: dict[str, Any]) -> str | None:
    match = SERIAL.match(str(credential.get("description", "")))
    return match.group(1) if match else None


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def check_signature(token: str, keys: KeySet) -> tuple[dict[str, Any] | None, str]:
    """The payload if the signature holds under one of `keys`, else (None, why)."""
    try:
        compact = jws.extract_compact(token.strip().encode())
    except (JoseError, ValueError):
        return None, _("the file holds no readable credential (not a VC-JWT)")
    headers = compact.headers()
    if headers.get("alg") != "RS256":
        return None, _("the credential is signed with %(alg)s, not RS256",
                       alg=str(headers.get("alg")))
    kid = str(headers.get("kid", "")).rpartition("#")[2]
    key = next((k for k in keys.keys if k.kid == kid), None)
    if key is None:
        return None, _("the credential was not signed with the issuer's key")
    try:
        payload = jws.deserialize_compact(token.strip(), key, algorithms=["RS256"]).payload
    except JoseError:
        return None, _("the signature does not match the credential: it was altered")
    try:
        claims = json.loads(payload)
    except ValueError:
        return None, _("the signed content is not JSON")
    return claims, ""


def _claims_agree(claims: dict[str, Any]) -> str:
    """The JWT claims must say what the credential says (a verifier may read either)."""
    try:
        if claims.get("iss") != claims["issuer"]["id"] or claims.get("jti") != claims["id"]:
            return _("the issuer or id in the token disagree with the credential")
        if claims.get("nbf") != int(_parse_time(claims["validFrom"]).timestamp()):
            return _("the token's start date disagrees with the credential's")
        if ("validUntil" in claims) != ("exp" in claims) or (
                "exp" in claims and claims["exp"] != int(_parse_time(
                    claims["validUntil"]).timestamp())):
            return _("the token's expiry disagrees with the credential's")
    except (KeyError, TypeError, ValueError):
        return _("the credential lacks its issuer, id or dates")
    return ""


def verify_token(token: str, keys: TrustedKeys, *, now: datetime | None = None,
                 status_of: StatusLookup | None = None) -> Verdict:
    claims, why = check_signature(token, keys.rsa)
    if claims is None:
        return Verdict("tampered", why)
    if why := _claims_agree(claims):
        return Verdict("tampered", why, claims)
    return judge(credential_of(claims), now=now, status_of=status_of)


def credential_of(claims: dict[str, Any]) -> dict[str, Any]:
    """The credential inside a VC-JWT's claims (without the registered JWT claims)."""
    return {k: v for k, v in claims.items() if k not in JWT_CLAIMS}


def verify_secured(document: dict[str, Any], keys: TrustedKeys, *,
                   now: datetime | None = None,
                   status_of: StatusLookup | None = None) -> Verdict:
    """A credential with an embedded eddsa-rdfc-2022 proof."""
    from lms.certification.integrity import check

    credential, why = check(document, keys.ed25519)
    if credential is None:
        return Verdict("tampered", why)
    return judge(credential, now=now, status_of=status_of)


def judge(credential: dict[str, Any], *, now: datetime | None,
          status_of: StatusLookup | None) -> Verdict:
    """A credential whose signature held: revoked, expired, or valid."""
    notes: list[str] = []
    status = credential.get("credentialStatus") or {}
    if status.get("type") == "BitstringStatusListEntry" and status_of is not None:
        try:
            revoked = status_of(status["statusListCredential"], int(status["statusListIndex"]))
        except (KeyError, ValueError):
            return Verdict("tampered", _("the credential's status entry is malformed"),
                           credential)
        if revoked:
            return Verdict("revoked", _("the issuer has revoked this credential"), credential)
        if revoked is None:
            notes.append(_("the status list could not be reached: revocation not checked"))
    elif status:
        notes.append(_("status type %(type)s is not checked", type=str(status.get("type"))))
    now = now or datetime.now(UTC)
    if "validUntil" in credential and _parse_time(credential["validUntil"]) <= now:
        return Verdict("expired", _("it expired on %(date)s", date=credential["validUntil"][:10]),
                       credential, notes)
    if _parse_time(credential["validFrom"]) > now:
        return Verdict("tampered", _("it claims to be valid only from a future date"),
                       credential, notes)
    return Verdict("valid", _("the signature holds and it is neither revoked nor expired"),
                   credential, notes)


def status_from_list(token: str, keys: KeySet, index: int) -> bool:
    """Revoked? from a signed BitstringStatusListCredential (raises if it is not one)."""
    claims, why = check_signature(token, keys)
    if claims is None:
        raise ValueError(f"status list: {why}")
    subject = claims.get("credentialSubject", {})
    if subject.get("type") != "BitstringStatusList" or subject.get(
            "statusPurpose") != "revocation":
        raise ValueError("status list: not a revocation BitstringStatusList")
    return decode_bit(subject["encodedList"], index)


def token_from_json(document: Any) -> str | None:
    """A VC-JWT from an EnvelopedVerifiableCredential."""
    if isinstance(document, dict) and ENVELOPED in _types(document) and str(
            document.get("id", "")).startswith(JWT_DATA_URL):
        return document["id"][len(JWT_DATA_URL):]
    return None


def _types(document: dict[str, Any]) -> list[str]:
    kind = document.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def enveloped(token: str) -> dict[str, Any]:
    """The JSON form of a VC-JWT (VC Data Model 2.0 §4.13, enveloped credentials)."""
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": JWT_DATA_URL + token, "type": ENVELOPED}


@dataclass
class PdfContent:
    token: str | None
    text: str


def read_pdf(data: bytes) -> PdfContent:
    """The embedded credential and the text layer of a certificate PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
    except (PdfReadError, ValueError, KeyError, TypeError):
        return PdfContent(None, "")
    found = attachments.get(ATTACHMENT) or []
    token = found[0].decode("ascii", "replace") if found else None
    return PdfContent(token, pdf_text(data, reader))


def pdf_text(data: bytes, reader: Any) -> str:
    """poppler's pdftotext where installed (it reads complex scripts back best), pypdf
    otherwise."""
    tool = shutil.which("pdftotext")
    if tool:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "in.pdf"
            path.write_bytes(data)
            done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"],
                                  capture_output=True, text=True, timeout=30, check=False)
            if done.returncode == 0:
                return done.stdout
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# A PDF's text layer gives back the letters, not always the marks: pdftotext drops the
# nikhahit of Thai and Lao SARA AM and reorders tone marks. Names are compared on their
# letters (every combining mark and all spacing removed), which still tells one name
# from another and never fails a genuine Thai, Khmer or Burmese certificate.
_AM = str.maketrans({"\u0e33": "\u0e32", "\u0eb3": "\u0eb2"})


def _squash(text: str) -> str:
    letters = unicodedata.normalize("NFD", text).translate(_AM)
    return "".join(ch for ch in letters
                   if not ch.isspace() and unicodedata.category(ch)[0] != "M"
                   and unicodedata.category(ch) != "Cf")


def printed_mismatch(credential: dict[str, Any], text: str) -> str:
    """Why the PDF's printed name or serial differ from the credential's ('' if not)."""
    printed = _squash(text)
    serial, name = serial_of(credential), holder_name(credential)
    if not serial or _squash(serial) not in printed:
        return _("the serial printed on the PDF differs from the credential's")
    if not name or _squash(name) not in printed:
        return _("the name printed on the PDF differs from the credential's")
    return ""


def verify_file(data: bytes, filename: str, keys: KeySet, *, now: datetime | None = None,
                status_of: StatusLookup | None = None) -> Verdict:
    """A PDF certificate, a JSON credential or a bare VC-JWT."""
    if len(data) > MAX_FILE_BYTES:
        return Verdict("tampered", _("the file is larger than any certificate"))
    if data.startswith(b"%PDF-"):
        pdf = read_pdf(data)
        if pdf.token is None:
            return Verdict("tampered", _("the PDF carries no credential: it was not issued "
                                         "by this platform, or it was altered"))
        verdict = verify_token(pdf.token, keys, now=now, status_of=status_of)
        if verdict.credential is not None and verdict.outcome != "tampered" and (
                why := printed_mismatch(verdict.credential, pdf.text)):
            return Verdict("tampered", why, verdict.credential, verdict.notes)
        return verdict
    stripped = data.strip()
    document = None
    if stripped.startswith(b"{"):
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
    if isinstance(document, dict) and "proof" in document:
        return verify_secured(document, keys, now=now, status_of=status_of)
    token = token_from_json(document) if document is not None else (
        stripped.decode("ascii", "replace") if stripped.count(b".") == 2 else None)
    if token is None:
        return Verdict("tampered", _("%(file)s is not a certificate PDF, a credential JSON "
                                     "or a VC-JWT", file=Path(filename).name or "?"))
    return verify_token(token, keys, now=now, status_of=status_of)
