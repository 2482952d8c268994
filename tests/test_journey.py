"""The whole learner journey through the test client, ending with the certificate PDF."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from lms.assessment.models import Attempt
from lms.certification.models import Certificate
from tests.fixtures.app import post_form
from tests.helpers import correct_answers, post_attempt, start_attempt
from tests.pdf import pdf_fonts, pdf_text

THAI_NAME = "สมหญิง รักษ์ความยุติธรรม"


def test_learner_journey_to_verified_certificate(app, db, client, shipped_courses, admin,
                                                 tmp_path, outbox):
    # 1. The catalogue shows the three launch courses to a visitor.
    page = client.get("/").get_data(as_text=True)
    for course in shipped_courses.values():
        assert course.title in page
    assert len(shipped_courses) == 3

    # Register with a Thai name, exactly as it should be printed.
    response = post_form(client, "/register", {
        "name": THAI_NAME, "email": "Somying@Example.org",
        "password": "ยุติธรรม for every survivor", "confirm": "ยุติธรรม for every survivor",
        "sex": "female", "country": "TH", "sector": "judiciary", "organisation": ""})
    assert response.status_code == 302
    # The link in the email confirms the address and signs the new learner in.
    confirm = urlsplit(outbox.last_link("somying@example.org")).path
    assert post_form(client, confirm).status_code == 302

    # 2. Enrol, read every lesson, mark each complete; progress shows on course and dashboard.
    slug = "non-punishment-principle"
    course = shipped_courses[slug]
    assert post_form(client, f"/courses/{slug}/enrol").status_code == 302
    course_page = client.get(f"/courses/{slug}").get_data(as_text=True)
    assert "0 of" in course_page and "Start the first lesson" in course_page
    lesson_links = re.findall(rf'href="(/courses/{slug}/lessons/[a-z0-9-]+)"', course_page)
    lesson_links = list(dict.fromkeys(lesson_links))
    assert len(lesson_links) >= 4
    for number, link in enumerate(lesson_links, start=1):
        page = client.get(link + "?note=read")
        assert page.status_code == 200
        assert post_form(client, link + "/complete").status_code == 302
        if number == 1:
            dashboard = client.get("/dashboard").get_data(as_text=True)
            assert f"1 of {len(lesson_links)} lessons" in dashboard
            # Continues where they left off: the next lesson, not the first.
            assert "Continue:" in client.get(f"/courses/{slug}").get_data(as_text=True)
    assert "100%" in client.get("/dashboard").get_data(as_text=True)

    # 3. The quiz: the answer key never reaches the browser; graded on the server.
    attempt_id = start_attempt(client, slug)
    attempt_url = f"/attempts/{attempt_id}"
    quiz_page = client.get(attempt_url).get_data(as_text=True)
    assert "correct" not in quiz_page.lower().replace("correct horse", "")
    assert "feedback" not in quiz_page.lower()
    finish = post_attempt(client, attempt_id, {**correct_answers(attempt_id), "action": "finish"})
    assert finish.status_code == 302 and finish.headers["Location"].endswith("/result")
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "finished" and attempt.passed and attempt.score == 100.0
    assert len(attempt.draw["questions"]) >= 5

    # 4. An admin sees the learner under "ready for a certificate" and issues.
    admin_client = app.test_client()
    from tests.fixtures.users import login
    login(admin_client, admin)
    index = admin_client.get("/admin/certificates").get_data(as_text=True)
    assert "1 person is ready" in index
    ready = admin_client.get(f"/admin/courses/{slug}/certificates/ready").get_data(as_text=True)
    assert THAI_NAME in ready
    post_form(admin_client, f"/admin/courses/{slug}/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    assert re.fullmatch(r"CoE-\d{4}-\d{6}", certificate.serial)
    assert len(certificate.code) >= 16  # 80 bits in base32

    # 5. The learner downloads the PDF: the Thai name in the text, a Thai font embedded.
    pdf = client.get(f"/certificates/{certificate.serial}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data, tmp_path)
    # pdftotext puts spaces between Thai glyph runs (Thai has no word spaces): compare
    # without whitespace.
    assert "".join(THAI_NAME.split()) in "".join(text.split())
    assert course.title in " ".join(text.split())
    assert certificate.serial in text
    fonts = pdf_fonts(pdf.data, tmp_path)
    assert re.search(r"Noto-S\w+-Thai", fonts), fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # embedded

    # 6. Anyone can verify; revoking says "revoked", never "invalid".
    anonymous = app.test_client()
    verify = anonymous.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert THAI_NAME in verify and "valid" in verify and "somying@example.org" not in verify
    data = anonymous.get(f"/verify/{certificate.code}.json").get_json()
    assert data["status"] == "issued" and data["holder"] == THAI_NAME
    assert set(data) == {"holder", "course", "cpd_hours", "serial", "issued_on", "status",
                         "revoked_on", "expires_on", "replaced_by", "replaces", "renewal",
                         "issuer", "cosigners", "links"}
    assert set(data["links"]) == {"credential", "status_list", "status_list_index", "issuer",
                                  "keys"}
    assert anonymous.get("/verify/aaaaaaaaaaaaaaaa").status_code == 404
    post_form(admin_client, f"/admin/certificates/{certificate.id}/revoke",
              {"reason": "Issued to the wrong course"})
    verify = anonymous.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "revoked" in verify and "invalid" not in verify.lower()
    assert anonymous.get(f"/verify/{certificate.code}.json").get_json()["status"] == "revoked"
