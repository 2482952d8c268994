"""Reminders: the filtered group only, in each one's language, sent once; turning them off."""
from __future__ import annotations

import email
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.core.audit import AuditEvent
from lms.core.db import db as _db
from lms.core.db import utcnow
from lms.learning.cohorts import Reminder
from lms.learning.models import Enrolment
from lms.reporting import reminders, tasks
from tests.fixtures.app import csrf_token, post_form
from tests.fixtures.users import login, make_staff
from tests.tracking_data import add_instructor, add_member, bulk_members, make_cohort


@pytest.fixture
def mail(smtp_server):
    """What reached the test SMTP server on loopback (tests/fixtures/mail.py), as messages;
    the tests' jobs run at once, so a message is there when the request returns."""
    def read() -> list[email.message.EmailMessage]:
        return [received.message for received in smtp_server.received]
    return read


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


@pytest.fixture
def group(db, tiny_course, make_user):
    """Four members who have not started (one reads Thai, one opted out, one deactivated),
    one in progress and one who completed."""
    cohort = make_cohort(tiny_course)
    people = {
        "ann": make_user(name="Ann Idle", locale="en"),
        "bee": make_user(name="บี ยังไม่เริ่ม", locale="th"),
        "cat": make_user(name="Cat Opted-Out", reminders_opt_out=True),
        "dan": make_user(name="Dan Deactivated", active=False),
        "eli": make_user(name="Eli Reading"),
        "fay": make_user(name="Fay Done"),
    }
    for key in ("ann", "bee", "cat", "dan"):
        add_member(cohort, people[key], tiny_course)
    add_member(cohort, people["eli"], tiny_course, lessons=1)
    add_member(cohort, people["fay"], tiny_course, lessons=2, completed=True)
    return cohort, tiny_course, people


def remind_url(cohort, course) -> str:
    return f"/cohorts/{cohort.id}/courses/{course.id}/reminders"


def test_send_now_reaches_exactly_the_filtered_group_in_their_language(group, admin_client,
                                                                      admin, mail, db):
    cohort, course, people = group
    response = post_form(admin_client, remind_url(cohort, course), {
        "audience": "not_started", "message": "Please <b>start</b> this week.", "when": "now"})
    assert response.status_code == 302
    sent = mail()
    assert sorted(m["To"] for m in sent) == sorted([people["ann"].email, people["bee"].email])
    by_to = {m["To"]: m for m in sent}
    english, thai = by_to[people["ann"].email], by_to[people["bee"].email]
    assert english["Subject"] == f"Reminder: {course.title}"
    text, html = parts(english)
    assert "Hello Ann Idle," in text and "March 31, 2027" in text
    assert "Please <b>start</b> this week." in text
    assert "Please &lt;b&gt;start&lt;/b&gt; this week." in html  # the note is text, not HTML
    assert "http://lms.example.org/courses/tiny-course" in text
    assert "http://lms.example.org/reminders/off/" in text and "/reminders/off/" in html
    assert "<img" not in html.lower()  # no tracking pixel
    thai_text, _html = parts(thai)
    assert "มีนาคม" in thai_text  # the due date in the recipient's language
    reminder = db.session.scalar(sa.select(Reminder))
    assert reminder.sent_at is not None and reminder.recipients == 2
    assert reminder.audience == "not_started" and reminder.created_by_id == admin.id
    events = {e.action: e for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action.like("reminder.%")))}
    assert events["reminder.sent"].data["recipients"] == 2
    assert events["reminder.sent"].actor_id == admin.id
    assert events["reminder.scheduled"].data["audience"] == "not_started"
    page = admin_client.get(f"/cohorts/{cohort.id}/courses/{course.id}/tracking")
    assert "2 people" in page.get_data(as_text=True)


def test_a_reminder_to_the_28_who_have_not_started(db, tiny_course, admin_client, mail):
    cohort = make_cohort(tiny_course)
    waiting = bulk_members(cohort, tiny_course, 28, prefix="waiting", lessons=0)
    bulk_members(cohort, tiny_course, 2, prefix="done", lessons=2)
    db.session.execute(sa.update(Enrolment).where(Enrolment.user_id.notin_(waiting))
                       .values(status="completed", completed_at=utcnow()))
    db.session.commit()
    post_form(admin_client, remind_url(cohort, tiny_course),
              {"audience": "not_started", "when": "now"})
    assert sorted(m["To"] for m in mail()) == sorted(f"waiting{n}@example.org"
                                                       for n in range(28))


