"""Forgotten password end to end through a real SMTP server: one use, expiry, no enumeration."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.tokens import AccountToken
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from tests.fixtures.app import post_form
from tests.fixtures.mail import links_in, path_of
from tests.fixtures.users import PASSWORD, login

NEW_PASSWORD = "a brand new passphrase for the river"


def _ask(client, email: str):
    return post_form(client, "/password/forgot", {"email": email})


def _reset_link(smtp_server, email: str) -> str:
    [received] = smtp_server.messages_to(email)
    assert received.subject == "Reset your password"
    [link] = [u for u in links_in(received.message) if "/password/reset/" in u]
    assert link.startswith("http://lms.example.org/password/reset/")  # BASE_URL, not Host
    return path_of(link)


def test_reset_end_to_end_through_smtp(app, db, client, learner, smtp_server):
    other_browser = app.test_client()
    login(other_browser, learner)
    assert other_browser.get("/dashboard").status_code == 200

    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    response = _ask(client, learner.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/password/forgot/sent"
    assert "If an account uses this address" in client.get(
        "/password/forgot/sent").get_data(as_text=True)

    path = _reset_link(smtp_server, learner.email)
    [received] = smtp_server.received
    assert received.recipients == [learner.email]
    assert received.message.get_content_type() == "multipart/alternative"
    assert path in received.html and "<img" not in received.html  # no tracking pixel
    assert learner.name in received.text

    # Opening the link uses nothing (a mail scanner may fetch it): the form is shown twice.
    assert client.get(path).status_code == 200
    page = client.get(path).get_data(as_text=True)
    assert "Choose a new password" in page and learner.email in page

    weak = post_form(client, path, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)

    done = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    # Every session ended, the other browser's too; the person signs in with the new one.
    assert other_browser.get("/dashboard").status_code == 302
    assert post_form(client, "/login", {"email": learner.email,
                                        "password": PASSWORD}).status_code == 401
    login(client, learner, NEW_PASSWORD)

    # The used link: a clear page, and the password stays the new one.
    used = client.get(path)
    assert used.status_code == 410 and "expired or was already used" in used.get_data(
        as_text=True)
    again = post_form(client, path, {"password": "yet another long passphrase here",
                                     "confirm": "yet another long passphrase here"})
    assert again.status_code == 410

    events = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.target_id == learner.id, AuditEvent.action.like("user.password%"))).all()
    assert events == ["user.password_reset_requested", "user.password_reset"]
    # And the owner is told, in case it was not them.
    changed = [m for m in smtp_server.messages_to(learner.email)
               if m.subject == "Your password was changed"]
    assert len(changed) == 1


def test_unknown_email_gets_the_same_answer_and_no_message(db, client, learner, smtp_server):
    known = _ask(client, learner.email)
    unknown = _ask(client, "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == \
        (unknown.status_code, unknown.headers["Location"])
    assert known.get_data() == unknown.get_data()
    assert [m.recipients for m in smtp_server.received] == [[learner.email]]
    assert smtp_server.messages_to("nobody@example.org") == []


def test_a_deactivated_account_gets_no_link(db, client, make_user, smtp_server):
    person = make_user(active=False)
    assert _ask(client, person.email).status_code == 302
    assert smtp_server.received == []


def test_an_expired_link_gets_a_clear_page(db, client, learner, smtp_server):
    _ask(client, learner.email)
    path = _reset_link(smtp_server, learner.email)
    db.session.execute(sa.update(AccountToken).values(expires_at=utcnow() - timedelta(
        seconds=1)))
    db.session.commit()
    page = client.get(path)
    assert page.status_code == 410 and "expired or was already used" in page.get_data(
        as_text=True)
    assert post_form(client, path, {"password": NEW_PASSWORD,
                                    "confirm": NEW_PASSWORD}).status_code == 410
    login(client, learner)  # unchanged


def test_an_unknown_or_mangled_token_gets_the_same_page(db, client):
    for token in ("x", "A" * 43, "%00", "ก" * 50, "z" * 5000):
        response = client.get(f"/password/reset/{token}")
        assert response.status_code in (400, 410), (token[:10], response.status_code)


def test_only_the_newest_link_works(db, client, learner, smtp_server):
    _ask(client, learner.email)
    _ask(client, learner.email)
    first, second = (path_of(links_in(m.message)[0]) for m in smtp_server.received)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_requests_are_limited_per_address_and_per_email(app, db, client, learner,
                                                        smtp_server, monkeypatch):
    for _ in range(5):
        assert _ask(client, learner.email).status_code == 302
    # Per email: three links an hour; then the same answer and nothing more is sent.
    assert len(smtp_server.received) == 3
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", 5)
    refused = _ask(client, "someone@example.org")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many attempts" in refused.get_data(as_text=True)


def test_the_reset_form_keeps_registration_password_rules(db, client, learner, smtp_server):
    _ask(client, learner.email)
    path = _reset_link(smtp_server, learner.email)
    for password, message in [("short", "at least 12"),
                              ("qwertyuiop123", "too easy to guess")]:
        response = post_form(client, path, {"password": password, "confirm": password})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    mismatch = post_form(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "The two passwords are different." in mismatch.get_data(as_text=True)
    long_password = "ความยุติธรรม " * 60  # long and Unicode, kept whole
    assert post_form(client, path, {"password": long_password,
                                    "confirm": long_password}).status_code == 302
    db.session.expire_all()
    from lms.accounts.services import authenticate
    assert authenticate(learner.email, long_password) is not None
    assert db.session.get(User, learner.id).session_version == 2
