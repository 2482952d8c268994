"""The certificate name is a record: old ones keep it; an admin re-issues with a reason."""
from __future__ import annotations

import sqlalchemy as sa

from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from tests.fixtures.app import post_form
from tests.helpers import complete_course
from tests.pdf import pdf_text

OLD, NEW = "สมชาย ใจดี", "สมชาย ใจดีมาก"
PROFILE = {"name": NEW, "organisation": "", "country": "TH", "sector": "judiciary",
           "sex": "female"}


def _certificates(db) -> list[Certificate]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Certificate).order_by(Certificate.id)))


def _flat(text: str) -> str:
    return "".join(text.split())  # PDF text may break a line inside a Thai name


def _issued(db, tiny_course, learner_client, admin_client) -> Certificate:
    complete_course(learner_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    [certificate] = _certificates(db)
    return certificate


def test_a_name_change_leaves_issued_certificates_as_they_were(db, tiny_course, learner,
                                                              learner_client, admin_client,
                                                              client, tmp_path):
    certificate = _issued(db, tiny_course, learner_client, admin_client)
    assert post_form(learner_client, "/account/profile", PROFILE).status_code == 302
    pdf = learner_client.get(f"/certificates/{certificate.serial}.pdf").data
    assert _flat(OLD) in _flat(pdf_text(pdf, tmp_path))
    assert _flat(NEW) not in _flat(pdf_text(pdf, tmp_path))
    verify = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert OLD in verify and NEW not in verify
    assert _certificates(db)[0].snapshot["name"] == OLD


def test_an_admin_reissues_a_valid_certificate_with_the_new_name(db, tiny_course, learner,
                                                                 learner_client, admin_client,
                                                                 client, tmp_path):
    old = _issued(db, tiny_course, learner_client, admin_client)
    post_form(learner_client, "/account/profile", PROFILE)
    page = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert f"/admin/certificates/{old.id}/reissue" in page  # offered on a valid one too

    refused = post_form(admin_client, f"/admin/certificates/{old.id}/reissue",
                        {"reason": "  "}, follow_redirects=True)
    assert "Give a reason for re-issuing" in refused.get_data(as_text=True)
    assert len(_certificates(db)) == 1

    post_form(admin_client, f"/admin/certificates/{old.id}/reissue",
              {"reason": "Name corrected at the holder's request"})
    old, new = _certificates(db)
    assert (old.status, new.status) == ("revoked", "issued")
    assert old.revoke_reason == "Name corrected at the holder's request"
    assert new.replaces_id == old.id
    assert (old.snapshot["name"], new.snapshot["name"]) == (OLD, NEW)
    pdf = learner_client.get(f"/certificates/{new.serial}.pdf").data
    assert _flat(NEW) in _flat(pdf_text(pdf, tmp_path))
    assert "revoked" in client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "This certificate is valid." in client.get(f"/verify/{new.code}").get_data(
        as_text=True)

    events = {e.action: e for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.target_type == "certificate"))}
    assert events["certificate.reissued"].data["replaces"] == old.serial
    assert events["certificate.reissued"].data["reason"] == \
        "Name corrected at the holder's request"
    assert events["certificate.revoked"].data["replaced"] is True

    # The replaced one is not re-issued a second time.
    again = post_form(admin_client, f"/admin/certificates/{old.id}/reissue",
                      {"reason": "again"}, follow_redirects=True)
    assert "was re-issued already" in again.get_data(as_text=True)
    assert len(_certificates(db)) == 2


def test_a_learner_cannot_reissue(db, tiny_course, learner_client, admin_client):
    old = _issued(db, tiny_course, learner_client, admin_client)
    assert post_form(learner_client, f"/admin/certificates/{old.id}/reissue",
                     {"reason": "mine"}).status_code == 403
    assert len(_certificates(db)) == 1
