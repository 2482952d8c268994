"""Registration: confirmed by a link, no enumeration (the owner is emailed), three modes."""
from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from tests.fixtures.app import post_form
from tests.fixtures.mail import html_of, links_in, path_of, text_of
from tests.fixtures.users import PASSWORD, login

GOOD = {"name": "Nguyễn Thị Hoa", "email": "hoa@example.org",
        "password": "a long enough passphrase", "confirm": "a long enough passphrase",
        "sex": "female", "country": "VN", "sector": "police", "organisation": "Hanoi Police"}


def _user(db, email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def _set_mode(admin_client, mode: str):
    return post_form(admin_client, "/admin/registration", {"mode": mode})


def _confirm(client, outbox, email: str):
    path = path_of(outbox.last_link(email))
    assert path.startswith("/register/confirm/")
    assert "Confirm my address" in client.get(path).get_data(as_text=True)
    return path, post_form(client, path)


def test_a_new_account_is_confirmed_by_the_link_and_then_signed_in(db, client, outbox):
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    assert "Check your email" in client.get("/register/sent").get_data(as_text=True)
    user = _user(db, "hoa@example.org")
    assert user is not None and not user.active and user.organisation == "Hanoi Police"
    # Before the link is opened, the password signs nobody in.
    assert post_form(client, "/login", {"email": GOOD["email"],
                                        "password": GOOD["password"]}).status_code == 401
    [message] = outbox.to("hoa@example.org")
    assert message["Subject"] == "Confirm your email address"
    assert "Nguyễn Thị Hoa" in text_of(message)

    path, confirmed = _confirm(client, outbox, "hoa@example.org")
    assert confirmed.status_code == 302
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Welcome, Nguyễn Thị Hoa. Your account is ready." in page and "Sign out" in page
    user = _user(db, "hoa@example.org")
    assert user.active and user.accepted_at is not None
    assert "user.registered" in _actions(db)
    assert client.get(path).status_code == 410  # used


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(db, app, learner, outbox):
    taken, new = app.test_client(), app.test_client()
    first = post_form(taken, "/register", {**GOOD, "email": learner.email.upper()})
    second = post_form(new, "/register", GOOD)
    assert (first.status_code, first.headers["Location"], first.get_data()) == \
        (second.status_code, second.headers["Location"], second.get_data())
    assert taken.get("/register/sent").get_data() == new.get("/register/sent").get_data()
    assert "already exists" not in taken.get("/register/sent").get_data(as_text=True)

    [notice] = outbox.to(learner.email)
    assert notice["Subject"] == "Someone tried to register with your email address"
    text = text_of(notice)
    assert "http://lms.example.org/login" in text
    assert "http://lms.example.org/password/forgot" in text
    # The owner's account is as it was: no new user, the name and password unchanged.
    owner = _user(db, learner.email)
    assert owner.name == "สมชาย ใจดี" and owner.active
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2  # learner + hoa
    login(app.test_client(), learner, PASSWORD)


def test_the_owners_notice_follows_the_state_of_the_account(db, client, make_user, outbox):
    waiting = make_user(active=False, pending_approval=True,
                        accepted_at=sa.func.current_timestamp())
    post_form(client, "/register", {**GOOD, "email": waiting.email})
    assert "waiting for an administrator's approval" in text_of(outbox.to(waiting.email)[0])


def test_registering_again_before_confirming_replaces_the_first_try(db, client, outbox):
    post_form(client, "/register", GOOD)
    first = path_of(outbox.last_link("hoa@example.org"))
    post_form(client, "/register", {**GOOD, "name": "Hoa Nguyen"})
    assert client.get(first).status_code == 410  # only the newest link works
    _path, confirmed = _confirm(client, outbox, "hoa@example.org")
    assert confirmed.status_code == 302
    assert _user(db, "hoa@example.org").name == "Hoa Nguyen"
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_one_address_gets_at_most_three_messages_an_hour(db, client, learner, outbox):
    for _ in range(5):
        assert post_form(client, "/register", {**GOOD, "email": learner.email}).status_code == 302
    assert len(outbox.to(learner.email)) == 3


def test_by_invitation_only_shows_no_form(db, client, admin_client):
    assert _set_mode(admin_client, "invite").status_code == 302
    page = client.get("/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Registration is by invitation only" in html and 'name="password"' not in html
    refused = post_form(client, "/register", GOOD)
    assert refused.status_code == 403
    assert _user(db, "hoa@example.org") is None
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "site.registration_mode_changed"))
    assert event.data == {"from": "open", "to": "invite"}


