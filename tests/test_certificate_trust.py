"""Certificates people can trust: revoked stays revoked, the verify address follows the
configured base URL, every name prints inside its box, and the PDF is tagged and linked."""
from __future__ import annotations

import subprocess
from collections import Counter

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.accounts.services import NAME_MAX
from lms.certification.models import Certificate
from lms.certification.render import render_pdf
from lms.core.audit import AuditEvent
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.helpers import complete_course
from tests.pdf import pdf_fonts, pdf_info, pdf_text, pdf_urls, pdf_words
from tests.test_certificates import ROOT_TEMPLATES, URL, _snapshot


@pytest.fixture
def completed(app, tiny_course, learner_client):
    complete_course(learner_client, tiny_course)
    return tiny_course


def _certificates(db) -> list[Certificate]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()


def _revoke(admin_client, certificate: Certificate, reason: str = "Issued by mistake"):
    return post_form(admin_client, f"/admin/certificates/{certificate.id}/revoke",
                     {"reason": reason})


def test_a_revoked_learner_is_never_reissued_by_a_bulk_action(db, completed, admin_client,
                                                               learner):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    [first] = _certificates(db)
    _revoke(admin_client, first)
    page = admin_client.get("/admin/certificates").get_data(as_text=True)
    ready = page.split("Ready for a certificate")[1].split("<h2>")[0]
    assert learner.name not in ready  # not "ready" again
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    assert [c.status for c in _certificates(db)] == ["revoked"]
    # Issuing to that one learner is refused too, and says what to do instead.
    enrolment_id = db.session.scalar(sa.select(Enrolment.id))
    single = post_form(admin_client, "/admin/certificates/issue", {"enrolment_id": enrolment_id},
                       follow_redirects=True).get_data(as_text=True)
    assert "was revoked" in single and "Re-issue" in single
    assert len(_certificates(db)) == 1


def test_reissue_is_deliberate_with_a_reason_and_audited(db, completed, admin_client, learner):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    [first] = _certificates(db)
    _revoke(admin_client, first, "Name misspelt")
    learner.name = "สมชาย ใจดีมาก"
    db.session.commit()
    refused = post_form(admin_client, f"/admin/certificates/{first.id}/reissue",
                        {"reason": "   "}, follow_redirects=True)
    assert "Give a reason for re-issuing" in refused.get_data(as_text=True)
    assert len(_certificates(db)) == 1
    post_form(admin_client, f"/admin/certificates/{first.id}/reissue",
              {"reason": "Name corrected"})
    old, new = _certificates(db)
    assert (old.status, new.status) == ("revoked", "issued")
    assert new.replaces_id == old.id and new.snapshot["name"] == "สมชาย ใจดีมาก"
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "certificate.reissued"))
    assert event.target_id == new.id and event.data["replaces"] == old.serial
    assert event.data["reason"] == "Name corrected"
    # Once re-issued, the revoked certificate offers no second re-issue.
    post_form(admin_client, f"/admin/certificates/{first.id}/reissue", {"reason": "again"})
    assert len(_certificates(db)) == 2
    page = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert f"/admin/certificates/{first.id}/reissue" not in page


def test_the_verify_address_follows_the_configured_base_url(app, db, completed, admin_client,
                                                            learner_client, tmp_path):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    [certificate] = _certificates(db)
    assert "verify_url" not in certificate.snapshot  # the code is stored, not the host
    app.config["BASE_URL"] = "https://learn.coe.example"
    try:
        pdf = learner_client.get(f"/certificates/{certificate.serial}.pdf").data
    finally:
        app.config["BASE_URL"] = "http://lms.example.org"
    expected = f"https://learn.coe.example/verify/{certificate.code}"
    assert expected in pdf_text(pdf, tmp_path)
    assert expected in pdf_urls(pdf, tmp_path)  # a real link, not only text


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:5000", "http://localhost:8000",
                                      "http://[::1]/", "http://0.0.0.0"])
