"""The [certificate] table of course.toml: how the course's certificates are made.

    [certificate]
    template = "default"          # a folder of certificates/
    validity_months = 36          # leave out: certificates do not expire
    remind_days = 60              # the holder is reminded this many days before expiry
    second_language = "th"        # printed beside English; "learner" = the holder's own

A short refresher course names the course whose certificates it renews:

    [certificate]
    renews = "tip-adjudication-for-judges"   # completing this course renews that one's

Every key is optional. What passes is stored as `course.certificate` by sync.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.catalog.certificate_policy import DEFAULT_REMIND_DAYS, LEARNER  # noqa: F401
from lms.catalog.models import Course
from lms.content.reading import Collector
from lms.content.toml_lines import TomlLines
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import LANGUAGES

TABLE = "certificate"
KEYS = ("template", "validity_months", "remind_days", "second_language", "renews")
MAX_VALIDITY_MONTHS = 240
MAX_REMIND_DAYS = 365
TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def load_certificate_settings(path: Path, data: dict[str, Any], where: TomlLines,
                              out: Collector) -> dict[str, Any]:
    """The checked [certificate] table, or {}; problems are recorded in `out`."""
    raw = data.get(TABLE)
    if raw is None:
        return {}
    line = lambda key=None: where.plain_table_key(TABLE, key)  # noqa: E731
    if not isinstance(raw, dict):
        out.add(path, line(), f"certificate must be a table: [certificate] with the keys "
                f"{', '.join(KEYS)}")
        return {}
    table: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in KEYS:
            out.add(path, line(key), f"unknown key '{key}' in [certificate]; the keys are "
                    f"{', '.join(KEYS)}")
        elif key == "template" and not (isinstance(value, str) and TEMPLATE_NAME.match(value)):
            out.add(path, line(key), "certificate template must name a folder of "
                    "certificates/ (lower-case letters, digits, - and _)")
        elif key == "validity_months" and not _whole(value, 1, MAX_VALIDITY_MONTHS):
            out.add(path, line(key), f"certificate validity_months must be a whole number "
                    f"from 1 to {MAX_VALIDITY_MONTHS} (leave it out for no expiry)")
        elif key == "remind_days" and not _whole(value, 0, MAX_REMIND_DAYS):
            out.add(path, line(key), f"certificate remind_days must be a whole number from "
                    f"0 to {MAX_REMIND_DAYS} (0: no reminder)")
        elif key == "second_language" and value != LEARNER and (
                not isinstance(value, str) or value not in LANGUAGES or value == "en"):
            codes = ", ".join(c for c in LANGUAGES if c != "en")
            out.add(path, line(key), f"certificate second_language must be one of {codes} "
                    f"or \"{LEARNER}\"")
        elif key == "renews" and not (isinstance(value, str) and SLUG.match(value)):
            out.add(path, line(key), "certificate renews must be the slug of the course "
                    "whose certificates this refresher course renews")
        else:
            table[key] = value.strip() if isinstance(value, str) else value
    return {key: table[key] for key in KEYS if key in table}


def check_renewals(courses: list[Any], folders: dict[str, Path], out: Collector) -> None:
    """A refresher course must renew another course of the catalogue, one that sets a
    validity period (certificates that never expire are never renewed)."""
    by_slug = {c.slug: c for c in courses}
    for course in courses:
        renews = course.certificate.get("renews")
        if renews is None:
            continue
        path = folders[course.slug] / "course.toml"
        where = TomlLines(path.read_text(encoding="utf-8"))
        line = where.plain_table_key(TABLE, "renews")
        target = by_slug.get(renews)
        if target is None or renews == course.slug:
            out.add(path, line, f"certificate renews '{renews}', which is not another "
                    "course of this catalogue")
        elif "validity_months" not in target.certificate:
            out.add(path, line, f"certificate renews '{renews}', whose certificates never "
                    "expire: give that course a validity_months")


def check_renews_target(course_slug: str, renews: str | None) -> None:
    """In the studio: a refresher must renew another course of the platform."""
    if renews is None:
        return
    if renews == course_slug or db.session.scalar(
            sa.select(Course.id).where(Course.slug == renews)) is None:
        raise DomainError(_("No other course has the address “%(slug)s”: a refresher "
                            "renews another course's certificates.", slug=renews))
