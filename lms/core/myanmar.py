"""Burmese typed in Zawgyi, the legacy font encoding many phones in Myanmar still use.

Zawgyi text looks right only in a Zawgyi font; stored and printed as Unicode (a
certificate, another person's screen) it comes out garbled. Google's myanmar-tools
model tells the two apart; the person is asked to type it again in Unicode.
"""
from __future__ import annotations

import re
from functools import cache

_MYANMAR = re.compile(r"[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
THRESHOLD = 0.95  # the model's recommended cut-off


@cache
def _detector():
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


def looks_like_zawgyi(text: str) -> bool:
    if not _MYANMAR.search(text):
        return False
    return _detector().get_zawgyi_probability(text) > THRESHOLD
