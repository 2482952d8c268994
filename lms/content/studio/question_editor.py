"""The question editor's fields for each of the eight types, read back into the same
question table a course file holds (then judged by `question_problems`, the file rule).

Rows (options, pairs, steps) are numbered fields with a couple of blank rows to fill,
so the form works without scripts; a case scenario holds parts, each edited with the
fields of its own type under a `part-<n>-` prefix.
"""
from __future__ import annotations

import math
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

TYPES = ("single", "multiple", "true_false", "short_answer", "numeric", "matching",
         "ordering", "scenario")
TYPE_NAMES = {"single": _l("One correct answer"), "multiple": _l("Several correct answers"),
              "true_false": _l("True or false"), "short_answer": _l("Short typed answer"),
              "numeric": _l("Number"), "matching": _l("Matching pairs"),
              "ordering": _l("Steps in order"), "scenario": _l("Case scenario with parts")}
PART_TYPES = TYPES[:-1]
MAX_ROWS = 30
BLANK_ROWS = 2
MAX_PARTS = 12
MAX_REFERENCES = 12
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").replace("\r\n", "\n").strip()


def _count(form: MultiDict, name: str, limit: int) -> int:
    value = form.get(name, "")
    return min(int(value), limit) if value.isdigit() and len(value) < 4 else 0


def _fresh_key(taken: set[str], index: int) -> str:
    for candidate in [*LETTERS, *(f"k{n}" for n in range(index, index + MAX_ROWS + 1))]:
        if candidate not in taken:
            return candidate
    return f"k{index}"


def _rows(form: MultiDict, prefix: str, name: str, fields: tuple[str, ...],
          chosen: set[str] | None = None) -> list[dict]:
    """Numbered rows `<prefix><name>-<i>-<field>`; a row with no text is left out. With
    `chosen` (the row numbers ticked as correct), each row says whether it is correct."""
    rows, taken = [], set()
    for i in range(_count(form, f"{prefix}{name}-rows", MAX_ROWS)):
        row = {f: _text(form, f"{prefix}{name}-{i}-{f}") for f in fields}
        if not any(row.values()):
            continue
        key = _text(form, f"{prefix}{name}-{i}-key")
        row = {"key": key if key and key not in taken else _fresh_key(taken, i),
               **{f: v for f, v in row.items() if v or f != "feedback"}}
        if chosen is not None:
            row["correct"] = str(i) in chosen
        taken.add(row["key"])
        rows.append(row)
    return rows


def _number(text: str) -> Any:
    """A typed number ("3.5" or "3,5"); what is not a number stays text, so the
    validator's message names it."""
    try:
        value = float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return int(value) if value.is_integer() and "." not in text and "," not in text else value


def _feedback(form: MultiDict, prefix: str, into: dict) -> dict:
    if feedback := _text(form, f"{prefix}feedback"):
        into["feedback"] = feedback
    return into


def type_fields(form: MultiDict, qtype: str, prefix: str = "") -> dict[str, Any]:
    """The type's own fields of a question (or of a scenario part)."""
    raw: dict[str, Any] = {}
    if qtype in ("single", "multiple"):
        raw["options"] = _rows(form, prefix, "option", ("text", "feedback"),
                               chosen=set(form.getlist(f"{prefix}correct")))
        if qtype == "multiple" and form.get(f"{prefix}scoring") == "partial":
            raw["scoring"] = "partial"
    elif qtype == "true_false":
        answer = form.get(f"{prefix}answer")
        if answer in ("true", "false"):
            raw["answer"] = answer == "true"
        for name in ("feedback_true", "feedback_false"):
            if value := _text(form, f"{prefix}{name}"):
                raw[name] = value
    elif qtype == "short_answer":
        raw["answers"] = [a.strip() for a in _text(form, f"{prefix}answers").splitlines()
                          if a.strip()]
        _feedback(form, prefix, raw)
    elif qtype == "numeric":
        raw["answer"] = _number(_text(form, f"{prefix}answer"))
        if tolerance := _text(form, f"{prefix}tolerance"):
            raw["tolerance"] = _number(tolerance)
        if unit := _text(form, f"{prefix}unit"):
            raw["unit"] = unit
        _feedback(form, prefix, raw)
    elif qtype == "matching":
        raw["pairs"] = _rows(form, prefix, "pair", ("left", "right"))
        _feedback(form, prefix, raw)
    elif qtype == "ordering":
        raw["items"] = _rows(form, prefix, "item", ("text",))
        _feedback(form, prefix, raw)
    elif qtype == "scenario":
        raw["vignette"] = _text(form, f"{prefix}vignette")
        raw["parts"] = _parts(form)
    return raw


def _parts(form: MultiDict) -> list[dict[str, Any]]:
    parts = []
    for n in range(_count(form, "part-count", MAX_PARTS)):
        prefix = f"part-{n}-"
        kind = form.get(f"{prefix}type", "")
        if kind not in PART_TYPES or form.get(f"{prefix}remove") == "y":
            continue
        part = {"key": _text(form, f"{prefix}key") or f"p{n + 1}", "type": kind,
                "prompt": _text(form, f"{prefix}prompt")}
        if explanation := _text(form, f"{prefix}explanation"):
            part["explanation"] = explanation
        parts.append({**part, **type_fields(form, kind, prefix)})
    if (added := form.get("add_part")) in PART_TYPES and len(parts) < MAX_PARTS:
        taken = {p["key"] for p in parts}
        key = next(f"p{n}" for n in range(1, MAX_PARTS + 2) if f"p{n}" not in taken)
        parts.append({"key": key, "type": added, "prompt": ""})
    return parts


def references_from(form: MultiDict) -> list[str]:
    """Tags picked as instrument + article ("ACTIP Art." + "14(7)"), in rows."""
    tags = []
    for i in range(_count(form, "ref-rows", MAX_REFERENCES)):
        instrument = _text(form, f"ref-{i}-instrument")
        number = _text(form, f"ref-{i}-number")
        if instrument:
            tags.append(f"{instrument} {number}".strip())
    return list(dict.fromkeys(tags))


def question_from(form: MultiDict, qtype: str, key: str) -> dict[str, Any]:
    """The whole question table from the editor's form."""
    raw: dict[str, Any] = {"key": key, "type": qtype}
    for name in ("topic", "prompt", "explanation"):
        if value := _text(form, name):
            raw[name] = value
    raw.update(type_fields(form, qtype))
    raw["references"] = references_from(form)
    return raw


def rows_for(items: list[dict] | None) -> list[dict]:
    """The rows the form shows: the existing ones and some blank ones to fill."""
    return [*(items or []), *({} for _ in range(BLANK_ROWS))]
