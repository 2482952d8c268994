"""The gradebook: its figures, filters, paging, CSV, access rules and query budget."""
from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from lms.assessment.gradebook import Filters, gradebook_rows, gradebook_summary
from lms.assessment.models import Attempt, Quiz
from lms.assessment.services import record_scores
from lms.catalog.models import Course
from lms.core.csv_safe import BOM, safe_cell
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.fixtures.users import login, make_staff
from tests.gradebook_data import NOW, _attempt, _enrol, _lessons, _quiz, _seed_more
from tests.helpers import complete_course


@pytest.fixture
def course(db, assessed_course, tiny_course, make_user):
    """assessed-course (pre-test, final with pass mark 60) with three lessons and four
    learners, figures worked out by hand below; plus noise that must not count."""
    course = db.session.get(Course, assessed_course.id)
    lessons = _lessons(db, course, extra=2)
    pre, final = _quiz(db, course, "pre"), _quiz(db, course, "final")
    people = {key: make_user("learner", name=name, email=f"{key}@example.org",
                             organisation=org, country=country)
              for key, name, org, country in (
                  ("alice", "Alice Archer", "Supreme Court", "TH"),
                  ("bob", "Bob Brown", "Royal Thai Police", "VN"),
                  ("chen", "Chen Li", None, "TH"),
                  ("dana", "Dana Diaz", "Legal Aid Centre", "PH"))}
    # Alice: pre 40 then 80 (the first counts), final 50 then 90 (the best): gain 50.
    _enrol(db, people["alice"], course, lessons=lessons, completed=True)
    for number, score in ((1, 40.0), (2, 80.0)):
        _attempt(db, people["alice"], pre, number, score)
    for number, score in ((1, 50.0), (2, 90.0)):
        _attempt(db, people["alice"], final, number, score)
    # Bob: pre 60, final 55 (below the pass mark): gain -5; one lesson of three.
    _enrol(db, people["bob"], course, lessons=lessons[:1])
    _attempt(db, people["bob"], pre, 1, 60.0)
    _attempt(db, people["bob"], final, 1, 55.0)
    # Chen: enrolled, nothing done. Dana: a final attempt still open, nothing finished.
    _enrol(db, people["chen"], course)
    _enrol(db, people["dana"], course)
    _attempt(db, people["dana"], final, 1, None, status="open")
    # Noise: an archived final Bob aced, someone with attempts but no enrolment, and a
    # learner of another course.
    old = Quiz(course_id=course.id, key="old-final", title="Old final", kind="final",
               pass_mark=50, archived_at=NOW)
    db.session.add(old)
    db.session.flush()
    _attempt(db, people["bob"], old, 1, 100.0)
    stranger = make_user("learner", name="Not Enrolled")
    _attempt(db, stranger, final, 1, 100.0)
    other = make_user("learner", name="Other Course Learner", country="TH")
    _enrol(db, other, db.session.get(Course, tiny_course.id))
    db.session.commit()
    course.people = people
    course.other_learner = other
    return course


def _names(page) -> list[str]:
    return [row.name for row in page.items]


def test_figures_for_each_learner_and_the_summary(db, course):
    page = gradebook_rows(course, filters=Filters())
    rows = {row.name: row for row in page.items}
    assert list(rows) == ["Alice Archer", "Bob Brown", "Chen Li", "Dana Diaz"]
    alice, bob, chen, dana = rows.values()
    assert (alice.pre_score, alice.final_score, alice.knowledge_gain) == (40, 90, 50)
    assert (alice.attempts, alice.passed, alice.status) == (4, True, "completed")
    assert (alice.lessons_done, alice.lessons_total, alice.progress.percent) == (3, 3, 100)
    assert alice.completed_at is not None and alice.organisation == "Supreme Court"
    assert (bob.pre_score, bob.final_score, bob.knowledge_gain) == (60, 55, -5)
    assert (bob.attempts, bob.passed, bob.progress.percent) == (2, False, 33)
    assert (chen.pre_score, chen.final_score, chen.knowledge_gain, chen.attempts) == (
        None, None, None, 0)
    assert (dana.attempts, dana.final_score, dana.passed) == (0, None, False)
    assert page.next_after is None
    # The same figures as the enrolment keeps (record_scores: the learner's result page).
    for enrolment in db.session.scalars(sa.select(Enrolment).where(
            Enrolment.course_id == course.id)):
        record_scores(enrolment)
        row = next(r for r in page.items if r.user_id == enrolment.user_id)
        assert (row.pre_score, row.final_score, row.knowledge_gain) == (
            enrolment.pre_score, enrolment.final_score, enrolment.knowledge_gain)
    summary = gradebook_summary(course, Filters())
    assert (summary.enrolled, summary.completed, summary.passed) == (4, 1, 1)
    assert summary.mean_pre == pytest.approx(50)
    assert summary.mean_final == pytest.approx(72.5)
    assert summary.mean_gain == pytest.approx(22.5)


