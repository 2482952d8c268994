"""Keyboard only, in Chromium: a learner signs in, enrols, starts the final test, answers
every question and submits it with Tab, arrow keys, Space and Enter; no mouse."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The focused element: tag, type, the labels of its radio or checkbox group, its text.
FOCUSED = """() => { const e = document.activeElement;
  const text = x => ((x.labels && x.labels[0]) ? x.labels[0].innerText
                     : (x.innerText || x.value || '')).trim();
  const group = e.name ? [...document.getElementsByName(e.name)]
      .filter(x => x.type === e.type).map(text).join('|') : '';
  return [e.tagName, e.type || '', group, text(e)]; }"""


def tab_to(page, wanted, limit: int = 80) -> None:
    """Press Tab until the focused element matches `wanted` (tag, type, name, text)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted(*page.evaluate(FOCUSED)):
            return
    raise AssertionError(f"Tab never reached the element on {page.url}; last: "
                         f"{page.evaluate(FOCUSED)}")


def enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def choose_radio(page, label: str) -> None:
    """Tab into the radio group that offers `label`, then move to it with the arrow keys
    (which select as they move) and press Space."""
    tab_to(page, lambda tag, kind, group, text: kind == "radio" and label in group.split("|"))
    for _ in range(6):
        if page.evaluate(FOCUSED)[3] == label:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no radio labelled {label!r}")


def test_a_quiz_done_with_the_keyboard_alone(db, live_server, browser, tiny_course, learner):
    page = browser.new_context().new_page()
    page.goto(f"{live_server}/login")
    tab_to(page, lambda tag, kind, group, text: kind == "email")
    page.keyboard.type(learner.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    enter_and_wait(page)
    page.goto(f"{live_server}/courses/tiny-course")
    tab_to(page, lambda tag, kind, name, text: tag == "BUTTON" and "Enrol" in text)
    enter_and_wait(page)
    tab_to(page, lambda tag, kind, name, text: tag == "A" and text == "Final test")
    enter_and_wait(page)
    tab_to(page, lambda tag, kind, name, text: tag == "BUTTON" and "attempt" in text)
    enter_and_wait(page)
    choose_radio(page, "ACTIP")
    choose_radio(page, "False")
    for option in ("Criminal", "Administrative"):
        tab_to(page, lambda tag, kind, name, text, o=option: kind == "checkbox" and text == o)
        page.keyboard.press("Space")
    tab_to(page, lambda tag, kind, name, text: tag == "BUTTON" and "Finish" in text)
    enter_and_wait(page)
    if page.get_by_role("button", name="Submit my answers").count():  # the check page
        tab_to(page, lambda tag, kind, name, text: tag == "BUTTON" and "Submit" in text)
        enter_and_wait(page)
    expect(page.get_by_text("Passed.")).to_be_visible()
