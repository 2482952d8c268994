"""Races the database must settle: two finishes, two starts; and fixed query counts."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lms.assessment import services
from lms.assessment.models import Attempt, Quiz
from lms.core.audit import AuditEvent
from lms.core.db import db as _db
from lms.learning.services import enrol
from tests.fixtures.app import post_form
from tests.helpers import correct_answers, start_attempt


def _in_parallel(app, work, n=2):
    """Run `work()` in n threads, each with its own app context and DB connection,
    released together by a barrier."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                work()
                _db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.fixture
def open_attempt(db, tiny_course, learner):
    enrol(learner.id, tiny_course)
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == tiny_course.id))
    attempt = services.start_attempt(learner.id, quiz)
    db.session.commit()
    return attempt.id


def test_two_concurrent_finishes_grade_once(app, db, open_attempt):
    db.session.commit()
    errors = _in_parallel(app, lambda: services.finish_attempt(
        _db.session.get(Attempt, open_attempt)), n=4)
    assert errors == []
    graded = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "attempt.graded")).all()
    assert len(graded) == 1
    assert db.session.get(Attempt, open_attempt).status == "finished"


def test_two_concurrent_starts_open_one_attempt(app, db, tiny_course, learner):
    enrol(learner.id, tiny_course)
    user_id = learner.id  # threads get ids, never the test session's objects
    quiz_id = db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == tiny_course.id))
    db.session.commit()
    errors = _in_parallel(app, lambda: services.start_attempt(
        user_id, _db.session.get(Quiz, quiz_id)), n=4)
    assert errors == []
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_save_racing_a_finish_never_changes_a_graded_attempt(app, db, open_attempt):
    answers = correct_answers(open_attempt)
    db.session.commit()
    roles = iter(["finish", "save"])
    lock = threading.Lock()

    def finish_or_save():
        with lock:
            role = next(roles)
        current = _db.session.get(Attempt, open_attempt)
        if role == "finish":
            services.finish_attempt(current)
        else:
            try:
                services.save_answers(current, {k: v if isinstance(v, list) else [v]
                                                for k, v in answers.items()},
                                      revision=current.revision)
            except Exception:  # refused because the other thread finished first
                _db.session.rollback()

    _in_parallel(app, finish_or_save, n=2)
    attempt = db.session.get(Attempt, open_attempt)
    assert attempt.status == "finished"
    stored = services.answers_of(attempt.id)
    score, _scores = services.compute_scores(attempt.draw, stored)
    assert score == attempt.score  # what is stored is what was graded


def _count(client, method, url, query_counter, **kwargs) -> int:
    with query_counter() as statements:
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code in (200, 302), response.status_code
    return len(statements)


def test_quiz_page_and_finish_run_a_fixed_number_of_queries(
        app, db, tiny_course, assessed_course, make_user, query_counter):
    """3 questions (tiny course) and 7 questions of every type cost the same."""
    from tests.fixtures.app import csrf_token
    from tests.fixtures.users import login

    counts = {}
    for slug in ("tiny-course", "assessed-course"):
        client = app.test_client()
        login(client, make_user("learner"))
        post_form(client, f"/courses/{slug}/enrol")
        attempt_id = start_attempt(client, slug)
        db.session.query(Quiz).update({Quiz.questions_per_page: 0})
        db.session.commit()
        page = _count(client, "get", f"/attempts/{attempt_id}", query_counter)
        data = {**correct_answers(attempt_id), "action": "finish", "page": "1",
                "csrf_token": csrf_token(client), "revision": "0"}
        finish = _count(client, "post", f"/attempts/{attempt_id}", query_counter, data=data)
        counts[slug] = (page, finish)
    assert counts["tiny-course"] == counts["assessed-course"], counts
