"""Moodle's answers (text, fraction, feedback) as this platform's question fields.

Both importers read their format into these neutral answers; the rules of what can
be represented (partial credit, wildcards, shared matching answers) live here once.
A question that cannot be represented raises Unmappable with the reason.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from lms.content.question_import import Unmappable, option_key

EPSILON = 1e-3  # Moodle writes a third as 33.33333 (%): compare fractions loosely
Mapped = tuple[dict[str, Any], list[str]]  # the question's type fields, notes on changes


@dataclass(frozen=True)
class Answer:
    text: str
    fraction: float  # 1.0 = full marks, negative = a penalty
    feedback: str = ""


@dataclass(frozen=True)
class NumberAnswer:
    value: str  # a number as written, or "*" for any other answer
    tolerance: float
    fraction: float
    feedback: str = ""


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.5g}%"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _partial(answers: list[Any]) -> Any | None:
    return next((a for a in answers if EPSILON < a.fraction < 1 - EPSILON), None)


def _options(answers: list[Answer], correct: list[bool]) -> list[dict[str, Any]]:
    return [{"key": option_key(i), "text": a.text, "correct": c, "feedback": a.feedback}
            for i, (a, c) in enumerate(zip(answers, correct, strict=True))]


def map_choice(answers: list[Answer], *, single: bool, all_or_nothing: bool = False) -> Mapped:
    """Moodle multichoice: single → `single`; several answers → `multiple` (partial)."""
    if len(answers) < 2:
        raise Unmappable("has fewer than two answers")
    notes: list[str] = []
    if single:
        if (partial := _partial(answers)) is not None:
            raise Unmappable(f"gives partial credit ({_percent(partial.fraction)} for "
                             f"'{_short(partial.text)}'); single choice here scores 1 or 0")
        full = [a.fraction >= 1 - EPSILON for a in answers]
        if sum(full) != 1:
            raise Unmappable("has no fully correct answer" if not any(full) else
                             f"has {sum(full)} fully correct answers; single choice here "
                             "has exactly one")
        if any(a.fraction < -EPSILON for a in answers):
            notes.append("wrong answers carried a penalty in Moodle; here they score 0")
        return {"type": "single", "options": _options(answers, full)}, notes
    right = [a.fraction > EPSILON for a in answers]
    if not any(right):
        raise Unmappable("has no correct answer")
    if all_or_nothing:
        return {"type": "multiple", "scoring": "all_or_nothing",
                "options": _options(answers, right)}, notes
    share = 1 / sum(right)
    if any(r and abs(a.fraction - share) > EPSILON for a, r in zip(answers, right, strict=True)):
        given = ", ".join(_percent(a.fraction) for a, r in zip(answers, right, strict=True) if r)
        raise Unmappable(f"gives the correct answers unequal credit ({given}); multiple "
                         "select here gives every correct option the same share")
    wrong = [a for a, r in zip(answers, right, strict=True) if not r]
    if wrong and any(abs(a.fraction + 1 / len(wrong)) > EPSILON for a in wrong):
        costs = sorted({_percent(0.0 - a.fraction) for a in wrong})
        notes.append(f"a wrong option cost {' or '.join(costs)} of the mark in Moodle; here "
                     f"each costs 1/{len(wrong)}")
    return {"type": "multiple", "scoring": "partial", "options": _options(answers, right)}, notes


def map_true_false(answer: bool, feedback_true: str, feedback_false: str) -> Mapped:
    """Moodle truefalse: the feedback shown after answering true, and after false."""
    return {"type": "true_false", "answer": answer, "feedback_true": feedback_true,
            "feedback_false": feedback_false}, []


def _joined_feedback(feedbacks: list[str]) -> str:
    return "\n\n".join(dict.fromkeys(f for f in feedbacks if f))


def _dropped_feedback(answers: list[Any], kept: list[Any], what: str) -> list[str]:
    dropped = [a for a in answers if a not in kept and a.feedback]
    return [f"the feedback for {what} was dropped"] if dropped else []


def map_short_answer(answers: list[Answer]) -> Mapped:
    """Fully correct answers become `answers`; answers here match exactly (no wildcards)."""
    if (partial := _partial(answers)) is not None:
        raise Unmappable(f"gives partial credit ({_percent(partial.fraction)} for "
                         f"'{_short(partial.text)}'); short answers here score 1 or 0")
    full = [a for a in answers if a.fraction >= 1 - EPSILON]
    if not full:
        raise Unmappable("has no fully correct answer")
    for answer in full:
        if re.search(r"(?<!\\)\*", answer.text):
            raise Unmappable(f"accepts the pattern '{_short(answer.text)}'; short answers "
                             "here are compared whole, without wildcards")
    fields = {"type": "short_answer", "answers": [a.text.replace("\\*", "*") for a in full],
              "feedback": _joined_feedback([a.feedback for a in full])}
    return fields, _dropped_feedback(answers, full, "wrong answers")


def _number(text: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise Unmappable(f"has the answer '{_short(text)}', which is not a number") from None
    if not math.isfinite(value):
        raise Unmappable(f"has the answer '{_short(text)}', which is not a finite number")
    return value


def map_numeric(answers: list[NumberAnswer], unit: str = "") -> Mapped:
    """One fully correct number with its tolerance; other answers only had feedback."""
    if (partial := _partial(answers)) is not None:
        raise Unmappable(f"gives partial credit ({_percent(partial.fraction)} for "
                         f"{partial.value}); numeric questions here score 1 or 0")
    full = [a for a in answers if a.fraction >= 1 - EPSILON and a.value.strip() != "*"]
    if not full:
        raise Unmappable("has no fully correct number")
    if len(full) > 1:
        raise Unmappable(f"accepts {len(full)} different numbers; numeric questions here "
                         "have one answer with a tolerance")
    value = _number(full[0].value)
    fields = {"type": "numeric", "answer": int(value) if value.is_integer() else value,
              "tolerance": abs(full[0].tolerance), "unit": unit,
              "feedback": full[0].feedback}
    return fields, _dropped_feedback(answers, full, "wrong answers")


def map_matching(pairs: list[tuple[str, str]], feedback: str) -> Mapped:
    """Rows with a question become pairs; answers without one (distractors) are dropped."""
    rows = [(left, right) for left, right in pairs if left]
    extra = [right for left, right in pairs if not left and right]
    seen: dict[str, str] = {}
    for left, right in rows:
        same = right.strip().casefold()
        if same in seen:
            raise Unmappable(f"rows '{_short(seen[same])}' and '{_short(left)}' share the "
                             f"answer '{_short(right)}'; matching here needs a different "
                             "answer for each row")
        seen[same] = left
    notes = [f"extra answers that match no row were dropped: {', '.join(extra)}"] if extra else []
    return {"type": "matching", "feedback": feedback, "pairs": [
        {"key": option_key(i), "left": left, "right": right}
        for i, (left, right) in enumerate(rows)]}, notes


def map_ordering(items: list[str], feedback: str) -> Mapped:
    """Items in their right order."""
    return {"type": "ordering", "feedback": feedback,
            "items": [{"key": option_key(i), "text": t} for i, t in enumerate(items)]}, []
