"""A certificate's life: expiry, the reminder, renewal by a refresher course, revocation
as the public, the holder and admins see it; verification by upload; privacy."""
from __future__ import annotations

import io
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.catalog.models import Course
from lms.certification.lifetime import send_expiry_reminders
from lms.certification.models import Certificate
from lms.core.audit import AuditEvent
from lms.core.db import utcnow
from tests.fixtures.app import post_form
from tests.fixtures.courses import FIXTURES, sync_folder
from tests.fixtures.users import login
from tests.helpers import complete_course


@pytest.fixture
def holder(make_user):
    return make_user("learner", name="Nguyễn Thị Hương", email="huong.private@example.org",
                     organisation="Supreme People's Court of Viet Nam")


@pytest.fixture
def holder_client(app, holder):
    client = app.test_client()
    login(client, holder)
    return client


@pytest.fixture
def issued(db, tiny_course, holder_client, admin_client):
    db.session.get(Course, tiny_course.id).certificate = {"validity_months": 36,
                                                           "remind_days": 60}
    db.session.commit()
    complete_course(holder_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    return db.session.scalar(sa.select(Certificate))


def _page(client, certificate) -> str:
    return client.get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_the_verify_page_and_json_show_only_public_facts(issued, client, holder):
    html = _page(client, issued)
    data = client.get(f"/verify/{issued.code}.json").get_json()
    assert "This certificate is valid." in html and holder.name in html
    assert data["holder"] == holder.name and data["status"] == "issued"
    assert data["expires_on"] == issued.snapshot["expires_on"]
    assert data["links"]["status_list"].endswith(f"/credentials/status/{issued.status_year}")
    assert data["links"]["status_list_index"] == issued.status_index
    assert client.get(data["links"]["credential"]).get_data(as_text=True) == issued.credential
    for private in (holder.email, "huong.private", holder.organisation, "Supreme People"):
        assert private not in html and private not in json.dumps(data)
        assert private not in client.get(data["links"]["credential"]).get_data(as_text=True)
    assert "user_id" not in json.dumps(data) and holder.id not in data.values()


def test_expired_is_neither_invalid_nor_revoked(issued, db, client):
    issued.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    html = _page(client, issued)
    assert "expired on" in html and "revoked" not in html
    assert client.get(f"/verify/{issued.code}.json").get_json()["status"] == "expired"


def test_revocation_shows_its_date_to_all_and_its_reason_to_the_holder(
        issued, client, admin_client, holder_client):
    post_form(admin_client, f"/admin/certificates/{issued.id}/revoke",
              {"reason": "Completion recorded in error"})
    html = _page(client, issued)
    assert "was revoked on" in html and "recorded in error" not in html
    assert "recorded in error" not in json.dumps(client.get(
        f"/verify/{issued.code}.json").get_json())
    assert "Completion recorded in error" in holder_client.get("/certificates").get_data(
        as_text=True)
    assert "Completion recorded in error" in admin_client.get(
        "/admin/certificates").get_data(as_text=True)


@pytest.fixture
def refresher(tmp_path):
    """A short course that renews the tiny course's certificates."""
    folder = tmp_path / "tiny-refresher"
    shutil.copytree(FIXTURES / "good" / "tiny-course", folder)
    toml = folder / "course.toml"
    toml.write_text(toml.read_text().replace('title = "Tiny course"',
                                             'title = "Tiny refresher"')
                    + '\n[certificate]\nrenews = "tiny-course"\n')
    sync_folder(folder, archive_missing=False)
    return folder.name


def test_completing_the_refresher_renews_the_certificate(issued, db, refresher, client,
                                                          holder_client):
    refresher_course = db.session.scalar(sa.select(Course).where(Course.slug == refresher))
    issued.expires_at = utcnow() + timedelta(days=20)  # inside the 60-day window
    db.session.commit()
    complete_course(holder_client, refresher_course)
    db.session.expire_all()
    old = db.session.get(Certificate, issued.id)
    new = db.session.scalar(sa.select(Certificate).where(Certificate.replaces_id == old.id))
    assert old.status == "renewed" and new.status == "issued"
    assert new.snapshot["replaces"] == old.serial and new.snapshot["renewal"] is True
    assert new.expires_at > old.expires_at + timedelta(days=365 * 2)
    old_page = _page(client, old)
    assert "was renewed" in old_page and new.serial in old_page
    assert client.get(f"/verify/{old.code}.json").get_json()["replaced_by"]["serial"] == (
        new.serial)
    assert "Renews" in _page(client, new) and old.serial in _page(client, new)
    assert db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "certificate.renewed")).data["renews"] == old.serial


def test_a_refresher_long_before_expiry_renews_nothing(issued, db, refresher, holder_client):
    complete_course(holder_client, db.session.scalar(sa.select(Course).where(
        Course.slug == refresher)))
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id)).where(
        Certificate.course_id == issued.course_id)) == 1


