"""Running sums behind item analysis, kept as attempts are graded.

Item analysis needs, per question, the count n and the sums of x (the question's
score), x², r (the attempt's score on the rest of the test), r² and x·r. Those sums
add up attempt by attempt, so finishing an attempt adds its row to each drawn
question and a regrade adds the difference; the report then reads one small row per
question, whatever the number of attempts. `rebuild_quiz` recomputes them from the
answers (after a migration, or to check).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, upsert_insert

SUMS = ("attempts", "sum_x", "sum_xx", "sum_r", "sum_rr", "sum_xr")


class ItemStat(db.Model):
    __tablename__ = "item_stat"

    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), primary_key=True)
    # Each version of a question has its own figures (a new wording is a new item).
    question_version: Mapped[int] = mapped_column(primary_key=True, default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    sum_x: Mapped[float] = mapped_column(sa.Double, default=0.0)
    sum_xx: Mapped[float] = mapped_column(sa.Double, default=0.0)
    sum_r: Mapped[float] = mapped_column(sa.Double, default=0.0)
    sum_rr: Mapped[float] = mapped_column(sa.Double, default=0.0)
    sum_xr: Mapped[float] = mapped_column(sa.Double, default=0.0)


Sums = dict[tuple[int, int], list[float]]  # (question id, version) → [n, Σx, Σx², Σr, Σr², Σxr]


def new_sums() -> Sums:
    return defaultdict(lambda: [0.0] * 6)


def attempt_terms(draw: Mapping, scores: Mapping[int, float], sign: int = 1,
                  into: Sums | None = None) -> Sums:
    """One attempt's contribution (sign −1 takes it back), from its draw (the questions
    and the version of each it saw); unanswered questions score 0."""
    drawn = list(draw.get("questions", []))
    specs = draw.get("specs", {})
    into = into if into is not None else new_sums()
    total = sum(scores.get(q, 0.0) for q in drawn)
    for question in drawn:
        x = scores.get(question, 0.0)
        r = total - x
        key = (question, specs.get(str(question), {}).get("version", 1))
        for i, term in enumerate((1, x, x * x, r, r * r, x * r)):
            into[key][i] += sign * term
    return into


def add_terms(quiz_id: int, sums: Sums) -> None:
    """Add the sums to the stored rows in one statement (rows in key order, so two
    transactions lock them in the same order and cannot deadlock)."""
    rows = [{"quiz_id": quiz_id, "question_id": q, "question_version": v,
             "attempts": round(terms[0]), **dict(zip(SUMS[1:], terms[1:], strict=True))}
            for (q, v), terms in sorted(sums.items()) if any(terms)]
    if not rows:
        return
    stmt = upsert_insert(ItemStat).values(rows)
    table = ItemStat.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=["quiz_id", "question_id", "question_version"],
        set_={name: table.c[name] + stmt.excluded[name] for name in SUMS})
    db.session.execute(stmt)


def record_attempt(quiz_id: int, draw: Mapping, scores: Mapping[int, float]) -> None:
    add_terms(quiz_id, attempt_terms(draw, scores))


def rebuild_quiz(quiz_id: int, *, batch: int = 2000) -> int:
    """Recompute a quiz's sums from its finished attempts, in batches; returns attempts."""
    from lms.assessment.models import Answer, Attempt

    sums = new_sums()
    last, counted = 0, 0
    while True:
        attempts = db.session.execute(
            sa.select(Attempt.id, Attempt.draw).where(
                Attempt.quiz_id == quiz_id, Attempt.status == "finished", Attempt.id > last)
            .order_by(Attempt.id).limit(batch)).all()
        if not attempts:
            break
        scores: dict[int, dict[int, float]] = defaultdict(dict)
        for attempt_id, question_id, score in db.session.execute(
                sa.select(Answer.attempt_id, Answer.question_id, Answer.score).where(
                    Answer.attempt_id.in_([a.id for a in attempts]))):
            scores[attempt_id][question_id] = score or 0.0
        for attempt in attempts:
            attempt_terms(attempt.draw, scores[attempt.id], into=sums)
        last, counted = attempts[-1].id, counted + len(attempts)
    db.session.execute(sa.delete(ItemStat).where(ItemStat.quiz_id == quiz_id))
    add_terms(quiz_id, sums)
    db.session.flush()
    return counted
