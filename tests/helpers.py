"""Steps several tests share: finish a course, issue a certificate."""
from __future__ import annotations

from urllib.parse import urlsplit

from lms.assessment.models import Attempt
from lms.core.db import db
from tests.fixtures.app import post_form


def answer_fields(name: str, qtype: str, spec: dict, order=None) -> dict:
    """The form fields a learner who knows every answer would post for one question,
    named and valued as the attempt's page shows them."""
    if qtype in ("single", "multiple"):
        labels = order["labels"] if isinstance(order, dict) else {}
        return {name: [labels.get(o["key"], o["key"]) for o in spec["options"] if o["correct"]]}
    if qtype == "true_false":
        return {name: "true" if spec["answer"] else "false"}
    if qtype == "short_answer":
        return {name: spec["answers"][0]}
    if qtype == "numeric":
        return {name: str(spec["answer"])}
    if qtype == "matching":
        rows, values = order["rows"], order["values"]
        return {f"{name}-{rows[p['key']]}": values[p["key"]] for p in spec["pairs"]}
    if qtype == "ordering":
        labels = order["labels"]
        return {f"{name}-{labels[item['key']]}": str(i)
                for i, item in enumerate(spec["items"], 1)}
    if qtype == "scenario":
        fields: dict = {}
        for part in spec["parts"]:
            fields.update(answer_fields(f"{name}-{part['key']}", part["type"], part["spec"],
                                        (order or {}).get(part["key"])))
        return fields
    raise AssertionError(f"no answer recipe for {qtype}")


def correct_answers(attempt_id: int) -> dict:
    attempt = db.session.get(Attempt, attempt_id)
    data: dict = {}
    for qid in attempt.draw["questions"]:
        snap = attempt.draw["specs"][str(qid)]
        data.update(answer_fields(f"q-{qid}", snap["type"], snap["spec"],
                                  attempt.draw["order"].get(str(qid))))
    return data


def question(key: str):
    """A question by its key (keys are unique within the test courses)."""
    import sqlalchemy as sa

    from lms.assessment.models import Question

    return db.session.scalar(sa.select(Question).where(Question.key == key))


def label(attempt_id: int, question_id: int, key: str, part: str | None = None) -> str:
    """The form value the attempt's page gives option `key` (random per attempt)."""
    order = db.session.get(Attempt, attempt_id).draw["order"][str(question_id)]
    if part is not None:
        order = order[part]
    return order["labels"][key]


def revision(attempt_id: int) -> int:
    import sqlalchemy as sa

    return db.session.scalar(sa.select(Attempt.revision).where(Attempt.id == attempt_id))


def post_attempt(client, attempt_id: int, data: dict | None = None, *, autosave: bool = False,
                 **kwargs):
    """Post an attempt's form as its current page would: with the latest revision."""
    url = f"/attempts/{attempt_id}" + ("/autosave" if autosave else "")
    return post_form(client, url, {"revision": revision(attempt_id), **(data or {})}, **kwargs)


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
    post_attempt(client, attempt_id, {**correct_answers(attempt_id), "action": "finish"})
