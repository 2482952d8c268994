"""The studio once in a real browser: an instructor builds a course from nothing (settings,
a lesson with an image, a pre-test and a final test with every question type), publishes
it, a learner completes it, an admin certifies them, and a later version leaves the
learner's reviewed attempt as it was."""
from __future__ import annotations

import re

import pytest
from PIL import Image

from tests.fixtures.browser import sign_in, submit
from tests.fixtures.users import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "labour-inspection"
TITLE = "Labour inspection and trafficking"
LESSON_TITLE = "Indicators of forced labour"
ALT = "A labour inspector checks passports at a factory gate"
PRE_PROMPT = "Trafficking always involves crossing a border."
OLD_WORDING = "Which treaty obliges ASEAN states not to punish victims of trafficking?"
NEW_WORDING = "Which ASEAN treaty protects victims from punishment for what they were made to do?"
SCENARIO_PROMPT = "What does the case of Ms A show?"
SCENARIO_PART = "Is Ms A a victim of trafficking?"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# One question of each type: what the instructor types and what a learner who knows
# the answers picks (by the text shown, as a person would).
FINAL = [
    {"type": "One correct answer", "key": "q-single", "prompt": OLD_WORDING,
     "options": [("ACTIP", True), ("The ILO Forced Labour Convention", False)]},
    {"type": "Several correct answers", "key": "q-multiple",
     "prompt": "Which of these are means of trafficking?",
     "options": [("Force", True), ("Fraud", True)],
     "added_later": ("Consent", False)},  # a third row: save, then reopen for blank rows
    {"type": "True or false", "key": "q-true-false",
     "prompt": "A victim's consent makes the exploitation lawful.", "answer": "false"},
    {"type": "Short typed answer", "key": "q-short",
     "prompt": "Give the short name of the ASEAN trafficking convention.",
     "answers": "ACTIP\nASEAN Convention", "typed": "actip"},
    {"type": "Number", "key": "q-numeric", "prompt": "In which year was ACTIP adopted?",
     "answer": "2015"},
    {"type": "Matching pairs", "key": "q-matching",
     "prompt": "Match each element of trafficking with an example.",
     "pairs": [("Act", "Recruitment"), ("Means", "Deception")]},
    {"type": "Steps in order", "key": "q-ordering",
     "prompt": "Put the inspector's steps in order.", "steps": ["Identify", "Refer", "Protect"]},
    {"type": "Case scenario with parts", "key": "q-scenario", "prompt": SCENARIO_PROMPT,
     "vignette": "Ms A was recruited with a false job offer; her passport was taken.",
     "part": SCENARIO_PART, "part_options": [("Yes", True), ("No", False)]},
]


def _rows(scope, label: str):
    """The numbered rows of an editor list (options, pairs, steps), by their label."""
    return scope.get_by_label(re.compile(rf"^{label}\b"))


def _fill_choices(scope, options, *, start: int = 0) -> None:
    for i, (text, correct) in enumerate(options, start):
        _rows(scope, "Option").nth(i).fill(text)
        if correct:
            scope.get_by_label("correct", exact=True).nth(i).check()


def _fits(page, shot) -> None:
    """A screenshot at phone width, and no sideways scrolling there."""
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shot), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"] + 2, (shot.name, width)


