"""The platform's signing keys for credentials: generated into instance/, never sent out.

One folder holds every key the platform has signed with: RSA keys for the VC-JWT
(`<UTC time>-<thumbprint>.rs256.pem`) and Ed25519 keys for the Data Integrity proof
(`<UTC time>-ed.ed25519.pem`), readable by the owner only. The newest of each signs;
all of them stay published (JWKS at /.well-known/jwks.json, the Ed25519 ones as OKP
keys named by their Multikey form), so a credential signed before a rotation still
verifies after it. Retiring a key (after a compromise) is deleting its file:
credentials it signed then fail verification, as they should.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from joserfc.jwk import KeySet, RSAKey

SUFFIX = ".rs256.pem"
ED_SUFFIX = ".ed25519.pem"  # the Data Integrity proofs (eddsa-rdfc-2022)
RSA_BITS = 3072  # NIST's choice for keys used past 2030; RS256 is what every verifier takes


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[RSAKey, ...]  # oldest first; the last one signs
    ed_keys: tuple[Ed25519PrivateKey, ...] = ()

    @property
    def signing(self) -> RSAKey:
        return self.keys[-1]

    @property
    def ed_signing(self) -> Ed25519PrivateKey:
        return self.ed_keys[-1]

    def public_jwks(self) -> dict:
        return {"keys": [public_jwk(k) for k in self.keys]
                + [ed_public_jwk(k.public_key()) for k in self.ed_keys]}


def public_jwk(key: RSAKey) -> dict:
    return {**key.as_dict(private=False), "kid": key.kid, "alg": "RS256", "use": "sig"}


def ed_public_jwk(public: Ed25519PublicKey) -> dict:
    """An OKP JWK whose kid is the key's Multikey form, the fragment of the proofs'
    verificationMethod."""
    from lms.certification.integrity import multibase_key

    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "kid": multibase_key(public)}


def _load(path: Path) -> RSAKey:
    key = RSAKey.import_key(path.read_bytes())
    key.ensure_kid()  # the RFC 7638 thumbprint
    return key


def _write_private(folder: Path, name: str, pem: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{name}"
    # Created owner-only in one step: the private key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return path


def _new_ed_key(folder: Path) -> Path:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    return _write_private(folder, f"ed{ED_SUFFIX}", pem)


def generate_key(folder: Path) -> Path:
    """A new signing key pair (RS256 for the VC-JWT, Ed25519 for the Data Integrity
    proof); earlier keys stay and keep verifying what they signed."""
    key = RSAKey.generate_key(RSA_BITS, private=True)
    key.ensure_kid()
    _new_ed_key(folder)
    return _write_private(folder, f"{key.kid}{SUFFIX}", key.as_pem(private=True))


def ensure_key(folder: Path) -> Path | None:
    """Generate the first keys if there are none; returns the new file, or None."""
    if not any(folder.glob(f"*{SUFFIX}")):
        return generate_key(folder)
    if not any(folder.glob(f"*{ED_SUFFIX}")):  # a key folder from before the proofs
        return _new_ed_key(folder)
    return None


@lru_cache(maxsize=4)
def _ring(folder: str, names: tuple[str, ...], ed_names: tuple[str, ...]) -> KeyRing:
    return KeyRing(tuple(_load(Path(folder) / name) for name in names),
                   tuple(load_pem_private_key((Path(folder) / name).read_bytes(), None)
                         for name in ed_names))


def _names(folder: Path, suffix: str) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in folder.glob(f"*{suffix}"))) if folder.is_dir() else ()


def load_ring(folder: Path) -> KeyRing:
    """The keys in `folder`, read again only when its list of files changes."""
    names = _names(folder, SUFFIX)
    if not names:
        raise FileNotFoundError(
            f"no credential signing key in {folder}: run `flask --app wsgi setup` "
            "(or `flask --app wsgi certificates new-key`)")
    return _ring(str(folder), names, _names(folder, ED_SUFFIX))



@dataclass(frozen=True)
class TrustedKeys:
    """Public keys a verifier trusts: RS256 for VC-JWTs, Ed25519 for Data Integrity."""

    rsa: KeySet
    ed25519: list[Ed25519PublicKey]


def trusted_from_ring(ring: KeyRing) -> TrustedKeys:
    return TrustedKeys(KeySet(list(ring.keys)), [k.public_key() for k in ring.ed_keys])


def key_set_from_file(path: Path) -> TrustedKeys:
    """Public keys for offline verification: a JWKS (as the platform publishes it) or a
    PEM public key (RSA or Ed25519)."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"{"):
        keys = json.loads(data).get("keys", [])
        rsa = KeySet.import_key_set({"keys": [k for k in keys if k.get("kty") == "RSA"]})
        ed = [Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(
            k["x"] + "=" * (-len(k["x"]) % 4))) for k in keys
            if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"]
        return TrustedKeys(rsa, ed)
    public = load_pem_public_key(data)
    if isinstance(public, Ed25519PublicKey):
        return TrustedKeys(KeySet([]), [public])
    key = RSAKey.import_key(data)
    key.ensure_kid()
    return TrustedKeys(KeySet([key]), [])
