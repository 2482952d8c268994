"""Bad input gets a clear message and changes nothing."""
from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from tests.fixtures.app import post_form
from tests.fixtures.mail import path_of
from tests.fixtures.users import PASSWORD

GOOD = {"name": "Nguyễn Thị Hoa", "email": "hoa@example.org",
        "password": "a long enough passphrase", "confirm": "a long enough passphrase",
        "sex": "female", "country": "VN", "sector": "police", "organisation": ""}


def _users(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_wrong_password_and_unknown_email_give_the_same_message(client, learner):
    wrong = post_form(client, "/login", {"email": learner.email, "password": "not it at all"})
    unknown = post_form(client, "/login", {"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    message = "The email or password is not correct."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert learner.email not in unknown.get_data(as_text=True)


def test_a_taken_email_is_not_revealed_and_no_account_is_added(client, db, learner):
    # The answer is the one a new address gets; the owner is emailed instead (see
    # test_registration_modes.py).
    response = post_form(client, "/register", {**GOOD, "email": learner.email.upper()})
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    assert "already exists" not in client.get("/register/sent").get_data(as_text=True)
    assert _users(db) == 1


def test_a_300_character_name_is_refused(client, db):
    response = post_form(client, "/register", {**GOOD, "name": "ก" * 300})
    assert response.status_code == 422
    assert "at most 150 characters" in response.get_data(as_text=True)
    assert _users(db) == 0


def test_weak_and_common_passwords_are_refused(client, db):
    for password, message in [("short", "at least 12"), ("password1234", "too easy to guess"),
                              ("qwertyuiop123", "too easy to guess"),
                              ("iloveyou2024", "too easy to guess")]:
        response = post_form(client, "/register", {**GOOD, "password": password,
                                                   "confirm": password})
        assert message in response.get_data(as_text=True)
    assert _users(db) == 0


def test_long_unicode_password_is_kept_whole(client, db, outbox):
    long_password = "ความยุติธรรม " * 20  # far beyond bcrypt's 72 bytes
    post_form(client, "/register", {**GOOD, "password": long_password,
                                    "confirm": long_password})
    post_form(client, path_of(outbox.last_link(GOOD["email"])))  # the address confirmed
    client.post("/logout")
    from lms.accounts.services import authenticate
    assert authenticate(GOOD["email"], long_password) is not None
    assert authenticate(GOOD["email"], long_password[:-2]) is None


def test_form_without_csrf_token_is_refused(client, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert _users(db) == 0


def test_script_in_name_is_inert_in_html(malicious_user, tiny_course):
    post_form(malicious_user, "/courses/tiny-course/enrol")
    page = malicious_user.get("/courses/tiny-course/lessons/first-lesson").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page  # the lesson's script, shown as text
    registered = malicious_user.get("/courses/tiny-course")
    assert '<script>alert("x")' not in registered.get_data(as_text=True)


def test_open_redirect_after_login_is_ignored(client, learner):
    response = post_form(client, "/login?next=https://evil.example/x",
                         {"email": learner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_logout_ends_the_old_session_everywhere(app, learner):
    from tests.fixtures.users import login

    first, second = app.test_client(), app.test_client()
    login(first, learner)
    login(second, learner)
    assert second.get("/dashboard").status_code == 200
    post_form(first, "/logout")
    assert second.get("/dashboard").status_code == 302  # its cookie no longer works


def test_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
