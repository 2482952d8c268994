"""Invitations through a real SMTP server: accept, expired, used, replaced, resend."""
from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.tokens import AccountToken
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from tests.fixtures.app import post_form
from tests.fixtures.csv.make_fixtures import HEADER, csv_text
from tests.fixtures.mail import links_in, path_of
from tests.fixtures.users import login
from tests.test_cohorts import make_cohort

PASSWORD = "the river runs past the old mill"


def invite(admin_client, cohort, *people: tuple[str, str]) -> None:
    """Import these (email, name) into the cohort through the pages, and confirm."""
    data = csv_text([HEADER, *([email, name, "TH", "police", "female", ""]
                               for email, name in people)]).encode()
    response = post_form(admin_client, f"/cohorts/{cohort.id}/import",
                         {"file": (io.BytesIO(data), "people.csv")},
                         content_type="multipart/form-data")
    confirm = post_form(admin_client, response.headers["Location"] + "/confirm")
    assert confirm.status_code == 302


def invitation_path(smtp_server, email: str, nth: int = -1) -> str:
    received = smtp_server.messages_to(email)[nth]
    [link] = [u for u in links_in(received.message) if "/invitation/" in u]
    assert link.startswith("http://lms.example.org/invitation/")  # BASE_URL, not Host
    return path_of(link)


