"""Smaller things users noticed: one h1 a page, a favicon, named progress bars, plurals,
no preselected statistics, people told apart, item analysis linked, every template's
strings extracted, admin tables usable on a 360 px phone."""
from __future__ import annotations

import re
import shlex
import subprocess

import pytest
import sqlalchemy as sa

from lms.assessment.models import Quiz
from lms.catalog.models import Course
from tests.bulk import completed_learners
from tests.fixtures.app import post_form
from tests.fixtures.browser import sign_in
from tests.fixtures.courses import ROOT
from tests.fixtures.users import PASSWORD
from tests.helpers import complete_course
from tests.test_bad_input import GOOD


def _h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def test_every_page_has_one_h1_and_a_favicon(db, client, admin_client, learner_client,
                                             shipped_courses):
    slug = "non-punishment-principle"
    post_form(learner_client, f"/courses/{slug}/enrol")
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.kind == "final"))
    pages = {client: ["/", "/login", "/register", "/glossary", "/support", f"/courses/{slug}",
                      f"/courses/{slug}/references", "/no-such-page"],
             learner_client: ["/dashboard", "/certificates", f"/courses/{slug}/quizzes/final",
                              f"/courses/{slug}/lessons/why-it-matters", "/admin/users"],
             admin_client: ["/teach/", "/admin/users", "/admin/certificates", "/admin/support",
                            f"/teach/quizzes/{quiz.id}"]}
    for visitor, urls in pages.items():
        for url in urls:
            html = visitor.get(url).get_data(as_text=True)
            assert _h1_count(html) == 1, (url, _h1_count(html))
            assert re.search(r'rel="icon" href="/static/favicon\.[0-9a-f]{10}\.svg"', html), url
    assert client.get("/static/favicon.svg").mimetype == "image/svg+xml"


def test_progress_bars_have_an_accessible_name(db, learner_client, tiny_course):
    post_form(learner_client, "/courses/tiny-course/enrol")
    for url in ("/courses/tiny-course", "/dashboard"):
        html = learner_client.get(url).get_data(as_text=True)
        bar = re.search(r'<div class="progress" role="progressbar"[^>]*>', html).group(0)
        assert 'aria-label="Progress in Tiny course"' in bar, (url, bar)
        described = re.search(r'aria-describedby="([^"]+)"', bar).group(1)
        assert f'id="{described}">0 of 2 lessons' in html


def test_counts_use_plural_forms(db, client, learner_client, tiny_course):
    tiny_course.cpd_hours = 1
    db.session.commit()
    catalogue = client.get("/").get_data(as_text=True)
    assert "1 CPD hour ·" in catalogue and "2 lessons" in catalogue
    assert "1 CPD hours" not in catalogue
    post_form(learner_client, "/courses/tiny-course/enrol")
    quiz = learner_client.get("/courses/tiny-course/quizzes/final").get_data(as_text=True)
    assert "3 questions" in quiz and "3 attempts allowed" in quiz
    db.session.scalar(sa.select(Quiz)).time_limit_minutes = 1
    db.session.commit()
    quiz = learner_client.get("/courses/tiny-course/quizzes/final").get_data(as_text=True)
    assert "Time limit: 1 minute<" in quiz


def test_registration_preselects_nothing_and_offers_prefer_not_to_say(db, client):
    html = client.get("/register").get_data(as_text=True)
    for name in ("sex", "country", "sector"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        first = re.search(r"<option[^>]*>", select).group(0)
        assert 'value=""' in first and "Choose" in select, name
        assert "selected" not in select, name
        assert "Prefer not to say" in select, name
    missing = post_form(client, "/register", {**GOOD, "sex": "", "country": ""})
    assert missing.status_code == 422
    assert missing.get_data(as_text=True).count("Prefer not to say” is fine") >= 2
    ok = post_form(client, "/register", {**GOOD, "sex": "undisclosed", "country": "ZZ",
                                         "sector": "undisclosed"})
    assert ok.status_code == 302


def test_the_ready_list_tells_people_with_one_name_apart(db, app, tiny_course, admin_client,
                                                        make_user):
    from tests.fixtures.users import login

    for email, organisation in (("a.somchai@court.example", None),
                                ("b.somchai@police.example", "Royal Thai Police")):
        client = app.test_client()
        login(client, make_user("learner", name="Somchai Jaidee", email=email,
                                organisation=organisation))
        complete_course(client, tiny_course)
    page = admin_client.get("/admin/courses/tiny-course/certificates/ready").get_data(
        as_text=True)
    assert "a.somchai@court.example" in page and "Royal Thai Police" in page


def test_teach_links_each_quizs_item_analysis(db, admin_client, tiny_course):
    quiz = db.session.scalar(sa.select(Quiz))
    page = admin_client.get("/teach/").get_data(as_text=True)
    assert f'href="/teach/quizzes/{quiz.id}"' in page


@pytest.mark.no_db
def test_string_extraction_covers_every_template_folder(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    command = next(line.strip() for line in makefile.splitlines() if "pybabel extract" in line)
    args = shlex.split(command.replace("$(VENV)", ".venv"))
    out = tmp_path / "messages.pot"
    args[args.index("-o") + 1] = str(out)
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    catalogue = out.read_text()
    folders = {p.parent for p in (ROOT / "templates").rglob("*.html")
               if re.search(r"_\(|ngettext\(", p.read_text())}
    for folder in folders:
        assert f"#: {folder.relative_to(ROOT)}/" in catalogue, folder
    assert 'msgid "Change"' in catalogue  # templates/_partials/language_switcher.html


@pytest.mark.browser
def test_admin_tables_fit_a_360_px_phone(db, live_server, browser, tiny_course, admin,
                                         learner_client):
    complete_course(learner_client, tiny_course)  # a finished attempt: item analysis rows
    completed_learners(db.session.get(Course, tiny_course.id), 3)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(live_server + "/admin/certificates")
    page.get_by_role("button", name=re.compile("Issue to")).click()
    quiz = db.session.scalar(sa.select(Quiz))
    for url in ("/admin/users", "/admin/certificates", f"/teach/quizzes/{quiz.id}"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        outside = page.evaluate("""() => [...document.querySelectorAll('td, td *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth)
            .map(e => e.tagName + ' ' + e.textContent.slice(0, 30))""")
        assert outside == [], (url, outside)
        labels = page.evaluate("""() => [...document.querySelectorAll('td')].slice(0, 3)
            .map(td => getComputedStyle(td, '::before').content)""")
        assert len(labels) == 3, url
        assert all(label not in ("none", '""') for label in labels), (url, labels)
    context.close()
