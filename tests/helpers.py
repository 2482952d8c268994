"""Steps several tests share: finish a course, issue a certificate."""
from __future__ import annotations

from urllib.parse import urlsplit

from lms.assessment.models import Attempt, Question
from lms.core.db import db
from tests.fixtures.app import post_form


def correct_answers(attempt_id: int) -> dict:
    attempt = db.session.get(Attempt, attempt_id)
    data: dict = {}
    for qid in attempt.draw["questions"]:
        question = db.session.get(Question, qid)
        if question.type == "true_false":
            data[f"q-{qid}"] = "true" if question.spec["answer"] else "false"
        else:
            data[f"q-{qid}"] = [o["key"] for o in question.spec["options"] if o["correct"]]
    return data


def start_attempt(client, slug: str, quiz: str = "final") -> int:
    response = post_form(client, f"/courses/{slug}/quizzes/{quiz}/start")
    assert response.status_code == 302, response.status_code
    return int(urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1])


def complete_course(client, course) -> None:
    """Enrol, complete every lesson and pass the final test, through HTTP."""
    from lms.catalog.queries import live_lessons

    post_form(client, f"/courses/{course.slug}/enrol")
    for lesson in live_lessons(course.id):
        post_form(client, f"/courses/{course.slug}/lessons/{lesson.slug}/complete")
    attempt_id = start_attempt(client, course.slug)
    post_form(client, f"/attempts/{attempt_id}", {**correct_answers(attempt_id),
                                                  "action": "finish"})
