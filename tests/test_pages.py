"""Glossary, support page with admin-kept hotlines, and course references pages."""
from __future__ import annotations

import sqlalchemy as sa

from lms.catalog.models import SupportContact
from lms.core.audit import AuditEvent
from tests.fixtures.app import post_form


def test_glossary_and_support_pages_come_from_shared_files(client, shipped_courses):
    glossary = client.get("/glossary").get_data(as_text=True)
    for anchor in ("trafficking-in-persons", "child-rule", "non-punishment-principle",
                   "secondary-victimisation", "victim-sensitive-court"):
        assert f'id="{anchor}"' in glossary
    support = client.get("/support").get_data(as_text=True)
    assert "Where to find help" in support and "emergency" in support


def test_references_page_of_each_course(client, shipped_courses):
    for slug in shipped_courses:
        page = client.get(f"/courses/{slug}/references")
        assert page.status_code == 200
        assert "Protocol" in page.get_data(as_text=True)
        assert f'href="/courses/{slug}/references"' in client.get(
            f"/courses/{slug}").get_data(as_text=True)


def test_admin_adds_and_removes_a_hotline(db, client, admin_client):
    response = post_form(admin_client, "/admin/support", {
        "country": "TH", "name": '<script>alert("x")</script> Hotline', "phone": "+66 1300",
        "hours": "24 hours", "note": "Thai, English"})
    assert response.status_code == 302
    page = client.get("/support").get_data(as_text=True)
    assert "&lt;script&gt;" in page and '<script>alert("x")' not in page
    assert 'href="tel:+661300"' in page and "Thailand" in page
    contact = db.session.scalar(sa.select(SupportContact))
    post_form(admin_client, f"/admin/support/{contact.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(SupportContact.id))) == 0
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"support_contact.added", "support_contact.removed"} <= actions


def test_bad_hotline_input_is_refused_with_a_message(db, admin_client):
    for data, message in [({"country": "TH", "name": "", "phone": "1"}, "Give the service"),
                          ({"country": "TH", "name": "X", "phone": "call me"}, "digits"),
                          ({"country": "ZZ", "name": "X"}, "Not a valid choice"),
                          ({"country": "TH", "name": "X" * 300}, "200")]:
        response = post_form(admin_client, "/admin/support", data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SupportContact.id))) == 0


def test_learner_cannot_manage_hotlines(learner_client):
    assert learner_client.get("/admin/support").status_code == 403
    assert post_form(learner_client, "/admin/support", {"country": "TH",
                                                        "name": "X"}).status_code == 403
