"""Password hashing (scrypt, no length truncation) and the password policy."""
from __future__ import annotations

import re
import unicodedata
from functools import cache

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
