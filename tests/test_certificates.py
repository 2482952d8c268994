"""Certificates: issuing once, escaping, the restricted fetcher, access, verification."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.certification.models import Certificate
from lms.certification.render import render_pdf
from lms.core.audit import AuditEvent
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.fixtures.users import login
from tests.helpers import complete_course
from tests.pdf import pdf_fonts, pdf_text

ROOT_TEMPLATES = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "certificates")


def _snapshot(name: str) -> dict:
    return {"name": name, "course_title": "Course <b>bold</b>", "course_slug": "c",
            "course_version": 1, "cpd_hours": 2.5, "completed_on": "2026-11-28",
            "issued_on": "2026-11-28", "serial": "CoE-2026-000001", "code": "abc",
            "locale": "en"}


URL = "https://lms.example.org/verify/abc"


@pytest.fixture
def completed(app, tiny_course, learner_client):
    complete_course(learner_client, tiny_course)
    return tiny_course


def test_completion_needs_lessons_and_passed_final(db, completed, learner):
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.status == "completed" and enrolment.completed_at is not None


def test_issue_all_twice_issues_once(db, completed, admin_client):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert len(certificates) == 1
    issued = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "certificate.issued")).all()
    assert len(issued) == 1
    enrolment_id = db.session.scalar(sa.select(Enrolment.id))
    again = post_form(admin_client, "/admin/certificates/issue", {"enrolment_id": enrolment_id},
                      follow_redirects=True)
    assert "already holds a valid certificate" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_serials_count_up_and_codes_are_random(db, app, tiny_course, admin_client, make_user):
    for _ in range(3):
        client = app.test_client()
        login(client, make_user("learner"))
        complete_course(client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificates = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    numbers = [int(c.serial.rsplit("-", 1)[1]) for c in certificates]
    assert numbers == [1, 2, 3]
    assert len({c.code for c in certificates}) == 3
    assert all(re.fullmatch(r"[a-z2-7]{16}", c.code) for c in certificates)


def test_snapshot_freezes_what_was_printed(db, completed, admin_client, learner):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    learner.name = "Changed Later"
    db.session.commit()
    assert certificate.snapshot["name"] == "สมชาย ใจดี"
    assert certificate.snapshot["template"] == "default"
    assert certificate.template_version == "3"


def test_other_learners_certificate_is_404(db, completed, admin_client, app, make_user):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    serial = db.session.scalar(sa.select(Certificate.serial))
    stranger = app.test_client()
    login(stranger, make_user("learner"))
    assert stranger.get(f"/certificates/{serial}.pdf").status_code == 404
    assert admin_client.get(f"/certificates/{serial}.pdf").status_code == 200


def test_revoke_needs_a_reason_and_is_audited(db, completed, admin_client):
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    post_form(admin_client, f"/admin/certificates/{certificate.id}/revoke", {"reason": "  "})
    db.session.refresh(certificate)
    assert certificate.status == "issued"
    post_form(admin_client, f"/admin/certificates/{certificate.id}/revoke",
              {"reason": "Completed under another person's account"})
    db.session.refresh(certificate)
    assert certificate.status == "revoked"
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "certificate.revoked"))
    assert event.data["reason"] == "Completed under another person's account"


def test_script_in_name_is_plain_text_in_pdf(tmp_path):
    name = '<script>alert("x")</script> <img src="file:///etc/passwd">'
    text = pdf_text(render_pdf(_snapshot(name), root=ROOT_TEMPLATES, verify_url=URL), tmp_path)
    flat = " ".join(text.split())
    assert '<script>alert("x")</script>' in flat
    assert "Course <b>bold</b>" in flat
    assert "root:" not in text


@pytest.mark.parametrize("name, family", [
    ("สมชาย ใจดี", "Thai"), ("សុខ សុភា", "Khmer"), ("ສົມພອນ ວົງສາ", "Lao"),
    ("အောင် ကျော်", "Myanmar"), ("Nguyễn Thị Hoa", None)])
def test_names_in_every_script_render_with_embedded_fonts(name, family, tmp_path):
    pdf = render_pdf(_snapshot(name), root=ROOT_TEMPLATES, verify_url=URL)
    fonts = pdf_fonts(pdf, tmp_path)
    if family:
        assert f"-{family}" in fonts, fonts
    assert " no " not in fonts.split("\n", 2)[2]  # every font embedded
    if family is None:
        assert name in pdf_text(pdf, tmp_path)


def test_fetcher_refuses_files_outside_the_template_folder(tmp_path):
    from lms.certification.render import FolderFetcher

    fetcher = FolderFetcher(tmp_path / "tpl")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:5000/")


def test_render_cli_writes_a_sample(runner, tiny_course, tmp_path):
    out = tmp_path / "sample.pdf"
    result = runner.invoke(args=["certificates", "render", "--name", "ສົມພອນ ວົງສາ",
                                 "--course", "tiny-course", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tiny course" in pdf_text(out.read_bytes(), tmp_path)
    missing = runner.invoke(args=["certificates", "render", "--name", "x", "--course", "nope",
                                  "--out", str(out)])
    assert missing.exit_code != 0 and "no course 'nope'" in missing.output


def test_verify_unknown_and_malformed_codes_are_404(client):
    assert client.get("/verify/zzzzzzzzzzzzzzzz").status_code == 404
    assert client.get("/verify/zzzzzzzzzzzzzzzz.json").status_code == 404
    assert client.get("/verify/'%20or%201=1").status_code == 404


def test_two_admins_issuing_at_once_issue_one_certificate(app, db, completed, admin):
    from lms.certification.services import IssueContext, TemplateInfo, issue_next_batch
    from lms.core.db import utcnow
    from tests.test_attempt_concurrency import _in_parallel

    context = IssueContext(actor_id=admin.id, prefix="CoE", base_url="https://lms.example.org",
                           template=TemplateInfo("default", "2"))
    course_id, now = completed.id, utcnow()
    db.session.commit()

    def issue():
        issue_next_batch(course_id, now, context)

    assert _in_parallel(app, issue, n=3) == []
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_two_jobs_issuing_at_once_leave_no_gap_in_the_serials(app, db, completed, admin):
    from lms.catalog.models import Course
    from lms.certification.services import IssueContext, TemplateInfo, issue_next_batch
    from lms.core.db import db as _db
    from lms.core.db import utcnow
    from tests.bulk import completed_learners
    from tests.test_attempt_concurrency import _in_parallel

    completed_learners(db.session.get(Course, completed.id), 60)
    context = IssueContext(actor_id=admin.id, prefix="CoE", base_url="https://lms.example.org",
                           template=TemplateInfo("default", "2"))
    course_id, now = completed.id, utcnow()
    db.session.commit()

    def issue_in_batches():  # what two "issue to all" jobs for one course do
        while issue_next_batch(course_id, now, context, limit=20):
            _db.session.commit()

    assert _in_parallel(app, issue_in_batches, n=2) == []
    serials = sorted(int(s.rsplit("-", 1)[1]) for s in db.session.scalars(
        sa.select(Certificate.serial)))
    assert serials == list(range(1, 62))