def test_issuing_is_refused_while_the_base_url_is_this_computer(app, db, completed,
                                                                admin_client, base_url):
    app.config["BASE_URL"] = base_url
    try:
        page = post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all",
                         follow_redirects=True).get_data(as_text=True)
        assert "LMS_BASE_URL" in page and "an address of this computer" in page
        assert _certificates(db) == []
        app.config["DEMO"] = True  # make run: a local demo may print local QR codes
        post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
        assert len(_certificates(db)) == 1
    finally:
        app.config["BASE_URL"] = "http://lms.example.org"
        app.config["DEMO"] = False


def test_the_pdf_is_tagged_pdf_ua_with_title_and_language(tmp_path):
    pdf = render_pdf(_snapshot("Nguyễn Thị Hoa"), root=ROOT_TEMPLATES, verify_url=URL)
    info = pdf_info(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "CoE-2026-000001: Nguyễn Thị Hoa"
    assert info["Metadata Stream"] == "yes"  # where PDF/UA declares itself
    assert URL in pdf_urls(pdf, tmp_path)


def _colour_pixels(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(path),
                    str(tmp_path / "render")], check=True)
    pixels = Image.open(tmp_path / "render.png").convert("HSV").tobytes()
    return sum(1 for i in range(0, len(pixels), 3) if pixels[i + 1] > 120 and pixels[i + 2] > 120)


def test_emoji_in_a_name_print_in_colour_not_as_boxes(tmp_path):
    plain = render_pdf(_snapshot("Maria Santos"), root=ROOT_TEMPLATES, verify_url=URL)
    emoji = render_pdf(_snapshot("Maria Santos 🌸👩‍⚖️"), root=ROOT_TEMPLATES, verify_url=URL)
    assert "Emoji" in pdf_fonts(emoji, tmp_path)
    # A box would be drawn in the ink colour; the emoji font paints in colour.
    assert _colour_pixels(emoji, tmp_path) > _colour_pixels(plain, tmp_path) + 20
    # Digits stay in the text face (the emoji font has digits too).
    serial_font = pdf_fonts(render_pdf(_snapshot("Ana 1"), root=ROOT_TEMPLATES,
                                       verify_url=URL), tmp_path)
    assert "Emoji" not in serial_font


LONGEST = {
    "latin-wide": "W" * NAME_MAX,
    "latin": ("Maria Josefina Concepcion de los Santos Villanueva-Reyes " * 3)[:NAME_MAX],
    "thai": ("สมชายใจดีผู้พิพากษาศาลฎีกา " * 7)[:NAME_MAX],
    "khmer": "ញ" * NAME_MAX,
    "myanmar": ("မောင်မောင်ကျော်စွာ " * 9)[:NAME_MAX],
    "vietnamese": ("Nguyễn Thị Phương Thảo " * 7)[:NAME_MAX],
}


@pytest.mark.parametrize("script", list(LONGEST))
def test_the_longest_allowed_name_fits_its_box(tmp_path, script):
    name = LONGEST[script]
    snapshot = {**_snapshot(name), "course_title": "Trafficking in persons adjudication " * 5}
    pdf = render_pdf(snapshot, root=ROOT_TEMPLATES, verify_url=URL)
    assert pdf_info(pdf, tmp_path)["Pages"] == "1"
    words, width, height = pdf_words(pdf, tmp_path)
    above = next(w for w in words if w.text == "that")  # "This certifies that"
    below = next(w for w in words if w.text == "has")  # "has completed the course"
    pieces = [w for w in words if w.text in name and w.y0 > above.y1 - 1 and w.y1 < below.y0]
    # Every letter of the name is there (poppler may reorder marks within a cluster).
    assert Counter("".join(w.text for w in pieces)) == Counter(name.replace(" ", ""))
    others = [w for w in words if w not in pieces]
    for piece in pieces:
        assert above.y1 < piece.y0 and piece.y1 < below.y0, (piece, above, below)
        assert piece.x0 > 0 and piece.x1 < width
        assert not any(piece.overlaps(other) for other in others), piece
    # Nor does anything else on the page overlap (a name's own marks sit on its letters).
    for i, word in enumerate(others):
        assert not any(word.overlaps(other) for other in others[i + 1:]), word
