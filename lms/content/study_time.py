"""How long a course takes to study, from its files, to compare with its CPD hours.

lesson words ÷ 120 per minute (most learners read the courses in their second
language) + 2 minutes per question a learner answers (the pre-test and one final
attempt) + 10 more minutes per case scenario among them (those drawn from a bank
count as many as a draw brings on average).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lms.content.specs import CourseSpec, QuestionSpec

WORDS_PER_MINUTE = 120
MINUTES_PER_QUESTION = 2
MINUTES_PER_SCENARIO = 10
TOLERANCE = 0.25


def count_words(markdown: str) -> int:
    """Words a reader reads: link targets and Markdown punctuation are not words."""
    return len(re.findall(r"\w+", re.sub(r"\]\([^)]*\)", "]", markdown)))


def all_questions(course: CourseSpec) -> list[QuestionSpec]:
    return [q for quiz in course.quizzes for q in quiz.questions] + \
        [q for bank in course.banks for q in bank.questions]


@dataclass(frozen=True)
class StudyTime:
    slug: str
    lessons: int
    words: int
    answered: int
    scenarios: float  # answered per run-through (an expected number, for drawn ones)
    by_type: dict[str, int]
    stated_hours: float

    @property
    def computed_hours(self) -> float:
        minutes = (self.words / WORDS_PER_MINUTE + MINUTES_PER_QUESTION * self.answered
                   + MINUTES_PER_SCENARIO * self.scenarios)
        return minutes / 60

    @property
    def within_tolerance(self) -> bool:
        return abs(self.computed_hours - self.stated_hours) <= TOLERANCE * self.stated_hours


def reading_minutes(markdown: str) -> float:
    return count_words(markdown) / WORDS_PER_MINUTE


def scenarios_answered(course: CourseSpec) -> float:
    """Case scenarios in the pre-test and one final attempt: the fixed ones, and for each
    draw rule its count × the share of scenarios in that topic's bank."""
    banked = [q for bank in course.banks for q in bank.questions]
    total = 0.0
    for quiz in course.quizzes:
        total += sum(q.type == "scenario" for q in quiz.questions)
        for rule in quiz.draw:
            pool = [q for q in banked if q.topic == rule.topic]
            total += rule.count * sum(q.type == "scenario" for q in pool) / max(len(pool), 1)
    return total


def study_time(course: CourseSpec) -> StudyTime:
    questions = all_questions(course)
    return StudyTime(
        slug=course.slug, lessons=course.lesson_count,
        words=sum(count_words(lesson.body) for m in course.modules for lesson in m.lessons),
        answered=sum(quiz.size for quiz in course.quizzes),
        scenarios=scenarios_answered(course),
        by_type=dict(sorted(Counter(q.type for q in questions).items())),
        stated_hours=course.cpd_hours)


def topic_draws(course: CourseSpec) -> list[tuple[str, int, int]]:
    """(topic, questions in the banks, the most one quiz draws from it): with unlimited
    attempts, a bank that is not twice the draw repeats too often and can be learnt."""
    banked = Counter(q.topic for bank in course.banks for q in bank.questions)
    drawn: Counter[str] = Counter()
    for quiz in course.quizzes:
        per_quiz = Counter()
        for rule in quiz.draw:
            per_quiz[rule.topic] += rule.count
        for topic, count in per_quiz.items():
            drawn[topic] = max(drawn[topic], count)
    return [(topic, banked[topic], drawn[topic]) for topic in sorted(banked | drawn)]


def lesson_minutes(course: CourseSpec) -> list[tuple[str, int, int]]:
    """(lesson, minutes stated, minutes its words take at WORDS_PER_MINUTE)."""
    return [(lesson.slug, lesson.minutes, round(reading_minutes(lesson.body)))
            for module in course.modules for lesson in module.lessons]


def minutes_agree(stated: int, computed: int) -> bool:
    return abs(stated - computed) <= max(2, round(0.15 * computed))
