"""Choice questions: single choice, multiple select, true/false."""
from __future__ import annotations

import random
from typing import Any

from flask_babel import gettext as _

from lms.assessment.qtypes.base import (
    Fields,
    InvalidAnswer,
    QuestionType,
    keyed_items,
    random_labels,
)

SCORING = ("all_or_nothing", "partial")


class _Options(QuestionType):
    multiple = False

    def validate(self, raw: dict[str, Any]) -> list[str]:
        options = raw.get("options")
        problems = keyed_items(options, "options")
        if problems:
            return problems
        correct = sum(1 for o in options if o.get("correct") is True)
        if correct == 0:
            problems.append(_("has no correct answer"))
        elif not self.multiple and correct > 1:
            problems.append(_("has %(count)d correct options; single allows exactly one",
                              count=correct))
        return problems

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"options": [
            {"key": str(o["key"]), "text": str(o["text"]), "correct": o.get("correct") is True,
             "feedback": str(o.get("feedback", ""))} for o in raw["options"]]}

    def draw(self, spec: dict[str, Any], rng: random.Random) -> list[str]:
        keys = [o["key"] for o in spec["options"]]
        rng.shuffle(keys)
        # Form values are random per attempt: the author's keys ("a" is often the right
        # one) never reach the page source.
        return {"keys": keys, "labels": random_labels(keys, rng)}

    @staticmethod
    def _order(spec: dict[str, Any], order: Any) -> tuple[list[str], dict[str, str]]:
        keys = [o["key"] for o in spec["options"]]
        if isinstance(order, dict):
            return order["keys"], order["labels"]
        return (order or keys), {k: k for k in keys}  # attempts drawn before labels

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        by_key = {o["key"]: o["text"] for o in spec["options"]}
        shown, labels = self._order(spec, order)
        return {"choices": [(labels[k], by_key[k], k) for k in shown if k in by_key],
                "multiple": self.multiple}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        _shown, labels = self._order(spec, order)
        key_of = {label: key for key, label in labels.items()}
        posted = {v for v in fields.get("", []) if v != ""}
        if any(v not in key_of for v in posted):
            raise InvalidAnswer("unknown option")
        if not self.multiple and len(posted) > 1:
            raise InvalidAnswer("only one option may be chosen")
        return {"chosen": sorted(key_of[v] for v in posted)}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        correct = {o["key"] for o in spec["options"] if o["correct"]}
        return 1.0 if set(response.get("chosen", [])) == correct else 0.0

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        chosen = set(response.get("chosen", []))
        return {"rows": [
            {"text": o["text"], "chosen": o["key"] in chosen,
             "correct": o["correct"] if show_key else None,
             "feedback": o["feedback"] if show_key and o["key"] in chosen else None}
            for o in spec["options"]]}


class SingleChoice(_Options):
    name = "single"
    template = "assessment/types/choice.html"


class MultipleSelect(_Options):
    """Scoring per question (`scoring` in the course file):

    - all_or_nothing (default): 1 when exactly the correct options are selected, else 0.
    - partial: each correct option selected earns 1/(number correct); each wrong option
      selected costs 1/(number wrong); the total is clipped to 0..1, so ticking every
      box scores 0.
    """

    name = "multiple"
    template = "assessment/types/choice.html"
    multiple = True

    def validate(self, raw: dict[str, Any]) -> list[str]:
        problems = super().validate(raw)
        if raw.get("scoring", "all_or_nothing") not in SCORING:
            problems.append(_("scoring must be one of %(choices)s", choices=", ".join(SCORING)))
        return problems

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {**super().build_spec(raw), "scoring": raw.get("scoring", "all_or_nothing")}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        if spec.get("scoring") != "partial":
            return super().grade(spec, response)
        chosen = set(response.get("chosen", []))
        correct = {o["key"] for o in spec["options"] if o["correct"]}
        wrong = {o["key"] for o in spec["options"]} - correct
        score = len(chosen & correct) / len(correct)
        if wrong:
            score -= len(chosen & wrong) / len(wrong)
        return round(min(1.0, max(0.0, score)), 6)


class TrueFalse(QuestionType):
    name = "true_false"
    template = "assessment/types/choice.html"

    def validate(self, raw: dict[str, Any]) -> list[str]:
        if "options" in raw:
            return [_("true_false questions take `answer`, not options")]
        if not isinstance(raw.get("answer"), bool):
            return [_("has no correct answer: set answer = true or answer = false")]
        return []

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"answer": raw["answer"], "feedback_true": str(raw.get("feedback_true", "")),
                "feedback_false": str(raw.get("feedback_false", ""))}

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        return {"choices": [("true", _("True"), "true"), ("false", _("False"), "false")],
                "multiple": False}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        chosen = sorted({v for v in fields.get("", []) if v != ""})
        if len(chosen) > 1 or any(v not in ("true", "false") for v in chosen):
            raise InvalidAnswer("answer true or false")
        return {"chosen": chosen}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        return 1.0 if response.get("chosen") == ["true" if spec["answer"] else "false"] else 0.0

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        chosen = set(response.get("chosen", []))
        rows = []
        for key, text, correct in (("true", _("True"), spec["answer"]),
                                   ("false", _("False"), not spec["answer"])):
            rows.append({"text": text, "chosen": key in chosen,
                         "correct": correct if show_key else None,
                         "feedback": spec.get(f"feedback_{key}") or None
                         if show_key and key in chosen else None})
        return {"rows": rows}