def _write_question(page, q: dict, tmp_path) -> None:
    """From a test's page: the type button, the editor, save; back on the test's page."""
    section = page.locator("section", has=page.get_by_role("heading", name="Add a question"))
    submit(page, section.get_by_role("link", name=q["type"], exact=True))
    page.get_by_label("Key", exact=True).fill(q["key"])
    page.get_by_label("Question", exact=True).first.fill(q["prompt"])
    kind = q["type"]
    if "options" in q:
        _fill_choices(page, q["options"])
    elif kind == "True or false":
        page.get_by_label(q["answer"], exact=True).check()
    elif "answers" in q:
        page.get_by_label("Accepted answers, one per line").fill(q["answers"])
    elif kind == "Number":
        page.get_by_label("Correct number").fill(q["answer"])
        page.get_by_label("Accepted difference (tolerance)").fill("0")
    elif "pairs" in q:
        for i, (left, right) in enumerate(q["pairs"]):
            _rows(page, "Item").nth(i).fill(left)
            _rows(page, "Its match").nth(i).fill(right)
    elif "steps" in q:
        # Two blank rows are shown; save, reopen for more (as the hint says).
        for i, step in enumerate(q["steps"][:2]):
            _rows(page, "Step").nth(i).fill(step)
    elif "vignette" in q:
        page.get_by_label("The case (Markdown)").fill(q["vignette"])
        page.get_by_label("Add a part").select_option(label="One correct answer")
        submit(page, page.get_by_role("button", name="Add the part"))
        assert page.get_by_label("Key", exact=True).input_value() == q["key"]
        part = page.get_by_role("group", name=re.compile(r"^Part 1"))
        part.get_by_label("Question", exact=True).fill(q["part"])
        _fill_choices(part, q["part_options"])
        _fits(page, tmp_path / "studio-question-editor-360.png")
    if q["key"] == "q-single":  # a legal reference picked from the instruments list
        page.get_by_label("Instrument").first.select_option("ACTIP Art.")
        page.get_by_label("Article, principle or guideline number").first.fill("14(7)")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    assert "Question saved in the draft." in page.content(), (q["key"], _problems(page))
    if "added_later" in q or q.get("steps", [])[2:]:
        submit(page, page.get_by_role("link", name=q["prompt"]))
        if "added_later" in q:
            _fill_choices(page, [q["added_later"]], start=len(q["options"]))
        else:
            _rows(page, "Step").nth(2).fill(q["steps"][2])
        submit(page, page.get_by_role("button", name="Save", exact=True))
        assert "Question saved in the draft." in page.content(), (q["key"], _problems(page))


def _problems(page) -> str:
    alerts = page.locator(".problems, .error, .flash")
    return " | ".join(alerts.all_inner_texts())


def _answer(question, q: dict) -> None:
    """Answer one question of an attempt correctly, by what the page shows."""
    if "options" in q:
        for text, correct in q["options"] + ([q["added_later"]] if "added_later" in q else []):
            if correct:
                question.get_by_label(text, exact=True).check()
    elif q["type"] == "True or false":
        question.get_by_label(q["answer"].capitalize(), exact=True).check()
    elif "typed" in q:
        question.get_by_label("Your answer").fill(q["typed"])
    elif "answer" in q:
        question.get_by_label("Your answer").fill(q["answer"])
    elif "pairs" in q:
        for left, right in q["pairs"]:
            question.locator("label.pair", has_text=left).get_by_role("combobox") \
                .select_option(label=right)
    elif "steps" in q:
        for position, step in enumerate(q["steps"], 1):
            question.get_by_label(f"Position of: {step}").select_option(str(position))
    elif "vignette" in q:
        for text, correct in q["part_options"]:
            if correct:
                question.get_by_label(text, exact=True).check()


def _take_test(page, name: str, questions: list[dict]) -> None:
    """From the course page: open the test, start, answer everything, submit."""
    submit(page, page.get_by_role("link", name=name, exact=True))
    submit(page, page.get_by_role("button", name="Start an attempt"))
    for q in questions:
        _answer(page.get_by_role("group", name=q["prompt"]), q)
    submit(page, page.get_by_role("button", name="Finish and submit"))
    assert "Your score: 100%" in page.content(), page.locator("main").inner_text()[:2000]


def _publish(page, note: str, number: int) -> None:
    page.goto(f"{page.url.split('/studio/')[0]}/studio/{SLUG}/")
    publish = page.locator("#publish")
    assert "problem" not in publish.inner_text(), publish.inner_text()
    publish.get_by_label("What changed").fill(note)
    submit(page, publish.get_by_role("button", name=f"Publish as version {number}"))
    assert f"Version {number} is published." in page.content(), _problems(page)


