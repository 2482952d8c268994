"""Item analysis from running sums: the same figures as from every attempt, kept right
through finishing and regrading, and a check or regrade of a large quiz as a job."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from lms.assessment import item_stats, teach_views
from lms.assessment.models import Answer, Attempt, Question, Quiz
from lms.assessment.regrade import regrade_quiz
from lms.assessment.statistics import from_sums, item_statistics, quiz_item_statistics
from lms.core.db import db
from lms.core.jobs import Job
from tests.fixtures.app import post_form
from tests.fixtures.users import login, make_staff
from tests.helpers import correct_answers, post_attempt, start_attempt


def _sums_of(table: dict[int, dict[int, float]]) -> list:
    sums = item_stats.new_sums()
    for marks in table.values():
        item_stats.attempt_terms({"questions": list(marks)}, marks, into=sums)
    return [from_sums(q, round(t[0]), *t[1:]) for (q, _version), t in sorted(sums.items())]


def _same(a, b) -> None:
    assert [s.question_id for s in a] == [s.question_id for s in b]
    for x, y in zip(a, b, strict=True):
        assert x.attempts == y.attempts
        for name in ("facility", "sd", "discrimination"):
            got, want = getattr(x, name), getattr(y, name)
            assert (got is None) == (want is None), (x, y)
            if want is not None:
                assert got == pytest.approx(want, abs=1e-6)


def test_running_sums_give_the_same_statistics_as_every_attempt():
    rng = random.Random(7)
    # Random draws of 5 from 8 questions, marks in steps of 1/3 (partial credit).
    table = {a: {q: rng.choice([0, 1 / 3, 2 / 3, 1]) for q in rng.sample(range(1, 9), 5)}
             for a in range(300)}
    _same(_sums_of(table), item_statistics(table))


def test_everyone_the_same_has_no_discrimination_in_sums_either():
    _same(_sums_of({1: {1: 1.0, 2: 0.0}, 2: {1: 1.0, 2: 1.0}}),
          item_statistics({1: {1: 1.0, 2: 0.0}, 2: {1: 1.0, 2: 1.0}}))


def _finish(client, attempt_id, answers):
    post_attempt(client, attempt_id, {**answers, "action": "finish", "page": "3"})


def _learners_finish(app, make_user, count: int, *, wrong_every: int = 2) -> None:
    """`count` learners each finish the final test; every other one leaves a question."""
    for n in range(count):
        client = app.test_client()
        login(client, make_user("learner"))
        post_form(client, "/courses/assessed-course/enrol")
        attempt_id = start_attempt(client, "assessed-course")
        answers = correct_answers(attempt_id)
        if n % wrong_every:
            answers = dict(list(answers.items())[n % 3:])  # leave one or two unanswered
        _finish(client, attempt_id, answers)


def _from_answers(quiz_id: int) -> list:
    """What the report must say, computed the slow way from every attempt."""
    table = {}
    for attempt in db.session.scalars(
            sa.select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.status == "finished")):
        table[attempt.id] = dict.fromkeys(attempt.draw["questions"], 0.0)
    for answer in db.session.scalars(
            sa.select(Answer).where(Answer.attempt_id.in_(list(table)))):
        table[answer.attempt_id][answer.question_id] = answer.score or 0.0
    return item_statistics(table)


def _scores() -> dict[int, float]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Attempt.id, Attempt.score)).all())


def _final_quiz() -> Quiz:
    return db.session.scalar(sa.select(Quiz).where(Quiz.kind == "final"))


def test_finishing_and_regrading_keep_the_sums_right(app, assessed_course, make_user):
    _learners_finish(app, make_user, 4)
    quiz = _final_quiz()
    _same(quiz_item_statistics(quiz.id), _from_answers(quiz.id))
    term = db.session.scalar(sa.select(Question).where(Question.key == "term"))
    term.spec = {**term.spec, "answers": ["no such answer"]}
    db.session.commit()
    assert regrade_quiz(quiz, actor_id=None)
    db.session.commit()
    after = quiz_item_statistics(quiz.id)
    _same(after, _from_answers(quiz.id))
    assert next(s for s in after if s.question_id == term.id).facility == 0
    # Rebuilding from the answers finds what the running sums hold.
    item_stats.rebuild_quiz(quiz.id)
    _same(quiz_item_statistics(quiz.id), after)


def test_a_large_quiz_is_checked_and_regraded_as_a_job(app, assessed_course, make_user,
                                                        instructor, monkeypatch):
    monkeypatch.setattr(teach_views, "INLINE_LIMIT", 1)
    _learners_finish(app, make_user, 3)
    quiz = _final_quiz()
    term = db.session.scalar(sa.select(Question).where(Question.key == "term"))
    term.spec = {**term.spec, "answers": ["no such answer"]}
    db.session.commit()
    before = _scores()
    client = app.test_client()
    make_staff(instructor, quiz.course)
    login(client, instructor)
    # Viewing the report checks nothing.
    page = client.get(f"/teach/quizzes/{quiz.id}").get_data(as_text=True)
    assert "attempts would change:" not in page
    checked = post_form(client, f"/teach/quizzes/{quiz.id}/check")
    job = db.session.scalar(sa.select(Job).order_by(Job.id.desc()))
    assert checked.status_code == 302 and checked.location.endswith(f"/jobs/{job.id}")
    assert job.status == "done" and job.done == 3 and job.params["changed"] == 3
    progress = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"check={job.id}" in progress
    report = client.get(f"/teach/quizzes/{quiz.id}?check={job.id}").get_data(as_text=True)
    assert "3 attempts would change" in report and "Regrade 3 attempts" in report
    assert _scores() == before  # a dry run
    # Another instructor's check, or a job of another quiz, is not shown.
    other, grader = app.test_client(), make_user("instructor")
    make_staff(grader, quiz.course, "grader")
    login(other, grader)
    assert "attempts would change:" not in other.get(
        f"/teach/quizzes/{quiz.id}?check={job.id}").get_data(as_text=True)
    assert "attempts would change:" not in client.get(
        f"/teach/quizzes/{quiz.id + 1}?check={job.id}").get_data(as_text=True)
    post_form(client, f"/teach/quizzes/{quiz.id}/regrade")
    regraded = db.session.scalar(sa.select(Job).order_by(Job.id.desc()))
    assert regraded.status == "done" and not regraded.params["dry_run"]
    assert all(_scores()[a] < score for a, score in before.items())
    _same(quiz_item_statistics(quiz.id), _from_answers(quiz.id))
