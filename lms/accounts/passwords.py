"""Password hashing (argon2id, no length truncation) and the password policy.

Hashes use argon2id at OWASP's minimum cost (19 MiB, 2 iterations, 1 lane): about a
third of the CPU time of the scrypt hashes of the first release, with memory
hardness that still defeats GPU cracking. Those older scrypt hashes are still
accepted, and are replaced at the owner's next sign-in (`needs_rehash`).
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long passphrases are welcome; this only stops abuse of the hasher

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Hash of a random password, checked when the email is unknown so both paths take as long.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-but-long")


def _normalise(password: str) -> str:
    # The same passphrase typed on two keyboards can differ in Unicode form.
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return _HASHER.hash(_normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    password_hash = password_hash or _DUMMY_HASH
    if not password_hash.startswith("$argon2"):
        return check_password_hash(password_hash, _normalise(password))  # scrypt, 2026
    try:
        return _HASHER.verify(password_hash, _normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True for hashes of another algorithm or a lower cost than today's."""
    if not password_hash.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of real breaches, as zxcvbn ships them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Return why a password is refused (untranslated key), or None when it is fine.

    Refused: under 12 characters, a common password, or one zxcvbn guesses in fewer
    than 10^8 tries (score < 3): keyboard walks, repeats, dates, words plus digits,
    or the person's own name and email. zxcvbn reads at most 72 characters; a longer
    passphrase is judged by its start, which is plenty to tell "aaaa…" from a sentence.
    """
    from zxcvbn import zxcvbn

    if len(password) < MIN_LENGTH:
        return "short"
    if len(password) > MAX_LENGTH:
        return "long"
    if password.lower() in _common_passwords():
        return "common"
    inputs = [part for text in user_inputs for part in re.split(r"[\s@.]+", text) if part]
    if zxcvbn(password[:72], user_inputs=inputs)["score"] < 3:
        return "common"
    return None
