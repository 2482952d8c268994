"""The mail layer (after commit, retried, outbox or SMTP, translated) and the outbox page."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from lms.core.jobs import huey
from lms.core.mail import MAIL_RETRIES, send_mail
from tests.fixtures.mail import SmtpServer, free_port, html_of, text_of
from tests.fixtures.users import login

CONTEXT = {"name": "Somchai", "link": "http://lms.example.org/password/reset/abc"}


@pytest.fixture
def mail_log(caplog):
    """The mail layer's log (alembic's logging set-up, run by the app fixture, disables
    the loggers that existed before it)."""
    logger = logging.getLogger("lms.core.mail")
    logger.disabled = False
    with caplog.at_level(logging.INFO, logger="lms.core.mail"):
        yield caplog


def _send(db, to: str = "somchai@example.org", **context) -> None:
    send_mail(to=to, template="password_reset", context={**CONTEXT, **context})
    db.session.commit()


def _run_retries() -> int:
    """Run every retry the queue has scheduled, as a worker would once they are due."""
    due = huey.read_schedule(huey._get_timestamp() + timedelta(days=1))
    for task in due:
        task.eta = None  # its time has come
        huey.execute(task)
    return len(due)


def test_a_message_is_sent_only_when_the_work_commits(db, outbox):
    send_mail(to="a@example.org", template="password_reset", context=CONTEXT)
    db.session.rollback()
    assert outbox.messages() == []
    _send(db)
    [message] = outbox.messages()
    assert message["To"] == "somchai@example.org" and message["Auto-Submitted"]
    assert message.get_content_type() == "multipart/alternative"
    assert "http://lms.example.org/password/reset/abc" in text_of(message)
    html = html_of(message)
    assert 'href="http://lms.example.org/password/reset/abc"' in html
    assert "<img" not in html and "<script" not in html


def test_messages_are_written_in_the_recipients_language(db, outbox):
    send_mail(to="a@example.org", template="password_reset", context=CONTEXT, locale="th")
    db.session.commit()
    assert '<html lang="th">' in html_of(outbox.messages()[0])


def test_html_in_a_name_is_text_in_the_html_part(db, outbox):
    _send(db, name='<img src="http://evil.example/t.gif"> & <b>bold</b>')
    [message] = outbox.messages()
    html = html_of(message)
    assert "<img src" not in html and "&lt;img src=" in html and "&amp;" in html
    assert '<img src="http://evil.example/t.gif"> & <b>bold</b>' in text_of(message)


def test_smtp_delivery_reaches_the_server(db, smtp_server, outbox):
    _send(db, to="Somchai.J@Example.org")
    [received] = smtp_server.received
    assert received.recipients == ["Somchai.J@Example.org"]
    assert received.subject == "Reset your password"
    assert outbox.messages() == []  # SMTP, not the outbox


def test_a_server_that_is_down_is_tried_again_until_it_is_up(db, app, monkeypatch, mail_log):
    server = SmtpServer(free_port())  # not started: nothing listens on its port
    monkeypatch.setitem(app.config, "MAIL_URL", server.url)
    try:
        _send(db)  # the work that sends it is not broken by the failure
        assert "not sent" in mail_log.text and f"{MAIL_RETRIES} more attempts" in mail_log.text
        [retry] = huey.scheduled()
        assert retry.retries == MAIL_RETRIES - 1
        server.start()
        assert _run_retries() == 1
        [received] = server.received
        assert received.to == "somchai@example.org"
        assert huey.scheduled() == []  # sent once, nothing left to retry
    finally:
        server.stop()
        huey.flush()


def test_a_server_that_stays_down_is_given_up_with_a_clear_log(db, app, monkeypatch, mail_log):
    monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{free_port()}")
    try:
        _send(db)
        for _ in range(MAIL_RETRIES):
            assert _run_retries() == 1
        assert huey.scheduled() == []
        assert f"not sent after {MAIL_RETRIES + 1} attempts, given up" in mail_log.text
    finally:
        huey.flush()


def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_not(db, smtp_server,
                                                                  mail_log):
    smtp_server.reply = "451 4.3.0 Try again later"
    _send(db)
    assert smtp_server.received == [] and len(huey.scheduled()) == 1
    smtp_server.reply = None
    _run_retries()
    assert len(smtp_server.received) == 1

    smtp_server.reply = "550 5.1.1 No such mailbox"
    _send(db, to="gone@example.org")
    assert huey.scheduled() == [] and "refused for good" in mail_log.text


def _admin(app, admin):
    client = app.test_client()
    login(client, admin)
    return client


def test_the_outbox_page_lists_newest_first_and_shows_one_message_escaped(
        app, db, admin, outbox):
    _send(db, to="first@example.org")
    _send(db, to="second@example.org", name="<script>alert(1)</script>")
    client = _admin(app, admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert page.index("second@example.org") < page.index("first@example.org")
    assert "2 messages." in page and "Reset your password" in page
    name = sorted(outbox.folder.glob("*.eml"))[-1].name
    shown = client.get(f"/admin/outbox/{name}")
    assert shown.status_code == 200
    body = shown.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    assert "http://lms.example.org/password/reset/abc" in body


def test_the_outbox_pages_through_many_messages(app, db, admin, outbox):
    for n in range(55):
        send_mail(to=f"p{n}@example.org", template="password_reset", context=CONTEXT)
    db.session.commit()
    client = _admin(app, admin)
    first = client.get("/admin/outbox").get_data(as_text=True)
    assert "p54@example.org" in first and "p4@example.org" not in first
    assert 'rel="next"' in first
    after = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(after).get_data(as_text=True)
    assert "p4@example.org" in second and "p54@example.org" not in second
    assert 'rel="next"' not in second


@pytest.mark.parametrize("name", ["..%2F..%2Fsecret_key", "x.eml", "00000000000000000000-zz.eml",
                                  "00000000000000000000-0000000a.eml"])
def test_the_outbox_opens_nothing_but_its_messages(app, db, admin, outbox, name):
    assert _admin(app, admin).get(f"/admin/outbox/{name}").status_code == 404


def test_the_outbox_is_for_admins_only(app, db, learner_client, instructor, client):
    assert learner_client.get("/admin/outbox").status_code == 403
    other = app.test_client()
    login(other, instructor)
    assert other.get("/admin/outbox").status_code == 403
    assert client.get("/admin/outbox").status_code == 302  # to the sign-in page


def test_no_outbox_page_when_mail_goes_out_by_smtp(app, db, admin, smtp_server):
    client = _admin(app, admin)
    assert client.get("/admin/outbox").status_code == 404
    assert "/admin/outbox" not in client.get("/admin/certificates").get_data(as_text=True)


def test_a_subject_in_thai_keeps_its_spaces_through_smtp(app, smtp_server):
    from lms.core.mail import build_message, deliver

    subject = "คุณได้เข้าร่วม “Thai judges, 2027, cohort 1” บน CoE Learning แล้ว"
    with app.test_request_context():
        deliver(build_message({"from": "CoE <no-reply@example.org>", "to": "a@example.org",
                               "subject": subject, "text": "x", "html": "<p>x</p>",
                               "date": "Thu, 03 Dec 2026 10:00:00 -0000",
                               "message_id": "<t@lms.local>"}))
    [received] = smtp_server.messages_to("a@example.org")  # parsed as a mail client would
    assert received.subject == subject