def test_open_with_approval(db, app, client, admin_client, outbox):
    assert _set_mode(admin_client, "approval").status_code == 302
    assert "approves each new account" in client.get("/register").get_data(as_text=True)
    post_form(client, "/register", GOOD)
    post_form(client, "/register", {**GOOD, "email": "other@example.org", "name": "Other"})
    user = _user(db, "hoa@example.org")
    assert not user.active and user.pending_approval
    # Not listed until the address is confirmed.
    assert "hoa@example.org" not in admin_client.get("/admin/registration").get_data(
        as_text=True)
    _path, confirmed = _confirm(client, outbox, "hoa@example.org")
    assert confirmed.headers["Location"] == "/"
    assert "An administrator approves new accounts" in client.get("/").get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)
    _confirm(app.test_client(), outbox, "other@example.org")
    assert post_form(client, "/login", {"email": GOOD["email"],
                                        "password": GOOD["password"]}).status_code == 401

    page = admin_client.get("/admin/registration").get_data(as_text=True)
    assert "hoa@example.org" in page and "other@example.org" in page
    hoa, other = _user(db, "hoa@example.org"), _user(db, "other@example.org")
    assert post_form(admin_client, f"/admin/registration/{hoa.id}/approve").status_code == 302
    assert post_form(admin_client, f"/admin/registration/{other.id}/refuse").status_code == 302
    hoa, other = _user(db, "hoa@example.org"), _user(db, "other@example.org")
    assert hoa.active and not hoa.pending_approval
    assert not other.active and not other.pending_approval
    assert outbox.to("hoa@example.org")[-1]["Subject"] == "Your account is ready"
    assert outbox.to("other@example.org")[-1]["Subject"] == "Your registration was not approved"
    assert {"user.approved", "user.refused"} <= set(_actions(db))
    page = admin_client.get("/admin/registration").get_data(as_text=True)
    assert "hoa@example.org" not in page and "other@example.org" not in page
    login(app.test_client(), hoa, GOOD["password"])
    # A decision is taken once.
    again = post_form(admin_client, f"/admin/registration/{hoa.id}/approve",
                      follow_redirects=True)
    assert "not waiting for approval" in again.get_data(as_text=True)


def test_registration_settings_are_for_admins(db, learner_client, client):
    assert learner_client.get("/admin/registration").status_code == 403
    assert post_form(learner_client, "/admin/registration", {"mode": "open"}).status_code == 403
    assert post_form(learner_client, "/admin/registration/1/approve").status_code == 403
    assert post_form(learner_client, "/admin/registration/1/refuse").status_code == 403
    assert client.get("/admin/registration").status_code == 302


def test_an_unknown_mode_is_refused(db, admin_client):
    assert _set_mode(admin_client, "everyone").status_code == 422


def test_hostile_names_and_huge_values(db, client, outbox):
    post_form(client, "/register", {**GOOD, "name": '<img src=x onerror="alert(1)"> Hoa'})
    [message] = outbox.to("hoa@example.org")
    html = html_of(message)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert links_in(message)
    huge = post_form(client, "/register", {**GOOD, "email": "b@example.org",
                                           "organisation": "x" * 100_000})
    assert huge.status_code == 422
    nul = post_form(client, "/register", {**GOOD, "email": "c@example.org", "name": "A\x00B"})
    assert nul.status_code == 400
    assert _user(db, "b@example.org") is None and _user(db, "c@example.org") is None
