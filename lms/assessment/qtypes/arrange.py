"""Questions that arrange things: matching pairs and ordering steps.

Both give partial credit: the share of pairs matched, or of steps in their
right place. Both work without scripts: a select per row.
"""
from __future__ import annotations

import random
import re
from typing import Any

from flask_babel import gettext as _

from lms.assessment.qtypes.base import (
    Fields,
    InvalidAnswer,
    QuestionType,
    keyed_items,
    random_labels,
    single_value,
)


def _read_labelled(fields: Fields, labels: dict[str, str], what: str) -> dict[str, str]:
    """Posted `-<label>` fields as {spec key: value}; a label not drawn is tampering."""
    key_of = {label: key for key, label in labels.items()}
    if any(suffix.lstrip("-") not in key_of for suffix in fields):
        raise InvalidAnswer(f"unknown {what}")
    values = {key: single_value(fields, f"-{label}") for label, key in key_of.items()}
    return {key: value for key, value in values.items() if value is not None}


class Matching(QuestionType):
    """`pairs = [{key, left, right}]`; each left is matched to one right."""

    name = "matching"
    template = "assessment/types/matching.html"

    def validate(self, raw: dict[str, Any]) -> list[str]:
        pairs = raw.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            return [_("needs at least two pairs")]
        keys = [str(p.get("key", "")) if isinstance(p, dict) else "" for p in pairs]
        problems = []
        if any(not k for k in keys) or len(set(keys)) != len(keys):
            problems.append(_("every pair needs a unique key"))
        if any(not isinstance(p, dict) or not str(p.get("left", "")).strip()
               or not str(p.get("right", "")).strip() for p in pairs):
            problems.append(_("every pair needs left and right text"))
        return problems

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"pairs": [{"key": str(p["key"]), "left": str(p["left"]),
                           "right": str(p["right"])} for p in raw["pairs"]],
                "feedback": str(raw.get("feedback", ""))}

    def draw(self, spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        keys = [p["key"] for p in spec["pairs"]]
        choices = keys[:]
        rng.shuffle(choices)
        # Rows and choices get separate random labels: a row's name never equals the
        # value of its right answer.
        return {"choices": choices, "rows": random_labels(keys, rng),
                "values": random_labels(keys, rng)}

    @staticmethod
    def _labels(spec: dict[str, Any], order: Any) -> tuple[list[str], dict, dict]:
        keys = [p["key"] for p in spec["pairs"]]
        if isinstance(order, dict):
            return order["choices"], order["rows"], order["values"]
        identity = {k: k for k in keys}  # attempts drawn before labels existed
        return (order or keys), identity, identity

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        choices, rows, values = self._labels(spec, order)
        rights = {p["key"]: p["right"] for p in spec["pairs"]}
        return {"rows": [(rows[p["key"]], p["left"], p["key"]) for p in spec["pairs"]],
                "choices": [(values[k], rights[k], k) for k in choices if k in rights]}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        _choices, rows, values = self._labels(spec, order)
        value_key = {label: key for key, label in values.items()}
        posted = _read_labelled(fields, rows, "row")
        if any(value not in value_key for value in posted.values()):
            raise InvalidAnswer("unknown choice")
        return {"matched": {key: value_key[value] for key, value in posted.items()}}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        matched = response.get("matched", {})
        right = sum(1 for p in spec["pairs"] if matched.get(p["key"]) == p["key"])
        return round(right / len(spec["pairs"]), 6)

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        rights = {p["key"]: p["right"] for p in spec["pairs"]}
        matched = response.get("matched", {})
        return {"rows": [
            {"text": f"{p['left']} → {rights.get(matched.get(p['key']), '—')}", "chosen": True,
             "correct": matched.get(p["key"]) == p["key"] if show_key else None,
             "feedback": _("Correct match: %(right)s", right=p["right"])
             if show_key and matched.get(p["key"]) != p["key"] else None}
            for p in spec["pairs"]],
            "feedback": spec.get("feedback") or None if show_key else None}


class Ordering(QuestionType):
    """`items = [{key, text}]` written in the right order; the learner numbers them."""

    name = "ordering"
    template = "assessment/types/ordering.html"

    def validate(self, raw: dict[str, Any]) -> list[str]:
        return keyed_items(raw.get("items"), "items")

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"items": [{"key": str(i["key"]), "text": str(i["text"])} for i in raw["items"]],
                "feedback": str(raw.get("feedback", ""))}

    def draw(self, spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        keys = [i["key"] for i in spec["items"]]
        shown = keys[:]
        while len(shown) > 1 and shown == keys:
            rng.shuffle(shown)  # never show the answer as the starting order
        return {"items": shown, "labels": random_labels(keys, rng)}

    @staticmethod
    def _labels(spec: dict[str, Any], order: Any) -> tuple[list[str], dict]:
        keys = [i["key"] for i in spec["items"]]
        if isinstance(order, dict):
            return order["items"], order["labels"]
        return (order or keys), {k: k for k in keys}  # attempts drawn before labels

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        shown, labels = self._labels(spec, order)
        texts = {i["key"]: i["text"] for i in spec["items"]}
        return {"rows": [(labels[k], texts[k], k) for k in shown if k in texts],
                "positions": list(range(1, len(texts) + 1))}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        _shown, labels = self._labels(spec, order)
        posted = _read_labelled(fields, labels, "item")
        for value in posted.values():
            if not re.fullmatch(r"[0-9]{1,3}", value) or not 1 <= int(value) <= len(labels):
                raise InvalidAnswer("position out of range")
        return {"positions": {key: int(value) for key, value in posted.items()}}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        positions = response.get("positions", {})
        right = sum(1 for index, item in enumerate(spec["items"], start=1)
                    if positions.get(item["key"]) == index)
        return round(right / len(spec["items"]), 6)

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        positions = response.get("positions", {})
        return {"rows": [
            {"text": f"{positions.get(item['key'], '—')}. {item['text']}", "chosen": True,
             "correct": positions.get(item["key"]) == index if show_key else None,
             "feedback": _("Belongs at position %(n)d", n=index)
             if show_key and positions.get(item["key"]) != index else None}
            for index, item in enumerate(spec["items"], start=1)],
            "feedback": spec.get("feedback") or None if show_key else None}
