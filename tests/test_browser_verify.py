"""The public verification page in Chromium, as an employer checks a certificate on a
360 px phone and prints it: the facts and the co-signers, nothing wider than the
screen, the status in words, and a print view without the site's menus."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.certification.signers import CourseSigner
from tests.bulk import completed_learners
from tests.fixtures.app import post_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className)"""


def test_the_verify_page_on_a_phone_and_on_paper(db, live_server, browser, tiny_course,
                                                 admin_client, tmp_path):
    db.session.get(Course, tiny_course.id).certificate = {"validity_months": 36}
    db.session.add(CourseSigner(course_id=tiny_course.id, position=1, name="Dr. Anan Sukjai",
                                title="Director", institution="Thailand Institute of Justice"))
    db.session.commit()
    completed_learners(tiny_course, 1)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server}/verify/{certificate.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate verification")
    expect(page.get_by_text("This certificate is valid.")).to_be_visible()
    expect(page.get_by_text(certificate.snapshot["name"])).to_be_visible()
    expect(page.get_by_text("Dr. Anan Sukjai, Director")).to_be_visible()
    expect(page.get_by_text("Valid until")).to_be_visible()
    assert page.evaluate(OVERFLOW) == []
    page.emulate_media(media="print")
    assert not page.locator("header").first.is_visible()  # the site's menus stay off paper
    expect(page.get_by_text("This certificate is valid.")).to_be_visible()
    page.screenshot(path=str(tmp_path / "verify-360.png"), full_page=True)
    assert Path(tmp_path / "verify-360.png").stat().st_size > 0
    assert errors == []
    context.close()
