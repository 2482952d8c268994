"""Quizzes that measure knowledge: no key in the page source, answers counted honestly,
a stale tab never overwrites newer answers, and time-up is said and acted on."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.assessment.models import Answer, Attempt
from lms.core.db import utcnow
from tests.fixtures.app import post_form
from tests.fixtures.browser import sign_in
from tests.helpers import correct_answers, label, post_attempt, question, revision, start_attempt


def test_option_values_are_random_per_attempt_and_never_the_authors_keys(
        db, app, tiny_course, make_user):
    from tests.fixtures.users import login

    single = question("npp-source")
    seen = []
    for _ in range(2):
        client = app.test_client()
        login(client, make_user("learner"))
        post_form(client, "/courses/tiny-course/enrol")
        attempt_id = start_attempt(client, "tiny-course")
        html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        values = re.findall(rf'name="q-{single.id}" value="([^"]+)"', html)
        assert values and not {"a", "b"} & set(values)
        assert all(re.fullmatch(r"\d{6}", v) for v in values)
        seen.append(label(attempt_id, single.id, "a"))
    assert seen[0] != seen[1]  # nothing to learn from another learner's page


def test_picking_the_first_key_or_false_everywhere_earns_nothing(db, learner_client, attempt_id):
    single, true_false = question("npp-source"), question("palermo-npp")
    multiple = question("liabilities")
    # What a guesser who read the page source of the old forms would send.
    response = post_attempt(learner_client, attempt_id, {
        f"q-{single.id}": "a", f"q-{multiple.id}": ["criminal", "administrative"],
        f"q-{true_false.id}": "false", "action": "finish"}, follow_redirects=True)
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.get(Attempt, attempt_id).status == "open"


def test_empty_responses_are_not_answers(db, learner_client, attempt_id):
    single, true_false = question("npp-source"), question("palermo-npp")
    multiple = question("liabilities")
    # The form always posts an empty value per question (so a cleared choice is sent).
    saved = post_attempt(learner_client, attempt_id, {
        f"q-{single.id}": ["", label(attempt_id, single.id, "a")], f"q-{multiple.id}": "",
        f"q-{true_false.id}": ""}, autosave=True)
    assert saved.get_json()["saved"] == 1
    html = learner_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "1 of 3 answered" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 1
    # Clearing an answer takes it away again.
    post_attempt(learner_client, attempt_id, {f"q-{single.id}": ""}, autosave=True)
    html = learner_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "0 of 3 answered" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_rows_saved_empty_before_the_rule_are_not_counted(db, learner_client, attempt_id):
    single = question("npp-source")
    db.session.add(Answer(attempt_id=attempt_id, question_id=single.id,
                          response={"chosen": []}))
    db.session.commit()
    html = learner_client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "0 of 3 answered" in html


def _page(client, attempt_id: int) -> dict[str, str]:
    """What a freshly rendered attempt page posts besides answers: revision and token."""
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
            for name in ("revision", "view")}


def test_a_resent_form_from_a_stale_tab_changes_nothing(db, learner_client, attempt_id):
    single, true_false = question("npp-source"), question("palermo-npp")
    multiple = question("liabilities")
    right = correct_answers(attempt_id)
    wrong_single = label(attempt_id, single.id, "b")
    # Tab 1 opens the page and saves one wrong answer and two right ones.
    tab_one = {**_page(learner_client, attempt_id), f"q-{single.id}": wrong_single,
               f"q-{true_false.id}": right[f"q-{true_false.id}"],
               f"q-{multiple.id}": right[f"q-{multiple.id}"], "action": "save"}
    post_form(learner_client, f"/attempts/{attempt_id}", tab_one)
    # Tab 2, opened after that save, corrects the answer.
    post_form(learner_client, f"/attempts/{attempt_id}",
              {**right, **_page(learner_client, attempt_id), "action": "save"})
    # Tab 1's form is sent again (back button, resubmit): refused, nothing changes.
    again = post_form(learner_client, f"/attempts/{attempt_id}", tab_one,
                      follow_redirects=True)
    assert "out of date" in again.get_data(as_text=True)
    assert db.session.get(Answer, (attempt_id, single.id)).response == {"chosen": ["a"]}
    # The same through autosave, and a finish from the stale tab.
    stale = post_form(learner_client, f"/attempts/{attempt_id}/autosave", tab_one)
    assert stale.status_code == 409 and stale.get_json()["stale"] is True
    post_form(learner_client, f"/attempts/{attempt_id}", {**tab_one, "action": "finish"})
    assert db.session.get(Attempt, attempt_id).status == "open"
    post_attempt(learner_client, attempt_id, {"action": "finish"})
    assert db.session.get(Attempt, attempt_id).score == 100.0


def test_a_save_whose_reply_was_lost_does_not_lock_its_page_out(db, learner_client,
                                                              attempt_id):
    single = question("npp-source")
    a, b = (label(attempt_id, single.id, key) for key in "ab")
    page = _page(learner_client, attempt_id)
    first = post_form(learner_client, f"/attempts/{attempt_id}/autosave",
                      {**page, f"q-{single.id}": b})
    assert first.status_code == 200  # ... but the phone never received this reply
    other = _page(learner_client, attempt_id)  # another tab only looks
    again = post_form(learner_client, f"/attempts/{attempt_id}/autosave",
                      {**page, f"q-{single.id}": a})  # the same page, its old revision
    assert again.status_code == 200
    assert db.session.get(Answer, (attempt_id, single.id)).response == {"chosen": ["a"]}
    # The tab that only looked is now out of date: the first page saved after it opened.
    late = post_form(learner_client, f"/attempts/{attempt_id}/autosave",
                     {**other, f"q-{single.id}": b})
    assert late.status_code == 409
    assert db.session.get(Answer, (attempt_id, single.id)).response == {"chosen": ["a"]}


def test_attempt_pages_are_never_cached(learner_client, attempt_id):
    response = learner_client.get(f"/attempts/{attempt_id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_page_from_before_revisions_saves_until_a_newer_page_has(db, learner_client,
                                                                  attempt_id):
    single = question("npp-source")
    a = label(attempt_id, single.id, "a")
    legacy = {f"q-{single.id}": a, "action": "save"}  # rendered before this release
    assert post_form(learner_client, f"/attempts/{attempt_id}", legacy).status_code == 302
    assert db.session.get(Answer, (attempt_id, single.id)) is not None
    post_form(learner_client, f"/attempts/{attempt_id}",
              {**_page(learner_client, attempt_id), f"q-{single.id}": "", "action": "save"})
    refused = post_form(learner_client, f"/attempts/{attempt_id}", legacy,
                        follow_redirects=True)
    assert "out of date" in refused.get_data(as_text=True)
    assert db.session.get(Answer, (attempt_id, single.id)) is None


def test_autosave_returns_the_new_revision(db, learner_client, attempt_id):
    single = question("npp-source")
    before = revision(attempt_id)
    body = post_attempt(learner_client, attempt_id,
                        {f"q-{single.id}": label(attempt_id, single.id, "a")},
                        autosave=True).get_json()
    assert body["revision"] == before + 1 == revision(attempt_id)


@pytest.fixture
def timed_attempt(db, assessed_course, learner_client):
    post_form(learner_client, "/courses/assessed-course/enrol")
    return start_attempt(learner_client, "assessed-course")


def test_time_up_is_on_the_page_without_scripts(db, learner_client, timed_attempt):
    html = learner_client.get(f"/attempts/{timed_attempt}").get_data(as_text=True)
    assert "Time runs out at" in html and "Answers saved by then are submitted" in html
    # Without scripts the page reloads itself after the deadline and its grace period.
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="(\d+)"></noscript>',
                        html)
    assert refresh and 30 * 60 + 60 <= int(refresh.group(1)) <= 30 * 60 + 63
    attempt = db.session.get(Attempt, timed_attempt)
    attempt.deadline = utcnow() - timedelta(minutes=2)
    db.session.commit()
    late = learner_client.get(f"/attempts/{timed_attempt}", follow_redirects=True)
    assert "Time is up" in late.get_data(as_text=True)
    assert db.session.get(Attempt, timed_attempt).status == "finished"


@pytest.mark.browser
def test_at_zero_the_page_says_so_and_submits(db, app, live_server, browser, assessed_course,
                                              learner):
    from lms.learning.services import enrol
    from tests.fixtures.users import PASSWORD

    enrol(learner.id, assessed_course)
    db.session.commit()
    page = browser.new_context().new_page()
    sign_in(page, live_server, learner.email, PASSWORD)
    page.goto(f"{live_server}/courses/assessed-course/quizzes/final")
    with page.expect_navigation(url=re.compile(r"/attempts/\d+")):
        page.get_by_role("button", name="Start an attempt").click()
    page.wait_for_load_state()
    attempt_id = int(page.url.split("?")[0].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline = utcnow() + timedelta(seconds=4)
    db.session.commit()
    page.reload()
    timer = page.get_by_role("timer")
    assert "Time left: 0:0" in timer.inner_text()
    page.wait_for_url(re.compile(r"/result$"), timeout=15_000)
    assert "Your score" in page.content()
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).status == "finished"
