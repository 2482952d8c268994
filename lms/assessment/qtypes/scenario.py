"""Case scenario: a vignette followed by sub-questions graded together.

Built for case-based assessment of judges: the parts are ordinary question
types (not scenarios), each worth the same share of the scenario's one mark.
"""
from __future__ import annotations

import random
import re
from typing import Any

from flask_babel import gettext as _

from lms.assessment.qtypes.base import Fields, InvalidAnswer, QuestionType
from lms.core.markdown import render_markdown

PART_KEY = re.compile(r"^[a-z0-9]+$")


class CaseScenario(QuestionType):
    name = "scenario"
    template = "assessment/types/scenario.html"

    def __init__(self, registry: dict[str, QuestionType]):
        self.registry = registry

    def validate(self, raw: dict[str, Any]) -> list[str]:
        problems = []
        if not str(raw.get("vignette", "")).strip():
            problems.append(_("scenario needs a vignette"))
        parts = raw.get("parts")
        if not isinstance(parts, list) or not parts:
            return [*problems, "scenario needs [[questions.parts]]"]
        keys = [str(p.get("key", "")) if isinstance(p, dict) else "" for p in parts]
        if any(not PART_KEY.match(k) for k in keys) or len(set(keys)) != len(keys):
            problems.append(_("every part needs a unique key of lower-case letters and digits"))
        for part in (p for p in parts if isinstance(p, dict)):
            qtype = self.registry.get(str(part.get("type", "")))
            if qtype is None or qtype.name == self.name:
                problems.append(_("part %(key)s: unknown question type '%(type)s'",
                                  key=part.get("key"), type=part.get("type")))
                continue
            if not str(part.get("prompt", "")).strip():
                problems.append(_("part %(key)s: has no prompt", key=part.get("key")))
            problems.extend(_("part %(key)s: %(problem)s", key=part.get("key"), problem=p)
                            for p in qtype.validate(part))
        return problems

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"vignette": str(raw["vignette"]),
                "vignette_html": render_markdown(str(raw["vignette"])), "parts": [
            {"key": str(p["key"]), "type": p["type"], "prompt": str(p["prompt"]),
             "explanation": str(p.get("explanation", "")),
             "spec": self.registry[p["type"]].build_spec(p)} for p in raw["parts"]]}

    def draw(self, spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        return {p["key"]: self.registry[p["type"]].draw(p["spec"], rng) for p in spec["parts"]}

    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        order = order or {}
        return {"vignette": spec["vignette"], "vignette_html": spec.get("vignette_html"),
                "parts": [
            {"key": p["key"], "prompt": p["prompt"],
             "template": self.registry[p["type"]].template,
             "view": self.registry[p["type"]].present(p["spec"], order.get(p["key"]))}
            for p in spec["parts"]]}

    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        keys = [p["key"] for p in spec["parts"]]
        by_part: dict[str, Fields] = {k: {} for k in keys}
        for suffix, values in fields.items():
            match = re.fullmatch(r"-([a-z0-9]+)(-.*)?", suffix)
            if match is None or match.group(1) not in by_part:
                raise InvalidAnswer("unknown part")
            by_part[match.group(1)][match.group(2) or ""] = values
        order = order or {}
        return {"parts": {p["key"]: self.registry[p["type"]].parse(
            p["spec"], by_part[p["key"]], order.get(p["key"])) for p in spec["parts"]}}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        answers = response.get("parts", {})
        scores = [self.registry[p["type"]].grade(p["spec"], answers.get(p["key"], {}))
                  for p in spec["parts"]]
        return round(sum(scores) / len(scores), 6)

    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        answers = response.get("parts", {})
        return {"vignette": spec["vignette"], "vignette_html": spec.get("vignette_html"),
                "parts": [
            {"prompt": p["prompt"],
             "explanation": p.get("explanation") if show_key else None,
             "score": self.registry[p["type"]].grade(p["spec"], answers.get(p["key"], {})),
             "review": self.registry[p["type"]].review(p["spec"], answers.get(p["key"], {}),
                                                       show_key)}
            for p in spec["parts"]]}