@pytest.mark.parametrize(("args", "expected"), [
    ({"q": "ALI"}, ["Alice Archer"]),
    ({"q": "bob@example"}, ["Bob Brown"]),
    ({"q": "police"}, ["Bob Brown"]),
    ({"q": "100%"}, []),  # % is searched for, not a wildcard
    ({"status": "completed"}, ["Alice Archer"]),
    ({"status": "in_progress"}, ["Bob Brown", "Dana Diaz"]),
    ({"status": "not_started"}, ["Chen Li"]),
    ({"result": "passed"}, ["Alice Archer"]),
    ({"result": "not_passed"}, ["Bob Brown", "Chen Li", "Dana Diaz"]),
    ({"country": "th"}, ["Alice Archer", "Chen Li"]),
    ({"country": "TH", "result": "not_passed"}, ["Chen Li"]),
    ({"status": "bogus", "sort": "password"}, ["Alice Archer", "Bob Brown", "Chen Li",
                                               "Dana Diaz"]),
    ({"sort": "-progress"}, ["Alice Archer", "Bob Brown", "Dana Diaz", "Chen Li"]),
    ({"sort": "progress"}, ["Chen Li", "Dana Diaz", "Bob Brown", "Alice Archer"]),
    ({"sort": "-final"}, ["Alice Archer", "Bob Brown", "Dana Diaz", "Chen Li"]),
    ({"sort": "final"}, ["Chen Li", "Dana Diaz", "Bob Brown", "Alice Archer"]),
])
def test_filters_and_sorting(db, course, args, expected):
    filters = Filters.from_args(args)
    page = gradebook_rows(course, filters=filters)
    assert _names(page) == expected
    assert page.summary == gradebook_summary(course, filters)
    assert page.summary.enrolled == len(expected)


def test_the_summary_follows_the_filters(db, course):
    summary = gradebook_summary(course, Filters.from_args({"country": "TH"}))
    assert (summary.enrolled, summary.completed, summary.passed) == (2, 1, 1)
    assert (summary.mean_pre, summary.mean_final, summary.mean_gain) == (40, 90, 50)


@pytest.mark.parametrize("sort", ["name", "progress", "-progress", "final", "-final"])
def test_keyset_pages_walk_every_learner_once_in_order(db, course, make_user, sort):
    lessons = _lessons(db, course, extra=0)
    final = _quiz(db, course, "final")
    for n in range(9):  # ties on name, progress and score, so the user id decides
        user = make_user("learner", name="Same Name" if n % 2 else f"Zed {n}")
        _enrol(db, user, course, lessons=lessons[:n % 3])
        if n % 4:
            _attempt(db, user, final, 1, float(10 * (n % 3)))
    db.session.commit()
    filters = Filters.from_args({"sort": sort})
    everyone = [row.user_id for row in gradebook_rows(course, filters=filters,
                                                      per_page=100).items]
    walked, after = [], None
    while True:
        page = gradebook_rows(course, filters=filters, after=after, per_page=2)
        walked += [row.user_id for row in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert walked == everyone and len(everyone) == 13


def test_an_unknown_cursor_starts_from_the_top(db, course):
    page = gradebook_rows(course, filters=Filters(), after=course.other_learner.id)
    assert _names(page)[0] == "Alice Archer"


def test_past_the_last_page_the_summary_is_still_there(db, course):
    last = gradebook_rows(course, filters=Filters()).items[-1]
    beyond = gradebook_rows(course, filters=Filters(), after=last.user_id)
    assert beyond.items == [] and beyond.next_after is None
    assert beyond.summary == gradebook_summary(course, Filters())
    assert beyond.summary.enrolled == 4


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


@pytest.fixture
def owner_client(app, make_user, course):
    owner = make_user("instructor")
    make_staff(owner, course, "owner")
    return _client(app, owner)


def test_the_page_shows_rows_summary_links_and_pages(db, course, owner_client):
    from tests.bulk import completed_learners

    completed_learners(course, 55)
    html = owner_client.get(f"/teach/courses/{course.slug}/gradebook").get_data(as_text=True)
    assert html.count('<th scope="row">') == 50
    assert "<caption" in html and 'scope="col"' in html
    for quiz in db.session.scalars(sa.select(Quiz).where(Quiz.course_id == course.id,
                                                         Quiz.archived_at.is_(None))):
        assert f'href="/teach/quizzes/{quiz.id}"' in html
    alice = course.people["alice"]
    assert f'href="/teach/courses/{course.slug}/learners/{alice.id}"' in html
    assert re.search(r"<dt>Enrolled</dt><dd>59</dd>", html)
    assert re.search(r"<dt>Mean knowledge gain</dt><dd>22.5 points</dd>", html)
    assert "+50" in html and "-5" in html
    following = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    rest = owner_client.get(following).get_data(as_text=True)
    assert rest.count('<th scope="row">') == 9 and 'rel="next"' not in rest
    filtered = owner_client.get(f"/teach/courses/{course.slug}/gradebook?country=VN"
                                "&sort=-final").get_data(as_text=True)
    assert filtered.count('<th scope="row">') == 1 and "Bob Brown" in filtered
    assert 'href="/teach/courses/assessed-course/gradebook.csv?country=VN&amp;sort=-final"' \
        in filtered
    assert '<option value="VN" selected>' in filtered


def test_the_teaching_page_links_each_gradebook(db, course, owner_client):
    html = owner_client.get("/teach/").get_data(as_text=True)
    assert f'href="/teach/courses/{course.slug}/gradebook"' in html


def test_the_page_speaks_thai(db, course, owner_client):
    post_form(owner_client, "/language", {"locale": "th"})
    html = owner_client.get(f"/teach/courses/{course.slug}/gradebook").get_data(as_text=True)
    assert 'lang="th"' in html and "<h1>สมุดคะแนน</h1>" in html


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):])))