def person(db, email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_accepting_sets_the_password_and_signs_in(app, db, admin_client, smtp_server, client):
    cohort = make_cohort("Thai judges, 2027")
    invite(admin_client, cohort, ("somchai@example.org", "สมชาย ใจดี"))
    [received] = smtp_server.messages_to("somchai@example.org")
    # In the person's language: Thai, from their country (no language of their own yet).
    assert received.subject == "คุณได้รับเชิญเข้าร่วม “Thai judges, 2027” บน CoE Learning"
    assert "สมชาย ใจดี" in received.text and "<img" not in received.html
    path = invitation_path(smtp_server, "somchai@example.org")
    assert path in received.html

    # Before accepting, no password signs in.
    refused = post_form(client, "/login", {"email": "somchai@example.org",
                                           "password": "!invited"})
    assert refused.status_code == 401

    # Opening the link uses nothing (a mail scanner may fetch it).
    assert client.get(path).status_code == 200
    page = client.get(path).get_data(as_text=True)
    assert "Choose a password" in page and "somchai@example.org" in page
    weak = post_form(client, path, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    differ = post_form(client, path, {"password": PASSWORD, "confirm": PASSWORD + "!"})
    assert differ.status_code == 422

    done = post_form(client, path, {"password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/dashboard"
    assert "Your password is set" in client.get("/dashboard").get_data(as_text=True)
    user = person(db, "somchai@example.org")
    assert user.accepted_at is not None
    assert db.session.scalar(sa.select(AuditEvent.actor_id).where(
        AuditEvent.action == "user.invitation_accepted")) == user.id

    # The link is spent: it says so and points to signing in; the password works.
    again = app.test_client().get(path)
    assert again.status_code == 200
    assert "You have accepted this invitation already" in again.get_data(as_text=True)
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"email": user.email, "password": PASSWORD}
                     ).status_code == 302


def test_an_expired_link_says_when_and_how_to_get_a_new_one(db, admin_client, smtp_server,
                                                          client):
    cohort = make_cohort()
    invite(admin_client, cohort, ("late@example.org", "Late Person"))
    path = invitation_path(smtp_server, "late@example.org")
    token = db.session.scalar(sa.select(AccountToken).where(AccountToken.purpose == "invite"))
    assert token.expires_at - token.created_at == timedelta(days=14)
    token.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    for response in (client.get(path),
                     post_form(client, path, {"password": PASSWORD, "confirm": PASSWORD})):
        assert response.status_code == 410
        page = response.get_data(as_text=True)
        assert "It expired on" in page and "send you a new invitation" in page
        assert "/password/forgot" in page
    assert person(db, "late@example.org").accepted_at is None


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
        app, db, admin_client, admin, smtp_server, client):
    cohort = make_cohort("Prosecutors, Chiang Mai")
    invite(admin_client, cohort, ("aung@example.org", "အောင်ကိုကို"),
           ("sokha@example.org", "សុខា ចាន់"))
    old = invitation_path(smtp_server, "aung@example.org")

    listed = admin_client.get("/admin/invitations").get_data(as_text=True)
    assert "အောင်ကိုကို" in listed and "សុខា ចាន់" in listed and "Works until" in listed
    user = person(db, "aung@example.org")
    back = f"/cohorts/{cohort.id}/invitations"
    response = post_form(admin_client, f"/admin/invitations/{user.id}/resend", {"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    smtp_server.wait_for(3)
    resent = smtp_server.messages_to("aung@example.org")
    assert len(resent) == 2 and "Prosecutors, Chiang Mai" in resent[-1].subject
    new = invitation_path(smtp_server, "aung@example.org")
    assert new != old
    assert db.session.scalar(sa.select(AuditEvent.actor_id).where(
        AuditEvent.action == "user.invitation_resent")) == admin.id

    replaced = client.get(old)
    assert replaced.status_code == 410
    assert "A newer invitation was sent" in replaced.get_data(as_text=True)
    assert post_form(client, new, {"password": PASSWORD, "confirm": PASSWORD}
                     ).status_code == 302

    # Accepted people leave both lists; resending to them is refused with a reason.
    listed = admin_client.get(back).get_data(as_text=True)
    assert "အောင်ကိုကို" not in listed and "សុខា ចាន់" in listed
    refused = post_form(admin_client, f"/admin/invitations/{user.id}/resend",
                        follow_redirects=True)
    assert "accepted the invitation already" in refused.get_data(as_text=True)
    assert len(smtp_server.messages_to("aung@example.org")) == 2


def test_the_cohort_list_shows_only_its_own_people(db, admin_client, smtp_server):
    first, second = make_cohort("First"), make_cohort("Second")
    invite(admin_client, first, ("one@example.org", "One Person"))
    invite(admin_client, second, ("two@example.org", "Two Person"))
    page = admin_client.get(f"/cohorts/{first.id}/invitations").get_data(as_text=True)
    assert "One Person" in page and "Two Person" not in page
    cohort_page = admin_client.get(f"/cohorts/{first.id}").get_data(as_text=True)
    assert "1 has not accepted the invitation" in cohort_page


def test_unknown_links_and_who_may_resend(app, db, admin_client, learner_client, learner,
                                          smtp_server, client):
    for path in ("/invitation/not-a-token", "/invitation/" + "x" * 300):
        response = client.get(path)
        assert response.status_code == 410
        assert "The link is not complete" in response.get_data(as_text=True)
    cohort = make_cohort()
    invite(admin_client, cohort, ("someone@example.org", "Someone"))
    target = person(db, "someone@example.org")
    assert learner_client.get("/admin/invitations").status_code == 403
    assert post_form(learner_client, f"/admin/invitations/{target.id}/resend"
                     ).status_code == 403
    assert post_form(admin_client, "/admin/invitations/999999/resend").status_code == 404
    # Without the form's token, nothing is sent.
    assert admin_client.post(f"/admin/invitations/{target.id}/resend").status_code == 400
    assert len(smtp_server.messages_to("someone@example.org")) == 1


def test_a_person_signed_in_elsewhere_gets_a_fresh_session(app, db, admin_client,
                                                          smtp_server, learner):
    cohort = make_cohort()
    invite(admin_client, cohort, ("new@example.org", "New Person"))
    path = invitation_path(smtp_server, "new@example.org")
    shared = app.test_client()
    login(shared, learner)  # a shared office computer, someone else still signed in
    post_form(shared, path, {"password": PASSWORD, "confirm": PASSWORD})
    page = shared.get("/account").get_data(as_text=True)
    assert "new@example.org" in page or "New Person" in page
    assert learner.name not in page


def test_html_in_a_name_is_text_in_the_email(db, admin_client, smtp_server):
    cohort = make_cohort("<i>Cohort</i>")
    invite(admin_client, cohort, ("bold@example.org", "<b>Bold</b> Person"))
    [received] = smtp_server.messages_to("bold@example.org")
    assert "<b>Bold</b>" not in received.html and "&lt;b&gt;Bold&lt;/b&gt;" in received.html
    assert "&lt;i&gt;Cohort&lt;/i&gt;" in received.html
    assert "<b>Bold</b> Person" in received.text  # plain text is shown as it is