def test_everyone_but_the_opted_out_and_deactivated(group, admin_client, mail):
    cohort, course, people = group
    post_form(admin_client, remind_url(cohort, course), {"audience": "all", "when": "now"})
    assert sorted(m["To"] for m in mail()) == sorted(
        people[k].email for k in ("ann", "bee", "eli", "fay"))


def test_scheduled_reminder_is_sent_once_by_the_periodic_task(group, app, make_user, mail,
                                                              db):
    cohort, course, people = group
    teacher = make_user("instructor", name="Cohort Instructor")  # in Bangkok (TH)
    add_instructor(cohort, teacher)
    client = app.test_client()
    login(client, teacher)
    response = post_form(client, remind_url(cohort, course), {
        "audience": "not_completed", "when": "later", "send_at": "2027-03-25T09:00"})
    assert response.status_code == 302
    reminder = db.session.scalar(sa.select(Reminder))
    assert reminder.send_at == datetime(2027, 3, 25, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok
    assert reminder.sent_at is None
    assert tasks.send_due_reminders.call_local() == 0 and mail() == []  # not due yet
    # Eli completes before it goes out: the audience is read when it is sent.
    db.session.execute(sa.update(Enrolment).where(Enrolment.user_id == people["eli"].id)
                       .values(status="completed", completed_at=utcnow()))
    db.session.execute(sa.update(Reminder).values(send_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert tasks.send_due_reminders.call_local() == 2
    assert tasks.send_due_reminders.call_local() == 0  # the next minute: nothing again
    assert sorted(m["To"] for m in mail()) == sorted([people["ann"].email,
                                                        people["bee"].email])
    db.session.rollback()
    reminder = db.session.scalar(sa.select(Reminder))
    assert reminder.sent_at is not None and reminder.recipients == 2
    sent = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "reminder.sent")).all()
    assert len(sent) == 1 and sent[0].actor_id == teacher.id


def test_two_workers_send_a_due_reminder_once(group, app, admin, mail, db, monkeypatch):
    cohort, course, people = group
    reminder = Reminder(cohort_id=cohort.id, course_id=course.id, audience="not_started",
                        send_at=utcnow() - timedelta(minutes=1), created_by_id=admin.id)
    db.session.add(reminder)
    db.session.commit()
    reminder_id = reminder.id  # threads get ids, never the test session's objects
    barrier = threading.Barrier(2)
    real_link = reminders.link
    waited = threading.local()

    def link_after_both_read(endpoint, **values):
        if not getattr(waited, "done", False):  # both workers saw it unsent: now race
            waited.done = True
            barrier.wait(timeout=10)
        return real_link(endpoint, **values)

    monkeypatch.setattr(reminders, "link", link_after_both_read)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                results.append(tasks.deliver_and_commit(reminder_id))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results, key=str) == [2, None]
    assert len(mail()) == 2
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "reminder.sent")) == 1


