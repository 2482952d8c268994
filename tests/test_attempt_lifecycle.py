"""Attempts from start to review: draws, deadlines, pages, autosave, expired tokens,
knowledge gain, and the rules on when answers are shown."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.assessment.models import Answer, Attempt, Question, Quiz
from lms.core.db import utcnow
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.helpers import correct_answers, post_attempt, start_attempt


@pytest.fixture
def enrolled(assessed_course, learner_client):
    post_form(learner_client, "/courses/assessed-course/enrol")
    return learner_client


def _attempt(db, attempt_id) -> Attempt:
    return db.session.get(Attempt, attempt_id)


def test_draw_takes_n_per_topic_and_is_stored(db, enrolled):
    attempt = _attempt(db, start_attempt(enrolled, "assessed-course"))
    questions = {q.id: q for q in db.session.scalars(sa.select(Question))}
    drawn = [questions[i] for i in attempt.draw["questions"]]
    assert [q.key for q in drawn[:4]] == ["case", "match", "order", "term"]
    assert sorted(q.topic for q in drawn[4:]) == ["law", "law", "practice"]
    assert all(q.bank == "core" for q in drawn[4:])
    assert set(attempt.draw["specs"]) == {str(q.id) for q in drawn}
    assert attempt.deadline is not None
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)


def test_draws_vary_between_attempts(db, assessed_course, app, make_user):
    from lms.assessment.services import start_attempt as service_start
    from lms.learning.services import enrol

    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.key == "final"))
    draws = set()
    for _ in range(8):
        user = make_user("learner")
        enrol(user.id, assessed_course)
        draws.add(tuple(service_start(user.id, quiz).draw["questions"]))
    db.session.commit()
    assert len(draws) > 1


def test_pages_are_remembered(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    first = enrolled.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Page 1 of 3" in first and "Next page" in first and "Finish and submit" not in first
    post_attempt(enrolled, attempt_id, {"action": "next", "page": "1"})
    assert _attempt(db, attempt_id).page == 1
    # Coming back later (no page in the address) lands on the remembered page.
    again = enrolled.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Page 2 of 3" in again
    last = enrolled.get(f"/attempts/{attempt_id}?page=3").get_data(as_text=True)
    assert "Finish and submit" in last


def test_full_marks_across_every_type(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    post_attempt(enrolled, attempt_id, {**correct_answers(attempt_id),
                                                    "action": "finish", "page": "3"})
    attempt = _attempt(db, attempt_id)
    assert attempt.status == "finished" and attempt.score == 100.0 and attempt.passed


def test_review_hides_the_key_until_passed(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    post_attempt(enrolled, attempt_id, {"action": "finish", "page": "1"})
    failed = enrolled.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Correct answers are not shown" in failed
    assert "Law explanation" not in failed and "Accepted answer" not in failed
    assert "of this question" not in failed  # a mark would give a true/false key away
    assert 'class="tag ok"' not in failed
    # after_pass: a passing attempt shows the key, explanations and references.
    db.session.get(Quiz, _attempt(db, attempt_id).quiz_id).cooldown_minutes = 0
    db.session.commit()
    second = start_attempt(enrolled, "assessed-course")
    post_attempt(enrolled, second, {**correct_answers(second), "action": "finish",
                                                "page": "3"})
    passed = enrolled.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert "Accepted answer" in passed and "Palermo Art. 3(c)" in passed
    # While a new attempt is open, no earlier review may answer it.
    start_attempt(enrolled, "assessed-course")
    hidden = enrolled.get(f"/attempts/{second}/result").get_data(as_text=True)
    assert "Accepted answer" not in hidden and "of this question" not in hidden


def test_deadline_is_enforced_on_the_server(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    answers = correct_answers(attempt_id)
    first_qid = _attempt(db, attempt_id).draw["questions"][0]
    first_only = {k: v for k, v in answers.items()
                  if k == f"q-{first_qid}" or k.startswith(f"q-{first_qid}-")}
    post_attempt(enrolled, attempt_id, {**first_only, "action": "save", "page": "1"})
    attempt = _attempt(db, attempt_id)
    attempt.deadline = utcnow() - timedelta(minutes=5)  # the time ran out meanwhile
    db.session.commit()
    late = post_attempt(enrolled, attempt_id, {**answers, "action": "finish",
                                                           "page": "3"}, follow_redirects=True)
    assert "Time is up" in late.get_data(as_text=True)
    attempt = _attempt(db, attempt_id)
    assert attempt.status == "finished"
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == pytest.approx(100 / 7, abs=0.01)  # only the answer saved in time
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 1


def test_saves_within_the_grace_period_count(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    attempt = _attempt(db, attempt_id)
    attempt.deadline = utcnow() - timedelta(seconds=20)  # slow phone, inside 60 s grace
    db.session.commit()
    post_attempt(enrolled, attempt_id, {**correct_answers(attempt_id),
                                                    "action": "finish", "page": "3"})
    assert _attempt(db, attempt_id).score == 100.0


def test_abandoned_attempts_are_closed_at_their_deadline(db, enrolled, runner):
    attempt_id = start_attempt(enrolled, "assessed-course")
    attempt = _attempt(db, attempt_id)
    attempt.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = runner.invoke(args=["attempts", "close-expired"])
    assert "1 expired attempt(s) graded" in result.output
    attempt = _attempt(db, attempt_id)
    assert attempt.status == "finished" and attempt.finished_at == attempt.deadline


def test_cooldown_and_attempt_limit(db, enrolled):
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.key == "final"))
    quiz.cooldown_minutes = 10
    db.session.commit()
    first = start_attempt(enrolled, "assessed-course")
    post_attempt(enrolled, first, {"action": "finish", "page": "1"})
    refused = post_form(enrolled, "/courses/assessed-course/quizzes/final/start",
                        follow_redirects=True)
    assert "You can try again from" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_availability_window(db, enrolled):
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.key == "final"))
    quiz.available_from = utcnow() + timedelta(days=1)
    db.session.commit()
    page = enrolled.get("/courses/assessed-course/quizzes/final").get_data(as_text=True)
    assert "This test opens on" in page and "Start an attempt" not in page
    refused = post_form(enrolled, "/courses/assessed-course/quizzes/final/start",
                        follow_redirects=True)
    assert "This test opens on" in refused.get_data(as_text=True)
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.key == "final"))
    quiz.available_from, quiz.available_until = None, utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "This test closed on" in enrolled.get(
        "/courses/assessed-course/quizzes/final").get_data(as_text=True)


def test_knowledge_gain_is_stored_and_shown(db, enrolled, learner):
    pre = start_attempt(enrolled, "assessed-course", "pre")
    post_attempt(enrolled, pre, {"action": "finish", "page": "1"})  # 0 %
    final = start_attempt(enrolled, "assessed-course")
    post_attempt(enrolled, final, {**correct_answers(final), "action": "finish",
                                               "page": "3"})
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == learner.id))
    assert (enrolment.pre_score, enrolment.final_score, enrolment.knowledge_gain) == \
        (0.0, 100.0, 100.0)
    page = enrolled.get(f"/attempts/{final}/result").get_data(as_text=True)
    assert "Your knowledge gain: 100 points" in page


def test_autosave_stores_answers_and_refuses_stale_pages(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    answers = correct_answers(attempt_id)
    saved = post_attempt(enrolled, attempt_id, answers, autosave=True)
    assert saved.status_code == 200 and saved.get_json()["saved"] == 7
    post_attempt(enrolled, attempt_id, {"action": "finish", "page": "3"})
    assert _attempt(db, attempt_id).score == 100.0  # graded on the autosaved answers
    stale = post_attempt(enrolled, attempt_id, answers, autosave=True)
    assert stale.status_code == 409 and "already finished" in stale.get_json()["error"]


def test_expired_csrf_token_keeps_the_answers(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    answers = correct_answers(attempt_id)
    expired = enrolled.post(f"/attempts/{attempt_id}", data={
        **answers, "csrf_token": "expired-token", "action": "finish", "page": "3",
        "revision": "0"})
    assert expired.status_code == 400
    html = expired.get_data(as_text=True)
    assert "Please confirm your answers" in html and "Submit my answers" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    # The confirmation form carries every answer and a fresh token.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    kept = re.findall(r'<input type="hidden" name="(q-[^"]+)" value="([^"]*)">', html)
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    data: dict = {"csrf_token": token, "action": "save", "page": "3", "revision": revision}
    for name, value in kept:
        data.setdefault(name, []).append(value)
    assert enrolled.post(f"/attempts/{attempt_id}", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 7


def test_answers_outside_the_attempt_and_other_tampering_change_nothing(db, enrolled):
    attempt_id = start_attempt(enrolled, "assessed-course")
    answers = correct_answers(attempt_id)
    attempt = _attempt(db, attempt_id)
    not_drawn = db.session.scalar(sa.select(Question.id).where(
        Question.id.not_in(attempt.draw["questions"])))
    for bad in ({f"q-{not_drawn}": "right"}, {"q-abc": "x"}, {"q-999999999999999999": "x"}):
        response = post_form(enrolled, f"/attempts/{attempt_id}",
                             {**answers, **bad, "action": "save", "page": "1"},
                             follow_redirects=True)
        assert "Nothing was saved" in response.get_data(as_text=True)
    numeric_qid = next(qid for qid in attempt.draw["questions"]
                       if attempt.draw["specs"][str(qid)]["type"] == "scenario")
    bad_number = post_attempt(enrolled, attempt_id, {
        **answers, f"q-{numeric_qid}-age": "1e999", "action": "save", "page": "1"},
        follow_redirects=True)
    assert "Question 1:" in bad_number.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
