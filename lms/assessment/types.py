"""Question types: one class per type validates its spec, presents, parses and grades.

Adding a type means one class here, one template in templates/assessment/types/
and its tests. Specs come from course files (see courses/README.md); the
answer key stays in the spec and only `present()` output reaches a template.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar


class InvalidAnswer(ValueError):
    """A submission that does not fit the question (tampered or stale form)."""


@dataclass(frozen=True)
class Choice:
    key: str
    text: str


class QuestionType(ABC):
    name: ClassVar[str]
    template: ClassVar[str]

    @abstractmethod
    def validate(self, raw: dict[str, Any]) -> list[str]:
        """Problems with a question as written in a course file (empty when fine)."""

    @abstractmethod
    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The spec stored in the database, from a validated raw question."""

    def option_keys(self, spec: dict[str, Any]) -> list[str]:
        """Keys whose order is shuffled per attempt (empty if the type has none)."""
        return []

    @abstractmethod
    def present(self, spec: dict[str, Any], order: list[str]) -> list[Choice]:
        """What the learner sees, in the drawn order; never the answer key."""

    @abstractmethod
    def parse(self, spec: dict[str, Any], values: list[str]) -> dict[str, Any]:
        """A form submission as a stored response; raises InvalidAnswer."""

    @abstractmethod
    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        """Score between 0 and 1."""

    def feedback(self, spec: dict[str, Any], response: dict[str, Any]) -> list[dict[str, Any]]:
        """Per-option review rows: text, chosen, correct, feedback."""
        return []


class _OptionsType(QuestionType):
    min_correct: ClassVar[int] = 1
    max_correct: ClassVar[int | None] = None

    def validate(self, raw: dict[str, Any]) -> list[str]:
        options = raw.get("options")
        if not isinstance(options, list) or len(options) < 2:
            return ["needs at least two options"]
        problems = []
        keys = [str(o.get("key", "")) for o in options if isinstance(o, dict)]
        if len(keys) != len(options) or any(not k for k in keys):
            problems.append("every option needs a key")
        if len(set(keys)) != len(keys):
            problems.append("option keys must be unique")
        if any(not str(o.get("text", "")).strip() for o in options if isinstance(o, dict)):
            problems.append("every option needs text")
        correct = sum(1 for o in options if isinstance(o, dict) and o.get("correct") is True)
        if correct < self.min_correct:
            problems.append("has no correct answer")
        elif self.max_correct is not None and correct > self.max_correct:
            problems.append(f"has {correct} correct options; {self.name} allows one")
        return problems

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"options": [
            {"key": str(o["key"]), "text": str(o["text"]), "correct": o.get("correct") is True,
             "feedback": str(o.get("feedback", ""))} for o in raw["options"]]}

    def option_keys(self, spec: dict[str, Any]) -> list[str]:
        return [o["key"] for o in spec["options"]]

    def present(self, spec: dict[str, Any], order: list[str]) -> list[Choice]:
        by_key = {o["key"]: o for o in spec["options"]}
        return [Choice(k, by_key[k]["text"]) for k in order if k in by_key]

    def _chosen(self, spec: dict[str, Any], values: list[str]) -> list[str]:
        keys = set(self.option_keys(spec))
        chosen = sorted(set(values))
        if any(v not in keys for v in chosen):
            raise InvalidAnswer("unknown option")
        return chosen

    def _correct(self, spec: dict[str, Any]) -> set[str]:
        return {o["key"] for o in spec["options"] if o["correct"]}

    def feedback(self, spec: dict[str, Any], response: dict[str, Any]) -> list[dict[str, Any]]:
        chosen = set(response.get("chosen", []))
        return [{"text": o["text"], "chosen": o["key"] in chosen, "correct": o["correct"],
                 "feedback": o["feedback"]} for o in spec["options"]]


class SingleChoice(_OptionsType):
    name = "single"
    template = "assessment/types/single.html"
    max_correct = 1

    def parse(self, spec: dict[str, Any], values: list[str]) -> dict[str, Any]:
        chosen = self._chosen(spec, values)
        if len(chosen) > 1:
            raise InvalidAnswer("only one option may be chosen")
        return {"chosen": chosen}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        return 1.0 if set(response.get("chosen", [])) == self._correct(spec) else 0.0


class MultipleSelect(_OptionsType):
    """All-or-nothing: exactly the correct options must be selected."""

    name = "multiple"
    template = "assessment/types/multiple.html"

    def parse(self, spec: dict[str, Any], values: list[str]) -> dict[str, Any]:
        return {"chosen": self._chosen(spec, values)}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        return 1.0 if set(response.get("chosen", [])) == self._correct(spec) else 0.0


class TrueFalse(QuestionType):
    name = "true_false"
    template = "assessment/types/single.html"

    def validate(self, raw: dict[str, Any]) -> list[str]:
        if not isinstance(raw.get("answer"), bool):
            return ["has no correct answer: set answer = true or answer = false"]
        if "options" in raw:
            return ["true_false questions take `answer`, not options"]
        return []

    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"answer": raw["answer"], "feedback_true": str(raw.get("feedback_true", "")),
                "feedback_false": str(raw.get("feedback_false", ""))}

    def present(self, spec: dict[str, Any], order: list[str]) -> list[Choice]:
        from flask_babel import gettext as _

        return [Choice("true", _("True")), Choice("false", _("False"))]

    def parse(self, spec: dict[str, Any], values: list[str]) -> dict[str, Any]:
        chosen = sorted(set(values))
        if len(chosen) > 1 or any(v not in ("true", "false") for v in chosen):
            raise InvalidAnswer("answer true or false")
        return {"chosen": chosen}

    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        expected = "true" if spec["answer"] else "false"
        return 1.0 if response.get("chosen") == [expected] else 0.0

    def feedback(self, spec: dict[str, Any], response: dict[str, Any]) -> list[dict[str, Any]]:
        from flask_babel import gettext as _

        chosen = set(response.get("chosen", []))
        return [{"text": _("True"), "chosen": "true" in chosen, "correct": spec["answer"],
                 "feedback": spec.get("feedback_true", "")},
                {"text": _("False"), "chosen": "false" in chosen,
                 "correct": not spec["answer"], "feedback": spec.get("feedback_false", "")}]


REGISTRY: dict[str, QuestionType] = {t.name: t() for t in (SingleChoice, MultipleSelect,
                                                           TrueFalse)}


def get_type(name: str) -> QuestionType:
    return REGISTRY[name]
