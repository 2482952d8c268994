"""Every language on a 360 px phone, in Chromium: the page says its language, nothing is
wider than the screen (long Lao, Khmer or Burmese words break inside buttons and
lessons), and a screenshot is taken of each; and a lesson and a quiz done on a slow,
distant connection (400 kbit/s, 400 ms), timed."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from lms.catalog.queries import live_lessons
from lms.core.i18n import LANGUAGE_COOKIE, LANGUAGES
from tests.fixtures.browser import sign_in, submit
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OVERFLOW = """() => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.table-wrap, pre'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 30))"""


def _slow_connection(context, page):
    """400 kbit/s both ways, 400 ms round trip: a rural 2G/3G phone connection."""
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
        "uploadThroughput": 400_000 / 8})
    return session


def test_every_language_fits_a_phone(db, live_server, browser, app, tiny_course, tmp_path):
    from lms.core.i18n import available_locales

    languages = available_locales(app)
    assert set(languages) >= {"en", "th"} and set(languages) <= set(LANGUAGES)
    problems = []
    for code in languages:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": live_server}])
        page = context.new_page()
        for path in ("/", "/courses/tiny-course", "/login", "/register", "/glossary"):
            page.goto(live_server + path)
            if page.get_attribute("html", "lang") != code:
                problems.append(f"{code} {path}: lang={page.get_attribute('html', 'lang')}")
            problems += [f"{code} {path}: {e}" for e in page.evaluate(OVERFLOW)]
        shot = tmp_path / f"home-{code}.png"
        page.goto(live_server + "/")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000, code
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("locale", ["en", "th"])
def test_a_lesson_and_a_quiz_on_a_slow_distant_connection(db, live_server, browser,
                                                          tiny_course, learner, locale):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    _slow_connection(context, page)
    page.set_default_timeout(60_000)
    started = time.perf_counter()
    sign_in(page, live_server, learner.email, PASSWORD)
    if locale != "en":
        page.goto(f"{live_server}/account")
        page.locator("main select[name=locale]").select_option(locale)
        submit(page, page.locator("main form:has(select[name=locale]) button[type=submit]"))
    page.goto(f"{live_server}/courses/tiny-course")
    submit(page, page.locator("form button.primary").first)  # enrol
    for lesson in live_lessons(tiny_course.id):
        page.goto(f"{live_server}/courses/tiny-course/lessons/{lesson.slug}?note=read")
        submit(page, page.locator("form button.primary").first)  # mark as complete
    page.goto(f"{live_server}/courses/tiny-course/quizzes/final")
    submit(page, page.locator("form button.primary").first)  # start
    page.locator("label.choice", has_text="ACTIP").click()
    page.locator("label.choice:has(input[value=false])").click()
    for option in ("Criminal", "Administrative"):
        page.locator("label.choice", has_text=option).click()
    submit(page, page.locator("button[value=finish]"))
    if page.locator("button[value=finish]").count():  # the page that lists blank answers
        submit(page, page.locator("button[value=finish]"))
    expect(page.locator("p.score.ok")).to_be_visible()
    elapsed = time.perf_counter() - started
    print(f"\nslow connection ({locale}): sign-in, enrol, 2 lessons, a 3-question quiz "
          f"in {elapsed:.1f} s")
    assert elapsed < 120
    context.close()


@pytest.mark.parametrize(("locale", "slug"), [("th", "non-punishment-principle"),
                                              ("km", "victim-centred-approaches")])
def test_translated_lessons_fit_a_phone_and_load_on_a_slow_connection(
        db, live_server, browser, shipped_courses, make_user, locale, slug, tmp_path):
    """The shipped translations as a learner reads them: every lesson in its own script
    at 360 px (no overflow, the article says its language), and the longest one loaded
    on the slow connection, timed."""
    user = make_user(locale=locale)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server}/courses/{slug}")
    submit(page, page.locator("form button.primary").first)  # enrol
    problems, sizes = [], {}
    for lesson in live_lessons(shipped_courses[slug].id):
        page.goto(f"{live_server}/courses/{slug}/lessons/{lesson.slug}?note=read")
        if page.get_attribute("article.lesson", "lang") != locale:
            problems.append(f"{lesson.slug}: article lang is not {locale}")
        problems += [f"{lesson.slug}: {e}" for e in page.evaluate(OVERFLOW)]
        sizes[lesson.slug] = len(page.inner_text("article.lesson"))
        page.screenshot(path=str(tmp_path / f"{locale}-{lesson.slug}.png"), full_page=True)
    assert problems == [], "\n".join(problems)
    longest = max(sizes, key=sizes.get)
    _slow_connection(context, page).send("Network.setCacheDisabled",
                                          {"cacheDisabled": True})  # a first visit
    started = time.perf_counter()
    page.goto(f"{live_server}/courses/{slug}/lessons/{longest}?note=read")
    expect(page.locator("article.lesson")).to_be_visible()
    elapsed = time.perf_counter() - started
    print(f"\nslow connection ({locale}): the longest translated lesson, {longest}, "
          f"uncached in {elapsed:.1f} s")
    assert elapsed < 60
    context.close()
