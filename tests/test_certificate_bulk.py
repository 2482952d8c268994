"""Certificates by the thousand: issued and rendered as a job, downloaded as one streamed
ZIP, mailed to their holders; a cohort's batch; co-signers with their images."""
from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from PIL import Image

from lms.accounts.models import User
from lms.certification.models import Certificate, CertificatePdf
from lms.certification.pdfs import zip_name
from lms.certification.signers import CourseSigner
from lms.core.jobs import Job
from lms.learning.cohorts import Cohort, CohortCourse, CohortMember
from tests.bulk import completed_learners
from tests.fixtures.app import ON_POSTGRES, post_form
from tests.pdf import pdf_images, pdf_text


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="one profile is enough: a thousand renders")
def test_a_thousand_issued_as_a_job_and_downloaded_as_one_zip(db, tiny_course, admin_client,
                                                               tmp_path):
    ids = completed_learners(tiny_course, 1000)
    answer = post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    job = db.session.scalar(sa.select(Job))
    assert answer.headers["Location"].endswith(f"/jobs/{job.id}")
    assert (job.status, job.done, job.total) == ("done", 1000, 1000)
    assert db.session.scalar(sa.select(sa.func.count(CertificatePdf.certificate_id))) == 1000
    # Read inside the request's context (the test client runs each in its own).
    response = admin_client.get("/admin/courses/tiny-course/certificates.zip", buffered=True)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "Content-Length" not in response.headers  # streamed: its size is not known
    body = response.get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names)) == 1000
        holders = {c.serial: c.snapshot["name"] for c in db.session.scalars(
            sa.select(Certificate))}
        assert {n.split(" ", 1)[0] for n in names} == set(holders)
        assert all(n == f"{s} {holders[s]}.pdf" for n in names for s in [n.split(" ", 1)[0]])
        assert {holders[n.split(" ", 1)[0]] for n in names} == {
            u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
        sample = names[123]
        text = " ".join(pdf_text(archive.read(sample), tmp_path).split())
        assert sample.split(" ", 1)[0] in text
        assert archive.testzip() is None


def test_the_zip_is_written_as_it_is_read(db, tiny_course, admin_client):
    from lms.certification.pdfs import certificate_batches, stream_zip

    completed_learners(tiny_course, 12)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    chunks = list(stream_zip(certificate_batches(sa.select(Certificate), batch=5)))
    assert len(chunks) >= 13  # one or more per PDF, then the directory
    assert max(len(c) for c in chunks) < 2 * max(len(d) for d in db.session.scalars(
        sa.select(CertificatePdf.data)))
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert len(archive.namelist()) == 12 and archive.testzip() is None


def test_zip_names_cannot_escape_the_folder(db, tiny_course):
    certificate = Certificate(serial="CoE-2026-000001", snapshot={
        "name": "../../etc/passwd\\x:y*<z>|\x07"})
    name = zip_name(certificate)
    assert "/" not in name and "\\" not in name and "\x07" not in name
    assert name.startswith("CoE-2026-000001 ") and name.endswith(".pdf")


def test_certificates_are_mailed_once_with_the_pdf_or_a_link(db, tiny_course, admin_client,
                                                             smtp_server):
    completed_learners(tiny_course, 3)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    post_form(admin_client, "/admin/courses/tiny-course/certificates/email",
              {"delivery": "attach"})
    received = smtp_server.wait_for(3)
    serials = set(db.session.scalars(sa.select(Certificate.serial)))
    for mail in received:
        [attachment] = list(mail.message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename().split(" ", 1)[0] in serials
        assert attachment.get_content().startswith(b"%PDF-")
    post_form(admin_client, "/admin/courses/tiny-course/certificates/email",
              {"delivery": "link"})
    assert len(smtp_server.received) == 3  # each was sent once
    assert db.session.scalar(sa.select(Job.total).order_by(Job.id.desc()).limit(1)) == 0


def test_a_link_instead_of_the_pdf(db, tiny_course, admin_client, smtp_server):
    completed_learners(tiny_course, 1)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    post_form(admin_client, "/admin/courses/tiny-course/certificates/email",
              {"delivery": "link"})
    [mail] = smtp_server.wait_for(1)
    serial = db.session.scalar(sa.select(Certificate.serial))
    assert not list(mail.message.iter_attachments())
    assert f"/certificates/{serial}.pdf" in mail.text


def test_a_cohort_batch_issues_to_its_members_only(db, tiny_course, admin_client):
    ids = completed_learners(tiny_course, 6)
    cohort = Cohort(name="Bangkok judges 2026")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortCourse(cohort_id=cohort.id, course_id=tiny_course.id))
    db.session.add_all(CohortMember(cohort_id=cohort.id, user_id=i) for i in ids[:2])
    db.session.commit()
    page = admin_client.get("/admin/courses/tiny-course/certificates/ready").get_data(
        as_text=True)
    assert "Bangkok judges 2026 (2 ready)" in page
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-cohort",
              {"cohort_id": cohort.id})
    assert set(db.session.scalars(sa.select(Certificate.user_id))) == set(ids[:2])
    page = admin_client.get("/admin/courses/tiny-course/certificates/ready").get_data(
        as_text=True)
    assert f"certificates.zip?cohort={cohort.id}" in page
    body = admin_client.get(f"/admin/courses/tiny-course/certificates.zip?cohort={cohort.id}",
                            buffered=True).get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert len(archive.namelist()) == 2
    assert admin_client.get("/admin/courses/tiny-course/certificates.zip?cohort=abc"
                            ).status_code == 404
    refused = post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-cohort",
                        {"cohort_id": 999999}, follow_redirects=True)
    assert "Choose one of this course" in refused.get_data(as_text=True)


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (240, 80), colour).save(out, "PNG")
    return out.getvalue()