def test_an_instructor_builds_a_course_that_a_learner_completes_in_chromium(
        db, live_server, browser, instructor, learner, admin, tmp_path):
    image = tmp_path / "inspection.png"
    Image.new("RGB", (64, 48), (180, 40, 40)).save(image)

    # 1. The instructor creates a course from nothing, its settings and first lesson.
    studio = browser.new_context(viewport=DESKTOP)
    page = studio.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, instructor.email, PASSWORD)
    page.goto(live_server + "/studio/")
    new = page.locator("#new")
    new.get_by_label("Title").fill("Labour inspection")
    new.get_by_label("Address").fill(SLUG)
    submit(page, new.get_by_role("button", name="Create the course"))
    assert page.url.endswith(f"/studio/{SLUG}/")
    assert "Course created." in page.content()

    tabs = page.get_by_role("navigation", name="Course in the studio")
    submit(page, tabs.get_by_role("link", name="Settings"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("How labour inspectors spot forced labour and refer "
                                      "victims.")
    page.get_by_label("Audience").fill("Labour inspectors")
    page.get_by_label("Objectives").fill("Spot the indicators of forced labour\n"
                                         "Refer victims to protection")
    page.get_by_label("CPD hours").fill("1.5")
    submit(page, page.get_by_role("button", name="Save"))
    assert "Saved in the draft." in page.content(), _problems(page)

    submit(page, page.locator("#outline").get_by_role("link", name="Lesson 1"))
    page.get_by_label("Title").fill(LESSON_TITLE)
    body = page.get_by_label("Text (Markdown)")
    body.fill(f"## {LESSON_TITLE}\n\nDebt bondage and **withheld passports**.")
    submit(page, page.get_by_role("button", name="Preview"))
    preview = page.get_by_role("region", name="Preview")
    assert preview.get_by_role("heading", name=LESSON_TITLE).is_visible()
    assert preview.locator("strong", has_text="withheld passports").is_visible()
    submit(page, page.get_by_role("button", name="Save", exact=True))
    assert "Lesson saved in the draft." in page.content(), _problems(page)

    images = page.locator("#images")
    images.get_by_label("Image", exact=True).set_input_files(image)
    images.get_by_label("Description (alt text)").fill(ALT)
    submit(page, images.get_by_role("button", name="Upload"))
    assert "Image uploaded." in page.content(), _problems(page)
    line = page.locator("#images code").first.inner_text()
    assert line.startswith(f"![{ALT}](/media/"), line
    body = page.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n\n" + line)
    submit(page, page.get_by_role("button", name="Save", exact=True))
    assert "Lesson saved in the draft." in page.content(), _problems(page)
    assert line in page.get_by_label("Text (Markdown)").input_value()

    # 2. A pre-test with one question, a final test with one of each of the eight types.
    submit(page, tabs.get_by_role("link", name="Outline"))
    submit(page, page.get_by_role("link", name="New test"))
    page.get_by_label("Test address").fill("before")
    page.get_by_label("Title").fill("Before you start")
    page.get_by_label("Kind").select_option(label="Pre-test (does not count)")
    submit(page, page.get_by_role("button", name="Save"))
    assert page.get_by_role("heading", name="Before you start").is_visible()
    assert "Pre-test" in page.locator("main .meta").first.inner_text()
    pre = {"type": "True or false", "key": "pre-border", "prompt": PRE_PROMPT,
           "answer": "false"}
    _write_question(page, pre, tmp_path)

    submit(page, tabs.get_by_role("link", name="Outline"))
    submit(page, page.get_by_role("link", name="New test"))
    page.get_by_label("Test address").fill("final")
    page.get_by_label("Title").fill("Final test")
    page.get_by_label("Pass mark (%)").fill("70")
    submit(page, page.get_by_role("button", name="Save"))
    assert page.get_by_role("heading", name="Final test").is_visible()
    for q in FINAL:
        _write_question(page, q, tmp_path)
    assert page.locator("table tbody tr").count() == len(FINAL)

    # The learner's view of one question, checked without recording anything.
    row = page.get_by_role("row", name=re.compile(re.escape(OLD_WORDING)))
    submit(page, row.get_by_role("link", name="Preview"))
    page.get_by_label("ACTIP", exact=True).check()
    submit(page, page.get_by_role("button", name="Check my answer"))
    assert page.get_by_role("heading", name="100% of this question").is_visible()

    # 3. Publish version 1; the studio's course page fits a phone.
    _publish(page, "First version", 1)
    assert page.get_by_role("heading", name=TITLE, level=1).is_visible()  # the draft's title
    _fits(page, tmp_path / "studio-course-360.png")

    # 4. A learner enrols, reads the lesson with its image, takes both tests and passes.
    learning = browser.new_context(viewport=DESKTOP)
    me = learning.new_page()
    me.set_default_timeout(15_000)
    media = {}
    me.on("response", lambda r: media.__setitem__(r.url, r.status) if "/media/" in r.url
          else None)
    sign_in(me, live_server, learner.email, PASSWORD)
    me.goto(live_server + "/")
    submit(me, me.get_by_role("link", name=TITLE))
    submit(me, me.get_by_role("button", name="Enrol in this course"))
    submit(me, me.get_by_role("link", name="Start the first lesson"))
    assert me.get_by_role("heading", name=LESSON_TITLE, level=1).is_visible()
    picture = me.locator("article.lesson img")
    assert picture.get_attribute("alt") == ALT
    picture.scroll_into_view_if_needed()
    me.wait_for_function("img => img.complete && img.naturalWidth === 64",
                         arg=picture.element_handle())
    src = picture.evaluate("img => img.src")
    assert media.get(src) == 200, (src, media)
    submit(me, me.get_by_role("button", name="Mark as complete"))
    assert me.url.endswith(f"/courses/{SLUG}"), me.url

    _take_test(me, "Before you start", [pre])
    submit(me, me.get_by_role("link", name=TITLE))
    _take_test(me, "Final test", FINAL)
    assert "Passed." in me.content()
    first_review = me.url
    assert re.search(r"/attempts/\d+/result$", first_review), first_review
    submit(me, me.get_by_role("link", name=TITLE))
    assert "You completed this course on" in me.content()

    # 5. An admin issues the certificate; its public page says it is valid.
    office = browser.new_context(viewport=DESKTOP)
    admin_page = office.new_page()
    admin_page.set_default_timeout(15_000)
    sign_in(admin_page, live_server, admin.email, PASSWORD)
    submit(admin_page, admin_page.get_by_role("link", name="Admin"))
    card = admin_page.locator("section.card", has=admin_page.get_by_role("heading", name=TITLE))
    submit(admin_page, card.get_by_role("link", name="1 person is ready: see who"))
    person = admin_page.locator("li", has_text=learner.name)
    submit(admin_page, person.get_by_role("button", name="Issue", exact=True))
    assert re.search(r"Certificate \S+ issued\.", admin_page.content()), _problems(admin_page)
    assert not admin_page.locator("li", has_text=learner.name).count()  # no longer waiting
    office.close()

    submit(me, me.get_by_role("link", name="Certificates"))
    mine = me.locator("section.card", has=me.get_by_role("heading", name=TITLE))
    submit(me, mine.get_by_role("link", name="Public verification page"))
    assert "This certificate is valid." in me.content()
    assert learner.name in me.content()

    # 6. The instructor rewords a final-test question and publishes version 2 ...
    page.goto(f"{live_server}/studio/{SLUG}/")
    submit(page, page.locator("#tests").get_by_role("link", name="Final test"))
    submit(page, page.get_by_role("link", name=OLD_WORDING))
    page.get_by_label("Question", exact=True).first.fill(NEW_WORDING)
    submit(page, page.get_by_role("button", name="Save", exact=True))
    assert "Question saved in the draft." in page.content(), _problems(page)
    _publish(page, "Clearer wording of the treaty question", 2)
    studio.close()

    # ... and the learner's earlier attempt is still reviewed as version 1 asked it.
    me.goto(f"{live_server}/courses/{SLUG}")
    submit(me, me.get_by_role("link", name="Final test", exact=True))
    submit(me, me.get_by_role("link", name=re.compile(r"100% · passed")))
    assert me.url == first_review
    review = me.locator("main").inner_text()
    assert OLD_WORDING in review, review[:2000]
    assert NEW_WORDING not in review
    learning.close()
