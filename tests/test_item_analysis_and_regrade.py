"""Item statistics against a table computed by hand, and audited regrading."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.assessment.models import Attempt, Question, Quiz, RegradeFlag
from lms.assessment.statistics import item_statistics, quiz_item_statistics
from lms.core.audit import AuditEvent
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.fixtures.users import login, make_staff
from tests.helpers import correct_answers, label, post_attempt, start_attempt

# Four attempts at three questions, scored by hand:
#   attempt   q1 q2 q3   total
#   A1         1  1  1     3
#   A2         1  0  1     2
#   A3         0  1  0     1
#   A4         0  0  0     0
# q1: facility 50; SD = 100·sqrt(Σ(x−0.5)²/3) = 57.735; rest of test [2,1,1,0],
#     r = 1/sqrt(2) → discrimination 70.711.
# q2: facility 50; SD 57.735; rest [2,2,0,0] is uncorrelated with [1,0,1,0] → 0.
# q3: the same as q1.
TABLE = {1: {1: 1.0, 2: 1.0, 3: 1.0}, 2: {1: 1.0, 2: 0.0, 3: 1.0},
         3: {1: 0.0, 2: 1.0, 3: 0.0}, 4: {1: 0.0, 2: 0.0, 3: 0.0}}


def test_statistics_match_the_hand_computed_table():
    stats = {s.question_id: s for s in item_statistics(TABLE)}
    for qid, (facility, sd, discrimination) in {1: (50, 57.735, 70.711), 2: (50, 57.735, 0.0),
                                                3: (50, 57.735, 70.711)}.items():
        assert stats[qid].attempts == 4
        assert stats[qid].facility == pytest.approx(facility)
        assert stats[qid].sd == pytest.approx(sd, abs=1e-3)
        assert stats[qid].discrimination == pytest.approx(discrimination, abs=1e-3)


def test_statistics_when_everyone_scores_the_same():
    stats = item_statistics({1: {1: 1.0}, 2: {1: 1.0}})
    assert stats[0].facility == 100 and stats[0].sd == 0 and stats[0].discrimination is None


def _finish_with(client, attempt_id, answers):
    post_attempt(client, attempt_id, {**answers, "action": "finish", "page": "3"})


@pytest.fixture
def passed_attempt(db, assessed_course, learner_client):
    post_form(learner_client, "/courses/assessed-course/enrol")
    post_form(learner_client, "/courses/assessed-course/lessons/intro/complete")
    attempt_id = start_attempt(learner_client, "assessed-course")
    _finish_with(learner_client, attempt_id, correct_answers(attempt_id))
    return db.session.get(Attempt, attempt_id)


def test_statistics_from_the_database(db, passed_attempt, instructor, app):
    stats = quiz_item_statistics(passed_attempt.quiz_id)
    assert len(stats) == 7 and all(s.facility == 100 for s in stats)
    client = app.test_client()
    make_staff(instructor, passed_attempt.quiz.course)
    login(client, instructor)
    page = client.get(f"/teach/quizzes/{passed_attempt.quiz_id}").get_data(as_text=True)
    assert "Item analysis" in page and "100.0" in page


def test_regrade_is_audited_and_flags_a_changed_result(db, passed_attempt, instructor, app):
    enrolment = db.session.scalar(sa.select(Enrolment))
    assert enrolment.status == "completed"
    # The instructor corrects answer keys the learner had "right": the short answer and
    # the single-choice bank questions.
    term = db.session.scalar(sa.select(Question).where(Question.key == "term"))
    term.spec = {**term.spec, "answers": ["non-liability"]}
    for question in db.session.scalars(sa.select(Question).where(Question.type == "single")):
        question.spec = {**question.spec, "options": [
            {**o, "correct": not o["correct"]} for o in question.spec["options"]]}
    db.session.commit()
    client = app.test_client()
    make_staff(instructor, passed_attempt.quiz.course)
    login(client, instructor)
    preview = post_form(client, f"/teach/quizzes/{passed_attempt.quiz_id}/check").get_data(
        as_text=True)
    assert "1 attempt would change" in preview and "result changes" in preview
    assert db.session.get(Attempt, passed_attempt.id).score == 100.0  # preview changes nothing
    post_form(client, f"/teach/quizzes/{passed_attempt.quiz_id}/regrade")
    attempt = db.session.get(Attempt, passed_attempt.id)
    # The new mark is recorded; the verdict waits for an admin.
    assert attempt.score < 60 and attempt.passed is True
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "attempt.regraded"))
    assert event.data["old_score"] == 100.0 and event.data["new_score"] == attempt.score
    assert event.data["verdict_held_for_admin"] is True
    flag = db.session.scalar(sa.select(RegradeFlag))
    assert (flag.old_passed, flag.new_passed) == (True, False)
    # Not silently altered: the completion stands until an admin decides.
    assert db.session.scalar(sa.select(Enrolment)).status == "completed"
    # Regrading again finds nothing more to change.
    post_form(client, f"/teach/quizzes/{passed_attempt.quiz_id}/regrade")
    assert db.session.scalar(sa.select(sa.func.count(RegradeFlag.id))) == 1


def _flip_single_choice_keys(db):
    for question in db.session.scalars(sa.select(Question).where(Question.type == "single")):
        question.spec = {**question.spec, "options": [
            {**o, "correct": not o["correct"]} for o in question.spec["options"]]}
    term = db.session.scalar(sa.select(Question).where(Question.key == "term"))
    term.spec = {**term.spec, "answers": ["x"]}
    db.session.commit()


def test_admin_applies_a_regraded_fail(db, passed_attempt, admin_client, learner):
    from lms.assessment.regrade import regrade_quiz

    _flip_single_choice_keys(db)
    regrade_quiz(db.session.get(Quiz, passed_attempt.quiz_id), actor_id=None)
    db.session.commit()
    page = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert "Results changed by a regrade" in page and learner.name in page
    flag = db.session.scalar(sa.select(RegradeFlag))
    post_form(admin_client, f"/admin/regrade-flags/{flag.id}/resolve", {"decision": "apply"})
    assert db.session.get(RegradeFlag, flag.id).resolved_at is not None
    assert db.session.get(Attempt, passed_attempt.id).passed is False
    # A completion stays until the admin revokes what was issued; it is never undone silently.
    assert db.session.scalar(sa.select(Enrolment)).status == "completed"


def test_admin_applies_a_regraded_pass_and_the_course_completes(
        db, assessed_course, learner_client, admin_client):
    post_form(learner_client, "/courses/assessed-course/enrol")
    post_form(learner_client, "/courses/assessed-course/lessons/intro/complete")
    attempt_id = start_attempt(learner_client, "assessed-course")
    answers = correct_answers(attempt_id)
    attempt = db.session.get(Attempt, attempt_id)
    singles = {str(q) for q in attempt.draw["questions"]
               if attempt.draw["specs"][str(q)]["type"] == "single"}
    wrong = {name: (label(attempt_id, int(name.split("-")[1]), "wrong")
                    if name.split("-")[1] in singles else value)
             for name, value in answers.items()}
    wrong = {k: v for k, v in wrong.items() if not k.startswith(f"q-{_key_id(db, 'term')}")}
    _finish_with(learner_client, attempt_id, wrong)
    assert db.session.get(Attempt, attempt_id).passed is False
    _flip_single_choice_keys(db)  # "wrong" was right after all
    from lms.assessment.regrade import regrade_quiz

    changes = regrade_quiz(db.session.get(Quiz, attempt.quiz_id), actor_id=None)
    db.session.commit()
    assert changes[0].new_passed and db.session.scalar(sa.select(Enrolment)).status == "active"
    flag = db.session.scalar(sa.select(RegradeFlag))
    post_form(admin_client, f"/admin/regrade-flags/{flag.id}/resolve", {"decision": "apply"})
    assert db.session.scalar(sa.select(Enrolment)).status == "completed"


def _key_id(db, key: str) -> int:
    return db.session.scalar(sa.select(Question.id).where(Question.key == key))


def test_regrade_catches_corrections_that_cancel_out(db, passed_attempt):
    from lms.assessment.models import Answer
    from lms.assessment.regrade import regrade_quiz

    attempt = db.session.get(Attempt, passed_attempt.id)
    single_id = next(int(q) for q, snap in attempt.draw["specs"].items()
                     if snap["type"] == "single")
    term = db.session.scalar(sa.select(Question).where(Question.key == "term"))
    # The learner had one single-choice question wrong (score 6/7) ...
    answer = db.session.get(Answer, (attempt.id, single_id))
    answer.response, answer.score = {"chosen": ["wrong"]}, 0.0
    attempt.score = round(600 / 7, 2)
    # ... and the instructor corrects two keys: that question's (+1) and the term's (−1).
    single = db.session.get(Question, single_id)
    single.spec = {**single.spec, "options": [
        {**o, "correct": not o["correct"]} for o in single.spec["options"]]}
    term.spec = {**term.spec, "answers": ["x"]}
    db.session.commit()
    changes = regrade_quiz(db.session.get(Quiz, attempt.quiz_id), actor_id=None)
    db.session.commit()
    assert len(changes) == 1 and changes[0].old_score == changes[0].new_score
    assert db.session.get(Answer, (attempt.id, single_id)).score == 1.0
    assert db.session.get(Answer, (attempt.id, term.id)).score == 0.0


def test_quiz_report_queries_do_not_grow_with_attempts(db, passed_attempt, app, instructor,
                                                      make_user, query_counter):
    client = app.test_client()
    make_staff(instructor, passed_attempt.quiz.course)
    login(client, instructor)
    url = f"/teach/quizzes/{passed_attempt.quiz_id}"
    with query_counter() as one:
        client.get(url)
    for _ in range(3):
        other = app.test_client()
        login(other, make_user("learner"))
        post_form(other, "/courses/assessed-course/enrol")
        attempt_id = start_attempt(other, "assessed-course")
        _finish_with(other, attempt_id, correct_answers(attempt_id))
    with query_counter() as four:
        client.get(url)
    assert len(four) == len(one)
