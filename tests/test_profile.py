"""The learner's profile: audited name, current password for changes, email by a link."""
from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from tests.fixtures.app import post_form
from tests.fixtures.mail import path_of, text_of
from tests.fixtures.users import PASSWORD, login

NEW_PASSWORD = "a brand new passphrase for the river"
PROFILE = {"name": "สมชาย ใจดีมาก", "organisation": "Court of Appeal", "country": "TH",
           "sector": "judiciary", "sex": "male"}


def _me(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_the_profile_page_has_every_part(db, learner_client):
    page = learner_client.get("/account").get_data(as_text=True)
    for text in ("Profile", "Language and time zone", "Email address", "Password",
                 "Certificates already issued keep the name they were issued with",
                 "ask an administrator to re-issue it", 'value="สมชาย ใจดี"'):
        assert text in page, text
    assert page.count('id="password"') == 1  # one id per page, though two forms ask


def test_language_and_time_zone_still_save(db, learner_client, learner):
    response = post_form(learner_client, "/account", {"locale": "en",
                                                      "timezone": "Asia/Yangon"})
    assert response.status_code == 302
    assert _me(db, learner).timezone == "Asia/Yangon"
    bad = post_form(learner_client, "/account", {"locale": "en", "timezone": "Mars/Base"})
    assert bad.status_code == 422


def test_editing_the_profile_audits_the_name(db, learner_client, learner):
    response = post_form(learner_client, "/account/profile", PROFILE)
    assert response.status_code == 302
    me = _me(db, learner)
    assert (me.name, me.organisation, me.sex) == ("สมชาย ใจดีมาก", "Court of Appeal", "male")
    [event] = _events(db, "user.name_changed")
    assert event.data["from"] == "สมชาย ใจดี" and event.data["to"] == "สมชาย ใจดีมาก"
    assert event.actor_id == learner.id
    # Saving again with the same name records nothing more.
    post_form(learner_client, "/account/profile", PROFILE)
    assert len(_events(db, "user.name_changed")) == 1


def test_bad_profile_input_changes_nothing(db, learner_client, learner):
    cases = [({"country": "US"}, 422), ({"sector": "'; DROP TABLE users; --"}, 422),
             ({"name": ""}, 422), ({"name": "ก" * 151}, 422), ({"name": "A\u202eB"}, 422),
             ({"organisation": "x" * 50_000}, 422), ({"name": "A\x00B"}, 400)]
    for change, status in cases:
        response = post_form(learner_client, "/account/profile", {**PROFILE, **change})
        assert response.status_code == status, change
    assert _me(db, learner).name == "สมชาย ใจดี"
    assert _events(db, "user.name_changed") == []


def test_html_in_a_name_is_shown_as_text(db, learner_client, learner):
    post_form(learner_client, "/account/profile", {**PROFILE, "name": "<b>Somchai</b>"})
    page = learner_client.get("/account").get_data(as_text=True)
    assert "<b>Somchai</b>" not in page and "&lt;b&gt;Somchai&lt;/b&gt;" in page


def test_changing_the_password_needs_the_current_one(app, db, learner_client, learner,
                                                     outbox):
    other = app.test_client()
    login(other, learner)
    wrong = post_form(learner_client, "/account/password", {
        "current": "not my password at all", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert "Your current password is not correct." in wrong.get_data(as_text=True)
    weak = post_form(learner_client, "/account/password", {
        "current": PASSWORD, "password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422
    ok = post_form(learner_client, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert ok.status_code == 302
    assert learner_client.get("/dashboard").status_code == 200  # this browser stays in
    assert other.get("/dashboard").status_code == 302  # every other session ended
    login(app.test_client(), learner, NEW_PASSWORD)
    assert len(_events(db, "user.password_changed")) == 1
    assert outbox.to(learner.email)[-1]["Subject"] == "Your password was changed"


def test_wrong_current_passwords_are_limited(db, learner_client):
    for _ in range(10):
        post_form(learner_client, "/account/password", {
            "current": "guess guess guess", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    refused = post_form(learner_client, "/account/password", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "Too many wrong passwords" in refused.get_data(as_text=True)


def test_a_new_email_is_confirmed_by_a_link_sent_to_it(app, db, learner_client, learner,
                                                       outbox):
    old_email = learner.email
    wrong = post_form(learner_client, "/account/email", {
        "new_email": "new@example.org", "email_password": "not my password at all"})
    assert wrong.status_code == 422 and outbox.messages() == []

    asked = post_form(learner_client, "/account/email", {
        "new_email": "New@Example.org", "email_password": PASSWORD}, follow_redirects=True)
    assert "We sent a link to new@example.org" in asked.get_data(as_text=True)
    [notice] = outbox.to(learner.email)
    assert "new@example.org" in text_of(notice)  # the old address is told
    assert _me(db, learner).email == learner.email  # nothing changed yet
    path = path_of(outbox.last_link("new@example.org"))

    elsewhere = app.test_client()  # opened from the mail program: not signed in there
    assert "new@example.org" in elsewhere.get(path).get_data(as_text=True)
    done = post_form(elsewhere, path)
    assert done.status_code == 302 and done.headers["Location"].startswith("/login")
    assert _me(db, learner).email == "new@example.org"
    [event] = _events(db, "user.email_changed")
    assert event.data == {"from": old_email, "to": "new@example.org"}
    assert elsewhere.get(path).status_code == 410
    me = _me(db, learner)
    login(app.test_client(), me)


def test_an_address_another_account_uses_is_not_taken_over(db, learner_client, learner,
                                                           make_user, outbox):
    other = make_user(email="taken@example.org")
    asked = post_form(learner_client, "/account/email", {
        "new_email": other.email, "email_password": PASSWORD}, follow_redirects=True)
    assert "We sent a link to taken@example.org" in asked.get_data(as_text=True)
    [note] = outbox.to(other.email)
    assert note["Subject"] == "This email address already has an account"
    assert "/account/email/confirm/" not in text_of(note)
    assert _me(db, learner).email == learner.email


def test_an_unknown_email_link_gets_the_invalid_page(db, client):
    assert client.get("/account/email/confirm/nonsense").status_code == 410
    assert post_form(client, "/account/email/confirm/nonsense").status_code == 410


def test_profile_pages_need_a_sign_in(db, client):
    for url in ("/account/profile", "/account/password", "/account/email"):
        response = post_form(client, url, PROFILE)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_burmese_name_typed_in_zawgyi_is_refused_with_the_reason(db, learner_client,
                                                                    learner):
    zawgyi, unicode = "ေဒၚေအာင္ျမင့္ျမတ္", "ဒေါ်အောင်မြင့်မြတ်"
    refused = post_form(learner_client, "/account/profile", {**PROFILE, "name": zawgyi})
    assert refused.status_code == 422
    assert "typed in Zawgyi" in refused.get_data(as_text=True)
    assert _me(db, learner).name == "สมชาย ใจดี"
    accepted = post_form(learner_client, "/account/profile", {**PROFILE, "name": unicode})
    assert accepted.status_code == 302 and _me(db, learner).name == unicode
