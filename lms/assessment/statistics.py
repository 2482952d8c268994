"""Item analysis as Moodle's quiz statistics define it.

For each question i over S finished attempts, with x_i the question's score and
X the attempt's total (both as fractions of their maximum):
- facility index F = 100 · mean(x_i) / max(x_i)
- standard deviation SD = 100 · sqrt(Σ (x_i − mean x_i)² / (S − 1)) / max(x_i)
- discrimination index D = 100 · r(x_i, X − x_i): the correlation between the
  question's score and the score on the rest of the test.
Every question here has a maximum of 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from lms.assessment.models import Answer, Attempt
from lms.core.db import db


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    attempts: int
    facility: float | None
    sd: float | None
    discrimination: float | None


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None  # undefined when everyone scored the same
    return sxy / math.sqrt(sxx * syy)


def item_statistics(scores: dict[int, dict[int, float]]) -> list[ItemStats]:
    """`scores[attempt][question]` → per-question statistics (pure, for testing by hand).

    A question an attempt did not draw is left out of that attempt's rows; a drawn
    question left unanswered counts as 0.
    """
    totals = {attempt: sum(marks.values()) for attempt, marks in scores.items()}
    questions = sorted({q for marks in scores.values() for q in marks})
    result = []
    for question in questions:
        rows = [(marks[question], totals[attempt] - marks[question])
                for attempt, marks in scores.items() if question in marks]
        xs = [x for x, _rest in rows]
        n = len(xs)
        facility = 100 * _mean(xs) if n else None
        sd = 100 * math.sqrt(sum((x - _mean(xs)) ** 2 for x in xs) / (n - 1)) if n > 1 else None
        r = _correlation(xs, [rest for _x, rest in rows]) if n > 1 else None
        result.append(ItemStats(question, n, facility, sd, 100 * r if r is not None else None))
    return result


def quiz_item_statistics(quiz_id: int) -> list[ItemStats]:
    """Statistics over every finished attempt of a quiz (two queries)."""
    attempts = db.session.execute(sa.select(Attempt.id, Attempt.draw).where(
        Attempt.quiz_id == quiz_id, Attempt.status == "finished")).all()
    scores: dict[int, dict[int, float]] = {a.id: dict.fromkeys(a.draw.get("questions", []), 0.0)
                                           for a in attempts}
    if not scores:
        return []
    for attempt_id, question_id, score in db.session.execute(
            sa.select(Answer.attempt_id, Answer.question_id, Answer.score)
            .where(Answer.attempt_id.in_(list(scores)))):
        if question_id in scores[attempt_id]:
            scores[attempt_id][question_id] = score or 0.0
    return item_statistics(scores)
