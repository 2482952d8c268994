"""Verification inside the platform: its own keys and status lists, others' over HTTP.

The status of a credential this platform issued is read from its database (no request
to itself); a status list elsewhere is fetched, with a short timeout, and verified
with the same trusted keys. Unreachable means "not checked", said in the verdict.
"""
from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from flask import current_app

from lms.certification import status
from lms.certification.credential import status_list_url
from lms.certification.keys import TrustedKeys, load_ring, trusted_from_ring
from lms.certification.verification import StatusLookup, status_from_list

FETCH_TIMEOUT = 5
MAX_LIST_BYTES = 1024 * 1024


def platform_keys() -> TrustedKeys:
    return trusted_from_ring(load_ring(Path(current_app.config["CREDENTIAL_KEYS_DIR"])))


def status_lookup(keys: TrustedKeys, *, fetch: bool = True) -> StatusLookup:
    own = re.compile(re.escape(status_list_url(current_app.config["BASE_URL"], 0)[:-1])
                     + r"(\d{4})$")

    def lookup(url: str, index: int) -> bool | None:
        if match := own.match(url):
            return status.is_revoked(int(match.group(1)), index)
        if not fetch or not url.startswith("https://"):
            return None
        try:
            # https only, and only for a credential whose signature already held.
            request = urllib.request.Request(  # noqa: S310
                url, headers={"Accept": "application/vc+jwt"})
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310
                token = answer.read(MAX_LIST_BYTES).decode("ascii", "replace")
            return status_from_list(token, keys.rsa, index)
        except (OSError, ValueError):
            return None

    return lookup
