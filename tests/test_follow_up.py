"""The follow-up on use (Kirkpatrick level 3): emailed once, a set number of days after
completion, by the periodic job; answered from the emailed link or the course page."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.core.db import db, utcnow
from lms.core.jobs import huey
from lms.learning import surveys
from lms.learning.models import Enrolment
from lms.learning.survey_models import FollowUpResponse
from lms.learning.tasks import send_due_follow_ups
from lms.reporting.reminders import off_token
from tests.fixtures.app import post_form
from tests.fixtures.mail import links_in, path_of
from tests.fixtures.users import login

COMPLETED = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def course(tiny_course):
    tiny_course.feedback = {"follow_up_days": 30,
                            "follow_up": "Have you screened anyone differently since?"}
    db.session.commit()
    return tiny_course


def completed(user, course, at: datetime = COMPLETED) -> Enrolment:
    enrolment = Enrolment(user_id=user.id, course_id=course.id, status="completed",
                          enrolled_at=at - timedelta(days=3), started_at=at - timedelta(days=3),
                          completed_at=at, course_version=course.version, final_score=100.0)
    db.session.add(enrolment)
    db.session.commit()
    return enrolment


def _sent_at(enrolment_id: int) -> datetime | None:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment_id).follow_up_sent_at


def _answers() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpResponse))


def _mail_link(message) -> str:
    return path_of(next(u for u in links_in(message) if "/follow-up/" in u))


def test_the_follow_up_is_a_periodic_task():
    assert "lms.learning.tasks.send_follow_up_surveys" in " ".join(huey._registry._registry)


def test_sent_once_after_the_courses_days_through_smtp(course, make_user, smtp_server, db):
    learner = make_user(name="Somchai", locale="th")
    enrolment = completed(learner, course)
    assert send_due_follow_ups(now=COMPLETED + timedelta(days=29, hours=23)) == 0
    assert smtp_server.received == [] and _sent_at(enrolment.id) is None
    due = COMPLETED + timedelta(days=30)
    assert send_due_follow_ups(now=due) == 1
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == [learner.email] and "Tiny course" in mail.subject
    assert "Have you screened anyone differently since?" in mail.text
    assert "Somchai" in mail.text and 'lang="th"' in mail.html
    assert _mail_link(mail.message).startswith("/follow-up/")
    assert _sent_at(enrolment.id) == due
    # Reruns, now and later: nothing more.
    assert send_due_follow_ups(now=due) == 0
    assert send_due_follow_ups(now=due + timedelta(days=200)) == 0
    assert len(smtp_server.wait_for(2, timeout=0.5)) == 1


def test_who_gets_one(course, tiny_course, make_user, smtp_server, db):
    """Completed 30 days ago, on an active account: yes, even those who turned cohort
    reminders off (this is a survey, once per course, not a reminder). Not completed,
    deactivated, or a course whose follow-up is off: no."""
    opted_out = make_user(reminders_opt_out=True)
    completed(opted_out, course)
    completed(make_user(active=False), course)
    active = make_user()
    db.session.add(Enrolment(user_id=active.id, course_id=course.id, status="active",
                             enrolled_at=COMPLETED, final_score=20.0))
    recent = make_user()
    completed(recent, course, at=COMPLETED + timedelta(days=10))
    db.session.commit()
    assert send_due_follow_ups(now=COMPLETED + timedelta(days=31)) == 1
    assert [m.recipients for m in smtp_server.wait_for(1)] == [[opted_out.email]]
    course.feedback = {"follow_up_days": 0}
    db.session.commit()
    assert send_due_follow_ups(now=COMPLETED + timedelta(days=400)) == 0


def test_many_are_sent_in_batches_each_once(course, make_user, smtp_server, db):
    people = [make_user() for _ in range(5)]
    for n, person in enumerate(people):
        completed(person, course, at=COMPLETED + timedelta(minutes=n))
    assert send_due_follow_ups(now=COMPLETED + timedelta(days=31), batch=2) == 5
    received = smtp_server.wait_for(5)
    assert sorted(r.recipients[0] for r in received) == sorted(p.email for p in people)
    assert send_due_follow_ups(now=COMPLETED + timedelta(days=32), batch=2) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Enrolment.follow_up_sent_at.is_(None))) == 0


def test_a_failed_transaction_sends_nothing_and_the_rerun_sends_it(course, make_user,
                                                                   smtp_server, db):
    enrolment = completed(make_user(), course)
    assert surveys.send_follow_up(enrolment.id, COMPLETED + timedelta(days=31)) is True
    db.session.rollback()  # the worker died before its commit: no mail left, none marked
    assert smtp_server.wait_for(1, timeout=0.5) == [] and _sent_at(enrolment.id) is None
    assert send_due_follow_ups(now=COMPLETED + timedelta(days=31)) == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_the_emailed_link_opens_the_form_and_records_the_answer(course, make_user, app,
                                                                smtp_server, db):
    learner = make_user()
    enrolment = completed(learner, course, at=utcnow() - timedelta(days=31))
    send_due_follow_ups(now=utcnow())
    url = _mail_link(smtp_server.wait_for(1)[0].message)
    visitor = app.test_client()  # not signed in
    page = visitor.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Have you screened anyone differently since?" in html
    assert "anonymous in reports" in html and 'value="partly"' in html
    bad = post_form(visitor, url, {"used": "maybe", "how": "x"})
    assert bad.status_code == 400 and "Choose yes, partly or no." in bad.get_data(as_text=True)
    long = post_form(visitor, url, {"used": "yes", "how": "x" * 2001})
    assert long.status_code == 400
    assert "Keep the answer to 2000 characters or fewer." in long.get_data(as_text=True)
    assert _answers() == 0
    how = '<script>alert(1)</script> I screened two people before charging them.'
    response = post_form(visitor, url, {"used": "partly", "how": how})
    assert response.status_code == 302 and path_of(response.headers["Location"]) == url
    thanks = visitor.get(url).get_data(as_text=True)
    assert "your answer was received" in thanks and "We have received your answer" in thanks
    row = db.session.scalar(sa.select(FollowUpResponse))
    assert (row.enrolment_id, row.course_id, row.used, row.how) == (
        enrolment.id, course.id, "partly", how)
    again = post_form(visitor, url, {"used": "no"}, follow_redirects=True)
    assert "already received your answer" in again.get_data(as_text=True)
    assert _answers() == 1 and db.session.scalar(sa.select(FollowUpResponse.used)) == "partly"


def test_expired_forged_and_foreign_links_are_refused(course, make_user, app, db):
    learner = make_user()
    enrolment = completed(learner, course)
    enrolment.follow_up_sent_at = utcnow() - timedelta(days=61)
    db.session.commit()
    visitor = app.test_client()
    old = surveys.follow_up_token(enrolment, utcnow() - timedelta(days=61))
    expired = post_form(visitor, f"/follow-up/{old}", {"used": "yes"})
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)
    good = surveys.follow_up_token(enrolment, utcnow())
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    for token in (forged, "nonsense", off_token(learner.id), "x" * 300):
        response = visitor.get(f"/follow-up/{token}")
        assert response.status_code == 404, token
        assert "This link is not valid" in response.get_data(as_text=True)
    someone_else = app.test_client()
    login(someone_else, make_user())
    response = post_form(someone_else, f"/follow-up/{good}", {"used": "yes"})
    assert response.status_code == 403
    assert "This link was sent to someone else" in response.get_data(as_text=True)
    learner.active = False
    db.session.commit()
    assert visitor.get(f"/follow-up/{good}").status_code == 404
    assert _answers() == 0


def test_a_signed_in_learner_answers_from_the_course_page_once_due(course, make_user, app,
                                                                   db):
    learner = make_user()
    enrolment = completed(learner, course, at=utcnow() - timedelta(days=29))
    client = app.test_client()
    login(client, learner)
    assert "/courses/tiny-course/follow-up" not in client.get(
        "/courses/tiny-course").get_data(as_text=True)
    early = post_form(client, "/courses/tiny-course/follow-up", {"used": "yes"})
    assert early.status_code == 403
    assert "The follow-up survey on this course opens on" in early.get_data(as_text=True)
    enrolment.completed_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert "/courses/tiny-course/follow-up" in client.get(
        "/courses/tiny-course").get_data(as_text=True)
    response = post_form(client, "/courses/tiny-course/follow-up",
                         {"used": "yes", "how": "In two cases."})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(FollowUpResponse.how)) == "In two cases."
    assert "/courses/tiny-course/follow-up" not in client.get(
        "/courses/tiny-course").get_data(as_text=True)
    # The follow-up is off for this course now: and someone not enrolled has none.
    outsider = app.test_client()
    login(outsider, make_user())
    assert outsider.get("/courses/tiny-course/follow-up").status_code == 404
    course.feedback = {"follow_up_days": 0}
    db.session.commit()
    other = make_user()
    completed(other, course, at=utcnow() - timedelta(days=400))
    late = app.test_client()
    login(late, other)
    response = late.get("/courses/tiny-course/follow-up")
    assert response.status_code == 403
    assert "no follow-up survey" in response.get_data(as_text=True)


def test_a_follow_up_long_overdue_is_not_sent(course, make_user, smtp_server, db):
    """Completions whose follow-up fell due more than FOLLOW_UP_LATE_DAYS ago (mail was
    off, or the survey was only just turned on) get none: the question would come too
    late to mean what it says."""
    from lms.learning.tasks import FOLLOW_UP_LATE_DAYS

    old = completed(make_user(), course)
    fresh = completed(make_user(), course, at=COMPLETED + timedelta(days=FOLLOW_UP_LATE_DAYS))
    now = COMPLETED + timedelta(days=30 + FOLLOW_UP_LATE_DAYS, hours=1)
    assert send_due_follow_ups(now=now) == 1
    assert _sent_at(old.id) is None and _sent_at(fresh.id) == now
    assert len(smtp_server.wait_for(1)) == 1
