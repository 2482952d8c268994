"""How long a course takes to study, from its files, to compare with its CPD hours.

lesson words ÷ 150 per minute + 2 minutes per question a learner answers (the
pre-test and one final attempt) + 10 minutes per case scenario.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lms.content.specs import CourseSpec, QuestionSpec

WORDS_PER_MINUTE = 150
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
    scenarios: int
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


def study_time(course: CourseSpec) -> StudyTime:
    questions = all_questions(course)
    return StudyTime(
        slug=course.slug, lessons=course.lesson_count,
        words=sum(count_words(lesson.body) for m in course.modules for lesson in m.lessons),
        answered=sum(quiz.size for quiz in course.quizzes),
        scenarios=sum(1 for q in questions if q.type == "scenario"),
        by_type=dict(sorted(Counter(q.type for q in questions).items())),
        stated_hours=course.cpd_hours)
