"""The platform's signing keys for credentials: generated into instance/, never sent out.

One folder holds every key the platform has signed with. The newest signs; all of
them stay published (JWKS at /.well-known/jwks.json), so a credential signed before a
rotation still verifies after it. A key file is `<UTC time>-<thumbprint>.rs256.pem`,
readable by the owner only. Retiring a key (after a compromise) is deleting its file:
credentials it signed then fail verification, as they should.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from joserfc.jwk import KeySet, RSAKey

SUFFIX = ".rs256.pem"
RSA_BITS = 3072  # NIST's choice for keys used past 2030; RS256 is what every verifier takes


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[RSAKey, ...]  # oldest first; the last one signs

    @property
    def signing(self) -> RSAKey:
        return self.keys[-1]

    def find(self, kid: str) -> RSAKey | None:
        return next((k for k in self.keys if k.kid == kid), None)

    def public_jwks(self) -> dict:
        return {"keys": [public_jwk(k) for k in self.keys]}


def public_jwk(key: RSAKey) -> dict:
    return {**key.as_dict(private=False), "kid": key.kid, "alg": "RS256", "use": "sig"}


def _load(path: Path) -> RSAKey:
    key = RSAKey.import_key(path.read_bytes())
    key.ensure_kid()  # the RFC 7638 thumbprint
    return key


def generate_key(folder: Path) -> Path:
    """A new signing key; earlier keys stay and keep verifying what they signed."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = RSAKey.generate_key(RSA_BITS, private=True)
    key.ensure_kid()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{key.kid}{SUFFIX}"
    # Created owner-only in one step: the private key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.as_pem(private=True))
    return path


def ensure_key(folder: Path) -> Path | None:
    """Generate the first key if there is none; returns the new file, or None."""
    if any(folder.glob(f"*{SUFFIX}")):
        return None
    return generate_key(folder)


@lru_cache(maxsize=4)
def _ring(folder: str, names: tuple[str, ...]) -> KeyRing:
    return KeyRing(tuple(_load(Path(folder) / name) for name in names))


def load_ring(folder: Path) -> KeyRing:
    """The keys in `folder`, read again only when its list of files changes."""
    names = tuple(sorted(p.name for p in folder.glob(f"*{SUFFIX}"))) if folder.is_dir() else ()
    if not names:
        raise FileNotFoundError(
            f"no credential signing key in {folder}: run `flask --app wsgi setup` "
            "(or `flask --app wsgi certificates new-key`)")
    return _ring(str(folder), names)



def key_set_from_file(path: Path) -> KeySet:
    """Public keys for offline verification: a JWKS (as the platform publishes it) or a
    PEM public key."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"{"):
        return KeySet.import_key_set(json.loads(data))
    key = RSAKey.import_key(data)
    key.ensure_kid()
    return KeySet([key])
