"""Password hashing (scrypt, no length truncation) and the password policy."""
from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long passphrases are welcome; this only stops abuse of the hasher

# Hash of a random password, checked when the email is unknown so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-long", method="scrypt")


def _normalise(password: str) -> str:
    # The same passphrase typed on two keyboards can differ in Unicode form.
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return generate_password_hash(_normalise(password), method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, _normalise(password))


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line)


def password_problem(password: str) -> str | None:
    """Return why a password is refused (untranslated key), or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    if password.lower() in _common_passwords() or len(set(password)) < 4:
        return "common"
    return None
