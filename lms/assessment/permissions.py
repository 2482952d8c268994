"""Who may see a quiz's results and change its grades (the course's staff rules)."""
from __future__ import annotations

from typing import Any

from lms.assessment.models import Quiz
from lms.catalog.permissions import can_edit_course, can_grade_course


def can_see_quiz_results(user: Any, quiz: Quiz) -> bool:
    """Item analysis and checks: any of the course's staff, or an admin."""
    return can_grade_course(user, quiz.course)


def can_regrade(user: Any, quiz: Quiz) -> bool:
    """Regrading changes learners' results: the course's owner or editors, or an admin."""
    return can_edit_course(user, quiz.course)
