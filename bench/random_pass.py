"""How often does answering at random pass a course's final test?

    .venv/bin/python bench/random_pass.py [courses] [--runs 200000] [--seed 1]

Each run draws an attempt exactly as the platform does (the quiz's fixed questions and
its [[draw]] rules from the banks) and answers every question blindly: one option of a
single-choice question, any non-empty set of a multiple-choice one, true or false, a
random match or order; a typed answer (short answer, numeric) earns nothing, since it
cannot be guessed. Each answer is graded by the platform's own question types; the
attempt passes at the quiz's pass mark. Prints the pass rate per course, with a 99 %
upper bound (Wilson), and exits 1 if any bound reaches 1 %.
"""
from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms.assessment.qtypes import REGISTRY  # noqa: E402
from lms.content.loader import load_catalogue  # noqa: E402
from lms.content.specs import CourseSpec, QuestionSpec, QuizSpec  # noqa: E402

LIMIT = 0.01


def guess(qtype: str, spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A blind answer in the stored response format of the question type."""
    if qtype == "single":
        return {"chosen": [rng.choice(spec["options"])["key"]]}
    if qtype == "multiple":
        keys = [o["key"] for o in spec["options"]]
        while not (chosen := [k for k in keys if rng.random() < 0.5]):
            pass
        return {"chosen": sorted(chosen)}
    if qtype == "true_false":
        return {"chosen": [rng.choice(["true", "false"])]}
    if qtype == "matching":
        keys = [p["key"] for p in spec["pairs"]]
        return {"matched": dict(zip(keys, rng.sample(keys, len(keys)), strict=True))}
    if qtype == "ordering":
        keys = [i["key"] for i in spec["items"]]
        return {"positions": {k: n for n, k in enumerate(rng.sample(keys, len(keys)), 1)}}
    if qtype == "scenario":
        return {"parts": {p["key"]: guess(p["type"], p["spec"], rng) for p in spec["parts"]}}
    return {}  # short answer, numeric: nothing to guess from


def draw(course: CourseSpec, quiz: QuizSpec, rng: random.Random) -> list[QuestionSpec]:
    chosen = list(quiz.questions)
    bank = [q for b in course.banks for q in b.questions]
    for rule in quiz.draw:
        pool = [q for q in bank if q.topic == rule.topic and q not in chosen]
        chosen += rng.sample(pool, rule.count)
    return chosen


def pass_rate(course: CourseSpec, quiz: QuizSpec, runs: int, rng: random.Random) -> float:
    passed = 0
    for _ in itertools.repeat(None, runs):
        questions = draw(course, quiz, rng)
        score = sum(REGISTRY[q.type].grade(q.spec, guess(q.type, q.spec, rng))
                    for q in questions)
        passed += 100 * score / len(questions) >= quiz.pass_mark
    return passed / runs


def upper_bound(rate: float, runs: int, z: float = 2.576) -> float:
    """Wilson score interval's upper end (99 %)."""
    centre = rate + z * z / (2 * runs)
    spread = z * math.sqrt(rate * (1 - rate) / runs + z * z / (4 * runs * runs))
    return (centre + spread) / (1 + z * z / runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("courses", nargs="?", default=str(ROOT / "courses"))
    parser.add_argument("--runs", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    specs, _shared, errors = load_catalogue(Path(args.courses))
    if errors:
        print("\n".join(map(str, errors)), file=sys.stderr)
        return 1
    rng = random.Random(args.seed)
    worst = 0.0
    for course in specs:
        for quiz in (q for q in course.quizzes if q.kind == "final"):
            rate = pass_rate(course, quiz, args.runs, rng)
            bound = upper_bound(rate, args.runs)
            worst = max(worst, bound)
            print(f"{course.slug}/{quiz.key}: {quiz.size} questions, pass mark "
                  f"{quiz.pass_mark} %: random answering passes {100 * rate:.4f} % of "
                  f"{args.runs:,} runs (99 % upper bound {100 * bound:.4f} %)")
    return 0 if worst < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
