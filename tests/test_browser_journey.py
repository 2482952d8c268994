"""The whole journey once in a real browser: register → lessons → quiz → certificate → verify."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.certification.models import Certificate
from tests.fixtures.browser import sign_in
from tests.fixtures.mail import path_of
from tests.fixtures.users import PASSWORD
from tests.helpers import correct_answers
from tests.pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KHMER_NAME = "សុខ សុភា"


def _answer(page, name: str, value: str) -> None:
    """Fill one answer if its field is on the current page."""
    field = page.locator(f'[name="{name}"]:not([type=hidden])')
    if not field.count():
        return
    tag = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
    if tag.startswith("SELECT"):
        field.first.select_option(value)
    elif tag.endswith(":text"):
        field.first.fill(value)
    else:
        page.locator(f'input[name="{name}"][value="{value}"]').check()


def test_journey_in_chromium(db, live_server, browser, shipped_courses, admin, tmp_path,
                             outbox):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(live_server + "/")
    page.get_by_role("link", name="Register").first.click()
    page.get_by_label("Full name").fill(KHMER_NAME)
    page.get_by_label("Email").fill("sophea@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Country where you work").select_option("KH")
    page.get_by_label("Sector").select_option("police")
    page.get_by_role("button", name="Create account").click()
    assert "Check your email" in page.content()
    # The link in the email (on the configured BASE_URL; here, the live server).
    page.goto(live_server + path_of(outbox.last_link("sophea@example.org")))
    page.get_by_role("button", name="Confirm my address").click()
    assert "Your account is ready" in page.content()

    page.get_by_role("link", name="The non-punishment principle").click()
    page.get_by_role("button", name="Enrol in this course").click()
    page.get_by_role("link", name="Start the first lesson").click()
    for _ in range(20):
        if page.get_by_role("link", name="Continue to the lesson").count():
            page.get_by_role("link", name="Continue to the lesson").click()
        page.get_by_role("button", name="Mark as complete").click()
        if "/lessons/" not in page.url:
            break
    assert "You have completed" not in page.content()  # lessons alone do not complete
    assert "100%" in page.content()

    page.get_by_role("link", name=re.compile("Final")).first.click()
    page.get_by_role("button", name="Start an attempt").click()
    attempt_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    answers = correct_answers(attempt_id)
    for _ in range(10):  # one page of questions at a time, as a learner would
        for name, values in answers.items():
            for value in values if isinstance(values, list) else [values]:
                _answer(page, name, value)
        # The script saved the answers as they were given, before any button is pressed.
        page.locator(".autosave-status", has_text="Saved").wait_for()
        if page.get_by_role("button", name="Finish and submit").count():
            page.get_by_role("button", name="Finish and submit").click()
            break
        page.get_by_role("button", name=re.compile("Next page")).click()
    assert "Passed." in page.content()

    admin_page = browser.new_context().new_page()
    sign_in(admin_page, live_server, admin.email, PASSWORD)
    admin_page.goto(live_server + "/admin/certificates")
    admin_page.get_by_role("link", name=re.compile("1 person is ready")).click()
    assert KHMER_NAME in admin_page.content()
    admin_page.get_by_role("button", name=re.compile("Issue to")).click()
    # A job: its progress page, here already finished (the suite runs jobs at once).
    assert "Issuing certificates" in admin_page.content()
    assert admin_page.get_by_role("progressbar").get_attribute("value") == "100"
    assert "Finished: 1 done." in admin_page.content()

    page.goto(live_server + "/certificates")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = (tmp_path / "cert.pdf")
    download.value.save_as(pdf)
    assert "".join(KHMER_NAME.split()) in "".join(pdf_text(pdf.read_bytes(), tmp_path).split())

    page.get_by_role("link", name="Public verification page").click()
    assert "This certificate is valid." in page.content()
    assert KHMER_NAME in page.content()
    user = db.session.scalar(sa.select(User).where(User.email == "sophea@example.org"))
    assert db.session.scalar(sa.select(Certificate.user_id)) == user.id
    # No horizontal scrolling on a phone-sized screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740},
                                      {"width": 1280, "height": 900}])
def test_lesson_and_scenario_fit_the_screen(db, live_server, browser, shipped_courses, learner,
                                            viewport, tmp_path):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, learner.email, PASSWORD)
    slug = "tip-adjudication-for-judges"
    page.goto(f"{live_server}/courses/{slug}")
    page.get_by_role("button", name="Enrol in this course").click()
    page.get_by_role("link", name="Start the first lesson").click()
    if page.get_by_role("link", name="Continue to the lesson").count():
        page.get_by_role("link", name="Continue to the lesson").click()
    page.screenshot(path=str(tmp_path / f"lesson-{viewport['width']}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server}/courses/{slug}/quizzes/final")
    page.get_by_role("button", name="Start an attempt").click()
    for number in range(1, 10):
        if page.locator(".vignette").count():
            break
        page.goto(f"{page.url.split('?')[0]}?page={number + 1}")
    assert page.locator(".vignette").count(), "no scenario question drawn"
    page.locator(".vignette").first.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / f"scenario-view-{viewport['width']}.png"))
    page.screenshot(path=str(tmp_path / f"scenario-{viewport['width']}.png"), full_page=True)
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3)
        .map(e => { let out = []; for (let x = e; x && x.tagName != 'FORM'; x = x.parentElement) {
            const r = x.getBoundingClientRect();
            out.push(x.tagName + '.' + x.className + ' ' + Math.round(r.left) + '-' +
                     Math.round(r.right) + ' ' + getComputedStyle(x).display); }
          return out.join(' < '); })""")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide
    context.close()