def test_csv_streams_every_filtered_row_neutralising_formulas(db, app, course, owner_client,
                                                             make_user):
    evil = {"=HYPERLINK(\"http://evil.example\",\"x\")": "+1", "@SUM(A1:A9)": "-2+3",
            "\tTabbed": "\rReturn"}
    for name, organisation in evil.items():
        _enrol(db, make_user("learner", name=name, organisation=organisation, country="TH"),
               course)
    db.session.commit()
    response = owner_client.get(f"/teach/courses/{course.slug}/gradebook.csv", buffered=True)
    assert response.status_code == 200
    assert "Content-Length" not in response.headers  # streamed: the length is not known
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="?gradebook-assessed-course-\d{4}-\d\d-\d\d\.csv"?',
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = _csv(response)
    assert header[:4] == ["Name", "Email", "Organisation", "Country"]
    assert header[-1] == "Knowledge gain (points)" and len(header) == 14
    assert len(rows) == 7
    cells = {row[0]: row for row in rows}
    for name, organisation in evil.items():
        row = cells["'" + name]
        assert row[2] == "'" + organisation
    bob = cells["Bob Brown"]
    assert bob[9:14] == ["60.0", "55.0", "2", "no", "-5.0"]  # a negative number stays one
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row)
    only = _csv(owner_client.get(f"/teach/courses/{course.slug}/gradebook.csv?country=VN",
                                buffered=True))
    assert [row[0] for row in only[1:]] == ["Bob Brown"]


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (None, ""), (-5.5, "-5.5"),
    (3, "3"), (True, "1"), ("a=b", "a=b")])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_the_learner_page_lists_lessons_and_attempts(db, course, owner_client):
    alice = course.people["alice"]
    html = owner_client.get(f"/teach/courses/{course.slug}/learners/{alice.id}").get_data(
        as_text=True)
    assert "Alice Archer" in html and "Supreme Court" in html
    attempts = db.session.scalars(sa.select(Attempt.id).where(Attempt.user_id == alice.id))
    for attempt_id in attempts:
        assert f'href="/teach/attempts/{attempt_id}"' in html
    assert html.count("Extra ") == 2 and "3 of 3 lessons" in html


def test_a_learner_of_another_course_is_not_found(db, course, owner_client, make_user):
    assert owner_client.get(f"/teach/courses/{course.slug}/learners/"
                            f"{course.other_learner.id}").status_code == 404
    assert owner_client.get(f"/teach/courses/{course.slug}/learners/999999").status_code == 404