def test_scheduling_rules(group, admin_client, db):
    cohort, course, _people = group
    after_due = post_form(admin_client, remind_url(cohort, course), {
        "audience": "not_completed", "when": "later", "send_at": "2027-04-01T09:00"},
        follow_redirects=True)
    assert "on or before the due date" in after_due.get_data(as_text=True)
    past = post_form(admin_client, remind_url(cohort, course), {
        "audience": "not_completed", "when": "later", "send_at": "2020-01-01T09:00"},
        follow_redirects=True)
    assert "Choose a time in the future" in past.get_data(as_text=True)
    overdue = post_form(admin_client, remind_url(cohort, course), {
        "audience": "overdue", "when": "later", "send_at": "2027-03-01T09:00"},
        follow_redirects=True)
    assert "No one is overdue before the due date" in overdue.get_data(as_text=True)
    missing = post_form(admin_client, remind_url(cohort, course), {
        "audience": "not_completed", "when": "later"}, follow_redirects=True)
    assert "Choose the date and time" in missing.get_data(as_text=True)
    unknown = post_form(admin_client, remind_url(cohort, course), {
        "audience": "everyone-ever", "when": "now"})
    assert unknown.status_code == 302
    no_csrf = admin_client.post(remind_url(cohort, course), data={"audience": "all",
                                                                  "when": "now"})
    assert no_csrf.status_code in (302, 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0
    cohort.archived_at = utcnow()
    db.session.commit()
    archived = post_form(admin_client, remind_url(cohort, course), {
        "audience": "all", "when": "now"}, follow_redirects=True)
    assert "archived" in archived.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0


def test_withdrawing_a_scheduled_reminder(group, admin_client, db):
    cohort, course, _people = group
    post_form(admin_client, remind_url(cohort, course), {
        "audience": "not_completed", "when": "later", "send_at": "2027-03-25T09:00"})
    reminder_id = db.session.scalar(sa.select(Reminder.id))
    cancel = f"/cohorts/{cohort.id}/reminders/{reminder_id}/cancel"
    assert post_form(admin_client, cancel).status_code == 302
    db.session.rollback()
    assert db.session.get(Reminder, reminder_id) is None
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "reminder.cancelled")).target_id == reminder_id
    assert post_form(admin_client, cancel).status_code == 404
    sent = Reminder(cohort_id=cohort.id, course_id=course.id, audience="all",
                    send_at=utcnow(), sent_at=utcnow(), recipients=3)
    db.session.add(sent)
    db.session.commit()
    html = post_form(admin_client, f"/cohorts/{cohort.id}/reminders/{sent.id}/cancel",
                     follow_redirects=True).get_data(as_text=True)
    assert "already been sent" in html
    assert post_form(admin_client, f"/cohorts/{cohort.id + 99}/reminders/{sent.id}/cancel"
                     ).status_code == 404


def test_who_may_send_reminders(group, app, make_user, learner):
    cohort, course, _people = group
    grader = make_user("instructor", name="Course Grader")
    make_staff(grader, course, "grader")  # sees the tracking, does not run the cohort
    stranger = make_user("instructor", name="Stranger")
    add_member(cohort, learner)
    for user, status in ((grader, 403), (stranger, 404), (learner, 403)):
        client = app.test_client()
        login(client, user)
        assert post_form(client, remind_url(cohort, course), {
            "audience": "all", "when": "now"}).status_code == status, user.name
    client = app.test_client()
    login(client, grader)
    html = client.get(f"/cohorts/{cohort.id}/courses/{course.id}/tracking").get_data(
        as_text=True)
    assert remind_url(cohort, course) not in html  # the form is not offered
    anonymous = app.test_client()
    response = anonymous.post(remind_url(cohort, course), data={
        "csrf_token": csrf_token(anonymous), "audience": "all", "when": "now"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_link_in_the_email_turns_reminders_off(group, admin_client, app, mail, db):
    cohort, course, people = group
    post_form(admin_client, remind_url(cohort, course), {"audience": "not_started",
                                                         "when": "now"})
    message = next(m for m in mail() if m["To"] == people["ann"].email)
    text, _html = parts(message)
    off = next(line for line in text.splitlines() if "/reminders/off/" in line).strip()
    path = off.removeprefix("http://lms.example.org")
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Stop reminders" in page.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(people["ann"]), people["ann"].id).reminders_opt_out is False
    assert visitor.post(path).status_code == 400  # no CSRF token: refused
    done = post_form(visitor, path)
    assert done.status_code == 200 and "no more reminders" in done.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(people["ann"]), people["ann"].id).reminders_opt_out is True
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "account.reminders_off"))
    assert event.target_id == people["ann"].id and event.data == {"via": "email link"}
    assert visitor.get(path[:-3] + "abc").status_code == 404  # a forged token
    # Ann no longer gets one.
    post_form(admin_client, remind_url(cohort, course), {"audience": "not_started",
                                                         "when": "now"})
    assert [m["To"] for m in mail()].count(people["ann"].email) == 1


def test_the_learners_own_toggle(learner_client, learner, db):
    page = learner_client.get("/reminders")
    assert page.status_code == 200 and 'checked id="reminders-0"' in page.get_data(as_text=True)
    assert post_form(learner_client, "/reminders", {"reminders": "off"}).status_code == 302
    db.session.rollback()
    assert db.session.get(type(learner), learner.id).reminders_opt_out is True
    assert 'checked id="reminders-1"' in learner_client.get("/reminders").get_data(as_text=True)
    post_form(learner_client, "/reminders", {"reminders": "on"})
    db.session.rollback()
    assert db.session.get(type(learner), learner.id).reminders_opt_out is False
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("account.reminders_%")).order_by(AuditEvent.id)).all()
    assert actions == ["account.reminders_off", "account.reminders_on"]
