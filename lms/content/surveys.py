"""The [feedback] table of course.toml: the wording of the feedback survey after the
final test and of the follow-up on use, and the days until the follow-up is sent.

Every key is optional (a missing one means the platform's translated wording); an
unknown key or a wrong type is a `path:line:` error like every other loader error.
What passes is stored as `course.feedback` by sync; `survey_of` (in catalog, so learning
can use it too) resolves it for learners.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from lms.catalog.surveys import (  # noqa: F401  (re-exported: the survey's one home)
    DEFAULT_FOLLOW_UP_DAYS,
    DEFAULTS,
    KEYS,
    MAX_FOLLOW_UP_DAYS,
    MAX_TEXT,
    TEXT_KEYS,
    Survey,
    survey_of,
    valid_days,
)
from lms.content.reading import Collector
from lms.content.toml_lines import TomlLines

TABLE = "feedback"


def feedback_line(where: TomlLines, key: str | None = None) -> int:
    return where.plain_table_key(TABLE, key)


def load_feedback(path: Path, data: dict[str, Any], where: TomlLines,
                  out: Collector) -> dict[str, Any]:
    """The checked [feedback] table (texts stripped, keys in the canonical order), or {}
    when there is none; problems are recorded in `out`."""
    raw = data.get(TABLE)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        out.add(path, feedback_line(where), "feedback must be a table: [feedback] with "
                f"the keys {', '.join(KEYS)}")
        return {}
    for key in raw:
        if key not in KEYS:
            out.add(path, feedback_line(where, key), f"unknown key '{key}' in [feedback]; "
                    f"the keys are {', '.join(KEYS)}")
    table: dict[str, Any] = {}
    for key in KEYS:
        if key not in raw:
            continue
        value, line = raw[key], feedback_line(where, key)
        if key == "follow_up_days":
            if valid_days(value):
                table[key] = value
            else:
                out.add(path, line, f"feedback follow_up_days must be a whole number from 0 "
                        f"to {MAX_FOLLOW_UP_DAYS} (0 turns the follow-up off)")
        elif not isinstance(value, str) or not value.strip():
            out.add(path, line, f"feedback {key} must be non-empty text (leave it out to "
                    "use the platform's wording)")
        elif len(value.strip()) > MAX_TEXT:
            out.add(path, line, f"feedback {key} is {len(value.strip())} characters; at "
                    f"most {MAX_TEXT} fit")
        else:
            table[key] = value.strip()
    return table


def texts_of(table: dict[str, Any]) -> dict[str, Any]:
    """The stored table as studio form values: "" and None where the platform decides."""
    return {**{key: table.get(key, "") for key in TEXT_KEYS},
            "follow_up_days": table.get("follow_up_days")}


def table_of(texts: dict[str, Any]) -> dict[str, Any]:
    """A [feedback] table from studio form values: only what the editor set, so an
    empty field keeps the platform's (translated) wording."""
    table: dict[str, Any] = {}
    for key in KEYS:
        value = texts.get(key)
        if key == "follow_up_days":
            if value is not None and value != "":
                table[key] = int(value)
        elif isinstance(value, str) and value.strip():
            table[key] = value.strip()
    return table