def test_staff_review_an_attempt_with_the_key(db, app, course, tiny_course, owner_client,
                                              learner_client, learner, make_user):
    tiny = db.session.get(Course, tiny_course.id)
    complete_course(learner_client, tiny)
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == learner.id))
    url = f"/teach/attempts/{attempt.id}"
    assert owner_client.get(url).status_code == 404  # staff of assessed-course only
    grader = make_user("instructor")
    make_staff(grader, tiny, "grader")
    html = _client(app, grader).get(url).get_data(as_text=True)
    assert "Which instrument holds the ASEAN non-punishment provision?" in html
    assert "correct" in html and "100%" in html
    learner_page = _client(app, grader).get(f"/teach/courses/tiny-course/learners/{learner.id}")
    assert f'href="{url}"' in learner_page.get_data(as_text=True)


# Who gets what from each page: the gradebook, its CSV, a learner, an attempt.
MATRIX = {"anonymous": 302, "learner": 403, "instructor of another course": 404,
          "grader": 200, "editor": 200, "owner": 200, "admin": 200}


@pytest.mark.parametrize("who", list(MATRIX))
def test_each_person_gets_what_their_role_on_the_course_allows(db, app, make_user, course,
                                                               tiny_course, who):
    alice = course.people["alice"]
    attempt_id = db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == alice.id)
                                   .limit(1))
    client = app.test_client()
    if who != "anonymous":
        role = {"learner": "learner", "admin": "admin"}.get(who, "instructor")
        user = make_user(role)
        if who == "instructor of another course":
            make_staff(user, db.session.get(Course, tiny_course.id), "owner")
        elif role == "instructor":
            make_staff(user, course, who)
        login(client, user)
    for url in (f"/teach/courses/{course.slug}/gradebook",
                f"/teach/courses/{course.slug}/gradebook.csv",
                f"/teach/courses/{course.slug}/learners/{alice.id}",
                f"/teach/attempts/{attempt_id}"):
        response = client.get(url, buffered=True)  # a CSV is read in the request's context
        assert response.status_code == MATRIX[who], (who, url, response.status_code)
        if who == "anonymous":
            assert response.headers["Location"].startswith("/login?next=")
    missing = client.get("/teach/courses/no-such-course/gradebook").status_code
    assert missing == (MATRIX[who] if MATRIX[who] != 200 else 404)


def test_the_page_costs_the_same_with_3_learners_as_with_30(db, app, course, owner_client,
                                                            make_user, query_counter):
    urls = [f"/teach/courses/{course.slug}/gradebook",
            f"/teach/courses/{course.slug}/gradebook?sort=-final&status=in_progress&q=org",
            f"/teach/courses/{course.slug}/learners/{course.people['alice'].id}"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with query_counter() as statements:
                assert owner_client.get(url).status_code == 200
            found.append(len(statements))
        return found

    few = counts()
    _seed_more(db, course, make_user, learners=30, lessons=6)
    many = counts()
    assert few == many, (few, many)
    assert many[0] <= 5 and many[2] <= 6, many  # rows and summary are one statement
    html = owner_client.get(urls[0]).get_data(as_text=True)
    after = re.search(r"<dt>Enrolled</dt><dd>(\d+)</dd>", html).group(1)
    assert after == "34"
    with query_counter() as statements:
        assert len(_csv(owner_client.get(f"/teach/courses/{course.slug}/gradebook.csv",
                                         buffered=True))) == 35
    assert len(statements) <= 6, len(statements)


def test_each_page_has_one_h1(db, app, course, owner_client):
    alice = course.people["alice"]
    attempt_id = db.session.scalar(sa.select(Attempt.id).where(Attempt.user_id == alice.id)
                                   .limit(1))
    for url in (f"/teach/courses/{course.slug}/gradebook",
                f"/teach/courses/{course.slug}/learners/{alice.id}",
                f"/teach/attempts/{attempt_id}"):
        html = owner_client.get(url).get_data(as_text=True)
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url


@pytest.mark.browser
def test_the_gradebook_scrolls_inside_its_box_on_a_360_px_phone(db, live_server, browser,
                                                                course, make_user):
    from tests.fixtures.browser import sign_in
    from tests.fixtures.users import PASSWORD

    owner = make_user("instructor")
    make_staff(owner, course, "owner")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, owner.email, PASSWORD)
    alice = course.people["alice"]
    for url in (f"/teach/courses/{course.slug}/gradebook",
                f"/teach/courses/{course.slug}/learners/{alice.id}"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        box = page.locator(".table-wrap.gradebook").first
        assert box.evaluate("e => e.scrollWidth > e.clientWidth"), url  # it scrolls itself
        assert box.get_attribute("tabindex") == "0"  # and a keyboard can scroll it
    context.close()