def test_the_holder_is_reminded_once_before_expiry(issued, db, smtp_server, holder, refresher):
    issued.expires_at = utcnow() + timedelta(days=30)
    db.session.commit()
    assert send_expiry_reminders() == 1
    assert send_expiry_reminders() == 0  # marked in the transaction that queued it
    [mail] = smtp_server.wait_for(1)
    assert mail.to == holder.email and issued.serial in mail.text
    assert "Tiny refresher" in mail.text and "/courses/tiny-refresher" in mail.text


def test_the_verify_upload_checks_pdf_and_json(issued, client, holder_client, tmp_path):
    pdf = holder_client.get(f"/certificates/{issued.serial}.pdf").data
    page = post_form(client, "/verify", {"file": (io.BytesIO(pdf), "c.pdf")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "Valid: the signature holds" in page and issued.serial in page
    vc = holder_client.get(f"/certificates/{issued.serial}.json").data
    forged = vc.replace(vc[vc.index(b",") + 40:vc.index(b",") + 42], b"xx")
    answer = post_form(client, "/verify", {"file": (io.BytesIO(forged), "c.json")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Not genuine" in answer
    junk = post_form(client, "/verify", {"file": (io.BytesIO(b"<b>hi</b>"),
                                                  "<img src=x>.txt")},
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "Not genuine" in junk and "<img src=x>" not in junk
    empty = post_form(client, "/verify", {}, content_type="multipart/form-data")
    assert "Choose the certificate" in empty.get_data(as_text=True)
    huge = post_form(client, "/verify", {"file": (io.BytesIO(
        b"%PDF-" + b"0" * (11 * 1024 * 1024)), "big.pdf")}, content_type="multipart/form-data")
    assert huge.status_code == 413


def test_the_certificate_table_is_checked_line_by_line(tmp_path):
    from lms.content.loader import load_catalogue

    for slug, extra in (("main", '[certificate]\nvalidity_months = 0\ncolour = "red"\n'
                                 'second_language = "xx"\ntemplate = "../etc"\n'),
                        ("refresh", '[certificate]\nrenews = "nowhere"\n'),
                        ("refresh-two", '[certificate]\nrenews = "plain"\n'),
                        ("plain", "")):
        folder = tmp_path / slug
        shutil.copytree(FIXTURES / "good" / "tiny-course", folder)
        toml = folder / "course.toml"
        toml.write_text(toml.read_text() + "\n" + extra)
    _specs, _shared, errors = load_catalogue(tmp_path)
    messages = [f"{Path(e.path).parent.name}:{e.line}: {e.message}" for e in errors]
    text = "\n".join(messages)
    assert "validity_months must be a whole number" in text
    assert "unknown key 'colour'" in text and "second_language must be one of" in text
    assert "template must name a folder" in text
    assert "refresh:" in text and "'nowhere', which is not another course" in text
    assert "'plain', whose certificates never expire" in text
    line = next(e.line for e in errors if "colour" in e.message)
    assert (tmp_path / "main" / "course.toml").read_text().splitlines()[line - 1].startswith(
        "colour")


def test_reminders_and_renewal_follow_a_frozen_clock(issued, db, refresher, smtp_server):
    from lms.certification.lifetime import renew_after_refresher
    from lms.learning.models import Enrolment

    expires = issued.expires_at
    assert send_expiry_reminders(now=expires - timedelta(days=61)) == 0  # not yet
    assert send_expiry_reminders(now=expires - timedelta(days=59)) == 1
    refresher_course = db.session.scalar(sa.select(Course).where(Course.slug == refresher))
    enrolment = Enrolment(user_id=issued.user_id, course_id=refresher_course.id,
                          status="completed", enrolled_at=utcnow(), completed_at=utcnow(),
                          course_version=1)
    db.session.add(enrolment)
    db.session.flush()
    assert renew_after_refresher(enrolment, now=expires - timedelta(days=90)) is None
    renewed = renew_after_refresher(enrolment, now=expires + timedelta(days=200))
    db.session.commit()
    assert renewed is not None and renewed.replaces_id == issued.id  # after expiry too
    assert db.session.get(Certificate, issued.id).status == "renewed"


def test_without_a_signing_key_issuing_is_refused_with_the_reason(db, app, tiny_course,
                                                                   admin_client, make_user,
                                                                   tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CREDENTIAL_KEYS_DIR", str(tmp_path / "none"))
    completed_learners_client = app.test_client()
    login(completed_learners_client, make_user("learner"))
    complete_course(completed_learners_client, tiny_course)
    answer = post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all",
                       follow_redirects=True).get_data(as_text=True)
    assert "there is no credential signing key in" in answer
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0


def test_a_renewal_that_cannot_be_made_never_undoes_the_learners_completion(
        issued, db, app, refresher, holder_client, tmp_path, monkeypatch):
    from lms.learning.models import Enrolment

    issued.expires_at = utcnow() + timedelta(days=20)
    db.session.commit()
    monkeypatch.setitem(app.config, "CREDENTIAL_KEYS_DIR", str(tmp_path / "lost"))
    refresher_course = db.session.scalar(sa.select(Course).where(Course.slug == refresher))
    complete_course(holder_client, refresher_course)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Enrolment.status).where(
        Enrolment.course_id == refresher_course.id)) == "completed"
    assert db.session.get(Certificate, issued.id).status == "issued"  # as it was
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
