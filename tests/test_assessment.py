"""Quizzes: graded on the server, answer key private, tampering refused, one open attempt."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.assessment.models import Answer, Attempt
from lms.core.audit import AuditEvent
from tests.fixtures.app import post_form
from tests.fixtures.users import login
from tests.helpers import correct_answers, label, post_attempt, question, start_attempt


def test_answer_key_never_reaches_the_page(db, learner_client, attempt_id):
    html = learner_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Right." not in html and "no non-punishment article" not in html  # feedback
    assert 'name="correct"' not in html and "data-correct" not in html
    single = question("npp-source")
    # Options carry per-attempt random values, never the author's keys ("a", "b", …).
    assert f'name="q-{single.id}" value="a"' not in html
    assert f'name="q-{single.id}" value="{label(attempt_id, single.id, "a")}"' in html
    assert "ACTIP" in html


def test_quiz_requires_enrolment(tiny_course, learner_client):
    response = post_form(learner_client, "/courses/tiny-course/quizzes/final/start",
                         follow_redirects=True)
    assert "Enrol in the course" in response.get_data(as_text=True)


def test_grading_and_partial_credit_is_all_or_nothing(db, learner_client, attempt_id):
    answers = correct_answers(attempt_id)
    multiple = question("liabilities")
    answers[f"q-{multiple.id}"] = [label(attempt_id, multiple.id, "criminal")]  # 1 of 2: no credit
    post_attempt(learner_client, attempt_id, {**answers, "action": "finish"})
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "finished"
    assert attempt.score == pytest.approx(66.67)
    assert attempt.passed is True  # pass mark 50
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "attempt.graded")).data["score"] == pytest.approx(66.67)


def test_save_keeps_answers_and_page_shows_them(db, learner_client, attempt_id):
    single = question("npp-source")
    b = label(attempt_id, single.id, "b")
    post_attempt(learner_client, attempt_id, {f"q-{single.id}": b, "action": "save"})
    html = learner_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert f'name="q-{single.id}" value="{b}" checked' in html
    assert db.session.get(Answer, (attempt_id, single.id)).response == {"chosen": ["b"]}


@pytest.mark.parametrize("tamper", ["foreign_option", "unknown_question", "two_radios",
                                    "huge_value"])
def test_tampered_answers_are_refused_and_nothing_is_stored(db, learner_client, attempt_id,
                                                            tamper):
    single, multiple = question("npp-source"), question("liabilities")
    a, b = (label(attempt_id, single.id, key) for key in "ab")
    good = {f"q-{single.id}": a}
    bad = {
        "foreign_option": {f"q-{single.id}": label(attempt_id, multiple.id, "criminal")},
        "unknown_question": {"q-999999": a},
        "two_radios": {f"q-{single.id}": [a, b]},
        "huge_value": {f"q-{multiple.id}": "x" * 10_000},
    }[tamper]
    response = post_form(learner_client, f"/attempts/{attempt_id}",
                         {**good, **bad, "action": "finish"}, follow_redirects=True)
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    assert db.session.get(Attempt, attempt_id).status == "open"


def test_another_learners_attempt_is_404(app, db, attempt_id, make_user):
    intruder = app.test_client()
    login(intruder, make_user("learner"))
    assert intruder.get(f"/attempts/{attempt_id}").status_code == 404
    assert intruder.get(f"/attempts/{attempt_id}/result").status_code == 404
    assert post_form(intruder, f"/attempts/{attempt_id}", {"action": "finish"}).status_code == 404
    assert db.session.get(Attempt, attempt_id).status == "open"


def test_answers_to_a_finished_attempt_are_refused(db, learner_client, attempt_id):
    answers = correct_answers(attempt_id)
    post_attempt(learner_client, attempt_id, {**answers, "action": "finish"})
    score = db.session.get(Attempt, attempt_id).score
    single = question("npp-source")
    stale = post_form(learner_client, f"/attempts/{attempt_id}",
                      {f"q-{single.id}": "b", "action": "save"}, follow_redirects=True)
    assert "already finished" in stale.get_data(as_text=True)
    assert db.session.get(Answer, (attempt_id, single.id)).response == {"chosen": ["a"]}
    assert db.session.get(Attempt, attempt_id).score == score


def test_finishing_twice_grades_once(db, learner_client, attempt_id):
    answers = {**correct_answers(attempt_id), "action": "finish"}
    post_attempt(learner_client, attempt_id, answers)
    post_attempt(learner_client, attempt_id, {"action": "finish"})
    graded = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "attempt.graded")).all()
    assert len(graded) == 1


def test_database_refuses_a_second_open_attempt(db, attempt_id):
    first = db.session.get(Attempt, attempt_id)
    db.session.add(Attempt(user_id=first.user_id, quiz_id=first.quiz_id, number=2,
                           draw=first.draw))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_starting_again_resumes_the_open_attempt(learner_client, attempt_id):
    assert start_attempt(learner_client, "tiny-course") == attempt_id


def test_attempts_allowed_is_enforced(db, learner_client, attempt_id):
    for _ in range(3):
        current = start_attempt(learner_client, "tiny-course")
        post_attempt(learner_client, current, {"action": "finish"})
    refused = post_form(learner_client, "/courses/tiny-course/quizzes/final/start",
                        follow_redirects=True)
    assert "used all 3 attempts" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 3


def test_review_shows_feedback_explanation_and_references(db, learner_client, attempt_id):
    single = question("npp-source")
    post_attempt(learner_client, attempt_id, {f"q-{single.id}": label(attempt_id, single.id, "b"),
                                              "action": "finish"})
    html = learner_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "no non-punishment article" in html  # feedback on the chosen wrong option
    assert "ACTIP Art. 14(7)" in html
