"""Warnings about answer keys a guesser could exploit (`courses validate` prints them).

Options are shuffled per attempt and their form values are random, so the page gives
nothing away; but files are also exported and read by people, and a bank where the
right answer is nearly always "a", or nearly always "false", teaches guessing. The
checks run per bank or quiz file and over each course's files pooled.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from lms.content.specs import CourseSpec, LoadError, QuestionSpec

MIN_QUESTIONS = 4  # fewer than this and any split looks lopsided
KEY_SHARE = 0.5  # one option key or position holding more than half the right answers
TRUE_FALSE_SHARE = 0.7  # true or false as the answer of more than 70%


def _parts(question: QuestionSpec) -> Iterator[tuple[str, dict]]:
    if question.type == "scenario":
        for part in question.spec["parts"]:
            yield part["type"], part["spec"]
    else:
        yield question.type, question.spec


def _tally(questions: list[QuestionSpec]) -> tuple[Counter, Counter, Counter, int]:
    keys, positions, answers, singles = Counter(), Counter(), Counter(), 0
    for question in questions:
        for qtype, spec in _parts(question):
            if qtype == "single":
                singles += 1
                for position, option in enumerate(spec["options"], start=1):
                    if option["correct"]:
                        keys[option["key"]] += 1
                        positions[position] += 1
            elif qtype == "true_false":
                answers["true" if spec["answer"] else "false"] += 1
    return keys, positions, answers, singles


def _problems(questions: list[QuestionSpec]) -> list[str]:
    keys, positions, answers, singles = _tally(questions)
    found = []
    if singles >= MIN_QUESTIONS:
        for what, counts in (("key", keys), ("position", positions)):
            value, count = counts.most_common(1)[0]
            if count / singles > KEY_SHARE:
                found.append(f"the right answer of {count} of {singles} single-choice "
                             f"questions is at {what} {value!s}; spread them out")
    tf = sum(answers.values())
    if tf >= MIN_QUESTIONS:
        value, count = answers.most_common(1)[0]
        if count / tf > TRUE_FALSE_SHARE:
            found.append(f"{count} of {tf} true/false questions have the answer {value}; "
                         "rewrite some as their opposite")
    return found


def balance_warnings(course: CourseSpec) -> list[LoadError]:
    folder = Path(course.folder)
    files = [(folder / "banks" / f"{bank.name}.toml", list(bank.questions))
             for bank in course.banks]
    files += [(folder / "quizzes" / f"{quiz.key}.toml", list(quiz.questions))
              for quiz in course.quizzes]
    warnings = [LoadError(os.path.relpath(path), 1, f"warning: {problem}")
                for path, questions in files for problem in _problems(questions)]
    pooled = [q for _path, questions in files for q in questions]
    warnings += [LoadError(os.path.relpath(folder / "course.toml"), 1,
                           f"warning: across the course, {problem}")
                 for problem in _problems(pooled)]
    return warnings
