"""Accessibility in Chromium: axe-core (WCAG 2.1 A and AA rules, colour contrast
included) finds no serious or critical violation on the pages of every role, in English
and in Thai."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.catalog.queries import live_lessons
from lms.certification.models import Certificate
from lms.core.i18n import LANGUAGE_COOKIE
from tests.bulk import completed_learners
from tests.fixtures.app import post_form
from tests.fixtures.browser import sign_in
from tests.fixtures.users import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()
RUN_AXE = """async () => (await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
         .map(n => n.target.join(' ')).join(', '))"""


def _audit(page, url: str, locale: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == locale, url
    page.add_script_tag(content=AXE)
    return [f"{url}: {v}" for v in page.evaluate(RUN_AXE)]


def _pages(live_server: str, slug: str, lesson: str, code: str) -> dict[str, list[str]]:
    return {
        "anonymous": ["/", "/login", "/register", "/glossary", "/support", f"/verify/{code}",
                      "/verify", f"/courses/{slug}", "/password/forgot"],
        "learner": ["/", f"/courses/{slug}", f"/courses/{slug}/lessons/{lesson}?note=read",
                    "/certificates", "/account", "/account/profile"],
        "instructor": ["/teach/", "/studio/", f"/studio/{slug}/", f"/studio/{slug}/settings"],
        "admin": ["/admin/certificates", f"/admin/courses/{slug}/certificates/ready",
                  f"/admin/courses/{slug}/certificates/signers", "/admin/users", "/cohorts",
                  "/reports/"],
    }


@pytest.mark.parametrize("locale", ["en", "th"])
def test_axe_finds_nothing_serious_on_any_page(db, live_server, browser, tiny_course,
                                               make_user, admin_client, locale):
    completed_learners(tiny_course, 1)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    code = db.session.scalar(sa.select(Certificate.code))
    people = {role: make_user(role, locale=locale) for role in ("learner", "instructor",
                                                               "admin")}
    make_staff(people["instructor"], tiny_course)
    lesson = live_lessons(tiny_course.id)[0].slug
    found: list[str] = []
    for role, urls in _pages(live_server, tiny_course.slug, lesson, code).items():
        # Signed-in people see their profile's language; visitors their chosen one.
        context = browser.new_context(bypass_csp=True)
        if role == "anonymous":
            context.add_cookies([{"name": LANGUAGE_COOKIE, "value": locale,
                                  "url": live_server}])
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, live_server, people[role].email, PASSWORD)
        if role == "learner":
            page.goto(f"{live_server}/courses/{tiny_course.slug}")
        for url in urls:
            found += _audit(page, live_server + url, locale)
        context.close()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(("locale", "slug"), [("th", "non-punishment-principle"),
                                              ("km", "victim-centred-approaches")])
def test_axe_finds_nothing_serious_on_a_translated_course(db, live_server, browser,
                                                          shipped_courses, make_user,
                                                          locale, slug):
    """The shipped translations as learners and their instructor see them: the course,
    a lesson, a test in the learner's script, and the studio's translation report."""
    from tests.fixtures.browser import submit

    course = shipped_courses[slug]
    learner, instructor = (make_user(role, locale=locale) for role in ("learner",
                                                                       "instructor"))
    make_staff(instructor, course)
    lesson = live_lessons(course.id)[0].slug
    found: list[str] = []
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, learner.email, PASSWORD)
    page.goto(f"{live_server}/courses/{slug}")
    submit(page, page.locator("form button.primary").first)  # enrol
    for url in (f"/courses/{slug}", f"/courses/{slug}/lessons/{lesson}?note=read"):
        found += _audit(page, live_server + url, locale)
    page.goto(f"{live_server}/courses/{slug}/quizzes/pre")
    submit(page, page.locator("form button.primary").first)  # start the pre-test
    found += _audit(page, page.url, locale)
    context.close()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, instructor.email, PASSWORD)
    found += _audit(page, f"{live_server}/studio/{slug}/translations", locale)
    context.close()
    assert found == [], "\n".join(found)
