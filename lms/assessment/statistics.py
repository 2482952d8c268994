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

import dataclasses
import math
from dataclasses import dataclass

import sqlalchemy as sa

from lms.assessment.item_stats import ItemStat
from lms.core.db import db


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    attempts: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    version: int = 1


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


def from_sums(question_id: int, n: int, sx: float, sxx: float, sr: float, srr: float,
              sxr: float) -> ItemStats:
    """The same statistics from running sums (see item_stats), without the attempts."""
    if n <= 0:
        return ItemStats(question_id, 0, None, None, None)
    var_x = max(sxx - sx * sx / n, 0.0)
    var_r = max(srr - sr * sr / n, 0.0)
    sd = 100 * math.sqrt(var_x / (n - 1)) if n > 1 else None
    # Sums of floats leave ~1e-12 where the exact value is 0: treat that as "everyone
    # scored the same", where the correlation is undefined.
    if n > 1 and var_x > 1e-9 * n and var_r > 1e-9 * n:
        discrimination = 100 * (sxr - sx * sr / n) / math.sqrt(var_x * var_r)
    else:
        discrimination = None
    return ItemStats(question_id, n, 100 * sx / n, sd, discrimination)


def quiz_item_statistics(quiz_id: int) -> list[ItemStats]:
    """Statistics of every question (each version apart) of a quiz, from its stored sums
    (one query)."""
    rows = db.session.execute(sa.select(
        ItemStat.question_id, ItemStat.attempts, ItemStat.sum_x, ItemStat.sum_xx,
        ItemStat.sum_r, ItemStat.sum_rr, ItemStat.sum_xr, ItemStat.question_version).where(
        ItemStat.quiz_id == quiz_id, ItemStat.attempts > 0).order_by(
        ItemStat.question_id, ItemStat.question_version))
    return [dataclasses.replace(from_sums(*row[:7]), version=row[7]) for row in rows]