def test_co_signers_with_images_print_and_stay_on_what_was_issued(
        db, tiny_course, admin_client, client, tmp_path):
    url = "/admin/courses/tiny-course/certificates/signers"
    bad = post_form(admin_client, url, {
        "institution": "Thailand Institute of Justice", "name": "Dr. Anan Sukjai",
        "title": "Director", "logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Dr. Anan Sukjai" not in admin_client.get(url).get_data(as_text=True).split(
        "Add a co-signer")[0]
    assert bad.status_code == 200
    post_form(admin_client, url, {
        "institution": "Thailand Institute of Justice", "name": "Dr. Anan Sukjai",
        "title": "Director", "logo": (io.BytesIO(_png("#1b2a4a")), "logo.png"),
        "signature": (io.BytesIO(_png("#00000000")), "sig.png")},
        content_type="multipart/form-data")
    post_form(admin_client, url, {"institution": "<b>Philippine Judicial Academy</b>",
                                  "name": "Maria Santos", "title": ""},
              content_type="multipart/form-data")
    completed_learners(tiny_course, 1)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    assert [s["name"] for s in certificate.snapshot["cosigners"]] == ["Dr. Anan Sukjai",
                                                                     "Maria Santos"]
    pdf = db.session.scalar(sa.select(CertificatePdf.data))
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Dr. Anan Sukjai" in text and "<b>Philippine Judicial Academy</b>" in text
    assert pdf_images(pdf, tmp_path) == 2  # the logo and the signature (the QR is drawn)
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Dr. Anan Sukjai" in page and "&lt;b&gt;Philippine" in page
    signer_id = db.session.scalar(sa.select(CourseSigner.id).limit(1))
    post_form(admin_client, f"{url}/{signer_id}/remove")
    db.session.expire_all()
    assert len(db.session.get(Certificate, certificate.id).snapshot["cosigners"]) == 2


def test_a_killed_render_process_costs_no_certificate():
    import os
    import signal
    from pathlib import Path

    from lms.certification import render

    snapshot = {"name": "Somchai", "course_title": "Course", "course_slug": "c",
                "course_version": 1, "cpd_hours": 1.0, "completed_on": "2026-11-28",
                "issued_on": "2026-11-28", "serial": "CoE-2026-000001", "code": "abc",
                "locale": "en"}
    root = str(Path(__file__).resolve().parents[1] / "certificates")
    jobs = [({**snapshot, "serial": f"CoE-2026-{n:06d}"}, root, "https://x/verify/abc",
             "default", None) for n in range(6)]
    assert all(pdf.startswith(b"%PDF-") for pdf in render.render_many(jobs, 2))
    pool = render._pool
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    again = render.render_many(jobs, 2)  # rendered here, the broken pool dropped
    assert len(again) == 6 and all(pdf.startswith(b"%PDF-") for pdf in again)
    assert render._pool is None
    assert len(render.render_many(jobs, 2)) == 6 and render._pool is not pool
