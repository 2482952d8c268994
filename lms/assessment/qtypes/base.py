"""The contract every question type fulfils, and the helpers they share.

A type validates its spec as written in a course file, builds the spec stored
in the database (the answer key stays there), draws a per-attempt order,
presents the question without its key, parses a submission and grades it.
Submissions arrive as `fields`: the posted values keyed by the part of the
field name after `q-<question id>` ("" for the question itself, "-left" for
a part), so a case scenario can hand each sub-question its own fields.
"""
from __future__ import annotations

import random
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from flask_babel import gettext as _

Fields = dict[str, list[str]]


class InvalidAnswer(ValueError):
    """A submission that does not fit the question (tampered or stale form)."""


class QuestionType(ABC):
    name: ClassVar[str]
    template: ClassVar[str]

    @abstractmethod
    def validate(self, raw: dict[str, Any]) -> list[str]:
        """Problems with a question as written in a course file (empty when fine)."""

    @abstractmethod
    def build_spec(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The spec stored in the database, from a validated raw question."""

    def draw(self, spec: dict[str, Any], rng: random.Random) -> Any:
        """A per-attempt order (JSON), e.g. shuffled option keys; None if nothing varies."""
        return None

    @abstractmethod
    def present(self, spec: dict[str, Any], order: Any) -> dict[str, Any]:
        """What the template shows, in the drawn order; never the answer key."""

    @abstractmethod
    def parse(self, spec: dict[str, Any], fields: Fields, order: Any = None) -> dict[str, Any]:
        """Posted fields (named as `present` named them for this draw) as a stored
        response in the spec's own keys; raises InvalidAnswer."""

    @abstractmethod
    def grade(self, spec: dict[str, Any], response: dict[str, Any]) -> float:
        """Score between 0 and 1."""

    @abstractmethod
    def review(self, spec: dict[str, Any], response: dict[str, Any],
               show_key: bool) -> dict[str, Any]:
        """What the review shows: the learner's answer and, if allowed, the key."""


def is_answered(response: Any) -> bool:
    """Whether a stored response holds an answer: an empty choice, blank text or an
    untouched matching is not one, in the counter, the review or the grade. Works on
    every type's response shape (nested for case scenarios: any part answered)."""
    if isinstance(response, dict):
        return any(is_answered(value) for value in response.values())
    if isinstance(response, list | str):
        return len(response) > 0
    return response is not None


def single_value(fields: Fields, suffix: str = "") -> str | None:
    values = [v for v in fields.get(suffix, []) if v != ""]
    if len(values) > 1:
        raise InvalidAnswer("one value expected")
    return values[0] if values else None


def keyed_items(raw: Any, what: str, text_field: str = "text") -> list[str]:
    """Problems with a list of {key, text} tables (options, items, pairs)."""
    if not isinstance(raw, list) or len(raw) < 2:
        return [_("needs at least two %(what)s", what=what)]
    problems = []
    keys = [str(o.get("key", "")) if isinstance(o, dict) else "" for o in raw]
    if any(not k for k in keys):
        problems.append(_("every one of its %(what)s needs a key", what=what))
    if len(set(keys)) != len(keys):
        problems.append(_("%(what)s keys must be unique", what=what))
    if any(not isinstance(o, dict) or not str(o.get(text_field, "")).strip() for o in raw):
        problems.append(_("every one of its %(what)s needs %(field)s", what=what,
                                 field=text_field))
    return problems


def random_labels(keys: list[str], rng: random.Random) -> dict[str, str]:
    """Per-attempt field labels, so a form's names and values never reveal which row
    belongs with which answer (the author's keys often do: "act" ↔ "act", "a" … "e")."""
    numbers = rng.sample(range(100_000, 1_000_000), len(keys))
    return {key: str(number) for key, number in zip(keys, numbers, strict=True)}
