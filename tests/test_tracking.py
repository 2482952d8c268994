"""Cohort tracking: figures, overdue, filters, sorts, pages, chart, exports, access, budget."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from lms.learning.cohorts import CohortCourse
from lms.reporting import tracking
from lms.reporting.tracking import Filters
from tests.fixtures.users import login, make_staff
from tests.tracking_data import add_instructor, add_member, bulk_members, make_cohort

BEFORE_DUE = datetime(2027, 3, 20, 3, 0, tzinfo=UTC)
# 03:00 UTC on 1 April: already 1 April in Bangkok, still 31 March in New York.
AFTER_DUE = datetime(2027, 4, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    """Set "now" for the tracking pages (what today is, in each viewer's zone)."""
    def freeze(moment: datetime) -> None:
        monkeypatch.setattr(tracking, "utcnow", lambda: moment)
    freeze(BEFORE_DUE)
    return freeze


@pytest.fixture
def programme(db, tiny_course, make_user):
    """A cohort taking the two-lesson tiny course, due on 31 March 2027, with one member
    in each situation; and people who must not show (another cohort, not a member)."""
    cohort = make_cohort(tiny_course)
    seen = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    people = {
        "ann": add_member(cohort, make_user(name="Ann Absent"), tiny_course, enrolled=False),
        "ben": add_member(cohort, make_user(name="Ben Idle"), tiny_course),
        "chai": add_member(cohort, make_user(name="Chai Reader"), tiny_course, lessons=1,
                           last_active=seen),
        "dao": add_member(cohort, make_user(name="Dao Tester"), tiny_course, open_attempt=True,
                          pre=30.0),
        "eve": add_member(cohort, make_user(name="Eve Finisher"), tiny_course, lessons=2,
                          completed=True, pre=40.0, final=90.0, certificate="issued",
                          last_active=seen.replace(day=15)),
        "fon": add_member(cohort, make_user(name="Fon Revoked"), tiny_course, lessons=2,
                          completed=True, pre=80.0, final=70.0, certificate="revoked"),
    }
    other = make_cohort(tiny_course, name="Provincial police, Chiang Rai")
    add_member(other, make_user(name="Other Cohort"), tiny_course, lessons=2, completed=True)
    outsider = make_user(name="Not A Member")
    add_member(make_cohort(name="Empty", due_on=None), outsider)
    return cohort, tiny_course, people


def url(cohort, course, suffix: str = "", **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return (f"/cohorts/{cohort.id}/courses/{course.id}/tracking{suffix}"
            + (f"?{query}" if query else ""))


def page_of(cohort, course, today, **args) -> tracking.TrackingPage:
    return tracking.tracking_page(cohort, course.id, Filters.from_args(args), today=today)


def names(page) -> list[str]:
    return [row.name for row in page.items]


def test_figures_and_states(programme):
    cohort, course, _people = programme
    page = page_of(cohort, course, BEFORE_DUE.date())
    rows = {row.name: row for row in page.items}
    assert set(rows) == {"Ann Absent", "Ben Idle", "Chai Reader", "Dao Tester", "Eve Finisher",
                         "Fon Revoked"}
    assert page.summary == tracking.Summary(members=6, not_started=2, in_progress=2,
                                            completed=2, overdue=0, certified=1, matching=6)
    ann, chai, dao, eve, fon = (rows[n] for n in ("Ann Absent", "Chai Reader", "Dao Tester",
                                                  "Eve Finisher", "Fon Revoked"))
    assert ann.enrolled_at is None and ann.state == "not_started" and ann.lessons_total == 2
    assert (chai.state, chai.lessons_done, chai.lessons_total) == ("in_progress", 1, 2)
    assert chai.last_active_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert (dao.state, dao.lessons_done, dao.pre_score, dao.final_score) == (
        "in_progress", 0, 30.0, None)
    assert dao.last_active_at == dao.enrolled_at + timedelta(days=2)  # the test opened
    assert ann.last_active_at is None
    assert (eve.state, eve.lessons_done, eve.pre_score, eve.final_score, eve.knowledge_gain) == (
        "completed", 2, 40.0, 90.0, 50.0)
    assert eve.certified_at is not None and eve.completed_at is not None
    assert fon.certified_at is None and fon.certificate_lapsed and fon.knowledge_gain == -10.0
    assert not any(row.overdue for row in page.items)


def test_overdue_after_the_due_date_in_the_viewers_time_zone(programme, frozen, admin,
                                                            make_user, app):
    cohort, course, _people = programme
    frozen(AFTER_DUE)
    in_bangkok = app.test_client()
    login(in_bangkok, admin)  # country TH: Asia/Bangkok, 10:00 on 1 April
    html = in_bangkok.get(url(cohort, course, show="overdue")).get_data(as_text=True)
    listed = re.findall(r'<th scope="row">([^<]+)<br>', html)
    assert sorted(listed) == ["Ann Absent", "Ben Idle", "Chai Reader", "Dao Tester"]
    assert "the due date has passed" in html
    in_new_york = app.test_client()
    login(in_new_york, make_user("admin", timezone="America/New_York"))  # 23:00 on 31 March
    html = in_new_york.get(url(cohort, course, show="overdue")).get_data(as_text=True)
    assert re.findall(r'<th scope="row">([^<]+)<br>', html) == []
    assert "the due date has passed" not in html
    page = page_of(cohort, course, AFTER_DUE.date())
    assert page.summary.overdue == 4 and page.summary.completed == 2


@pytest.mark.parametrize(("show", "expected"), [
    ("not_started", {"Ann Absent", "Ben Idle"}),
    ("in_progress", {"Chai Reader", "Dao Tester"}),
    ("not_completed", {"Ann Absent", "Ben Idle", "Chai Reader", "Dao Tester"}),
    ("completed", {"Eve Finisher", "Fon Revoked"}),
    ("certified", {"Eve Finisher"}),
    ("overdue", set()),  # before the due date
    ("nonsense", {"Ann Absent", "Ben Idle", "Chai Reader", "Dao Tester", "Eve Finisher",
                  "Fon Revoked"}),
])
def test_filters(programme, show, expected):
    cohort, course, _people = programme
    page = page_of(cohort, course, BEFORE_DUE.date(), show=show)
    assert set(names(page)) == expected
    assert page.summary.matching == len(expected)
    assert page.summary.members == 6  # the summary always counts every member


def test_search_by_name_or_email(programme):
    cohort, course, people = programme
    assert names(page_of(cohort, course, BEFORE_DUE.date(), q="chai")) == ["Chai Reader"]
    email = people["eve"].email
    assert names(page_of(cohort, course, BEFORE_DUE.date(), q=email.upper())) == [
        "Eve Finisher"]
    assert names(page_of(cohort, course, BEFORE_DUE.date(), q="100%_")) == []


@pytest.mark.parametrize(("sort", "expected"), [
    ("name", ["Ann Absent", "Ben Idle", "Chai Reader", "Dao Tester", "Eve Finisher",
              "Fon Revoked"]),
    ("-progress", ["Eve Finisher", "Fon Revoked", "Chai Reader", "Ann Absent", "Ben Idle",
                   "Dao Tester"]),
    ("progress", ["Ann Absent", "Ben Idle", "Dao Tester", "Chai Reader", "Eve Finisher",
                  "Fon Revoked"]),
    # No score and no activity come last, whichever way.
    ("-final", ["Eve Finisher", "Fon Revoked", "Ann Absent", "Ben Idle", "Chai Reader",
                "Dao Tester"]),
    ("final", ["Fon Revoked", "Eve Finisher", "Ann Absent", "Ben Idle", "Chai Reader",
               "Dao Tester"]),
    # Last active: the account's, or the latest lesson or test in the course if later.
    ("-active", ["Eve Finisher", "Chai Reader", "Dao Tester", "Fon Revoked", "Ann Absent",
                 "Ben Idle"]),
    ("active", ["Fon Revoked", "Dao Tester", "Chai Reader", "Eve Finisher", "Ann Absent",
                "Ben Idle"]),
])
def test_sorting(programme, sort, expected):
    cohort, course, _people = programme
    assert names(page_of(cohort, course, BEFORE_DUE.date(), sort=sort)) == expected


def test_paging(db, tiny_course, admin_client, monkeypatch):
    cohort = make_cohort(tiny_course)
    bulk_members(cohort, tiny_course, 7)
    monkeypatch.setattr(tracking, "PER_PAGE", 3)
    seen = []
    for number in (1, 2, 3):
        html = admin_client.get(url(cohort, tiny_course, page=number)).get_data(as_text=True)
        assert f"Page {number} of 3" in html
        seen += re.findall(r'<th scope="row">([^<]+)<br>', html)
    assert seen == [f"Member {n:05d}" for n in range(7)]
    html = admin_client.get(url(cohort, tiny_course, page=9)).get_data(as_text=True)
    assert "No members match these filters." in html and "7 members shown" in html


def test_summary_chart_is_svg_with_its_numbers_as_text(programme, admin_client):
    cohort, course, _people = programme
    response = admin_client.get(url(cohort, course))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="progress-chart-title progress-chart-desc"' in svg
    assert "<title id=\"progress-chart-title\">Progress of the cohort&#39;s members</title>" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert desc == ("Of 6 members: 2 not started, 2 in progress, 2 completed; 0 overdue; "
                    "1 certified.")
    assert "<script" not in html.lower() and "style=" not in svg
    assert ">2 (33%)</text>" in svg and ">1 (17%)</text>" in svg
    assert svg.count("<rect") == 5


def test_cohort_index_lists_its_courses_with_counts(programme, assessed_course, admin_client):
    cohort, course, _people = programme
    html = admin_client.get(f"/cohorts/{cohort.id}/tracking").get_data(as_text=True)
    assert course.title in html
    row = re.search(r'<th scope="row"><a [^>]*>' + re.escape(course.title) + r"</a></th>(.*?)</tr>",
                    html, re.S).group(1)
    assert re.findall(r"<td>(?:<a [^>]*>)?(\d+)", row) == ["6", "2", "2", "2", "0", "1"]
    listing = admin_client.get("/tracking").get_data(as_text=True)
    assert cohort.name in listing and "Provincial police" in listing


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def hostile(db, tiny_course, make_user):
    cohort = make_cohort(tiny_course)
    add_member(cohort, make_user(name='=HYPERLINK("http://evil.example","click")',
                                 organisation="+cmd|' /C calc'!A0"), tiny_course,
               lessons=2, completed=True, pre=80.0, final=70.0)
    add_member(cohort, make_user(name="@SUM(1+1)", organisation="-2+3"), tiny_course)
    return cohort, tiny_course


def test_names_show_as_text_on_the_page(hostile, make_user, admin_client):
    cohort, course = hostile
    add_member(cohort, make_user(name='<script>alert("x")</script>'), course)
    html = admin_client.get(url(cohort, course)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_xlsx_rows_are_read_only_as_the_download_proceeds(app):
    from lms.core.xlsx_safe import xlsx_response

    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [f"=row {n}", n]

    with app.test_request_context():
        response = xlsx_response("x.xlsx", ["Text", "Number"], rows())
        assert response.is_streamed and read == []
        body = b"".join(response.response)
    assert read == [0, 1, 2]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Text", "Number"], ["=row 0", 0], ["=row 1", 1], ["=row 2", 2]]


def test_csv_export_is_filtered_and_formula_safe(hostile, admin_client):
    cohort, course = hostile
    response = admin_client.get(url(cohort, course, ".csv"), buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Name", "Email"] and len(body) == 2
    done = body[0]
    assert done[0] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert done[2].startswith("'+cmd")
    assert done[5:11] == ["2", "2", "100", "80.0", "70.0", "-10.0"]  # numbers, unprefixed
    assert done[11] == "Completed"
    assert body[1][0] == "'@SUM(1+1)" and body[1][2] == "'-2+3"
    only = _csv(admin_client.get(url(cohort, course, ".csv", show="not_started"),
                                 buffered=True))
    assert [row[0] for row in only[1:]] == ["'@SUM(1+1)"]


def test_xlsx_export_is_formula_safe_with_numbers_as_numbers(hostile, admin_client):
    cohort, course = hostile
    response = admin_client.get(url(cohort, course, ".xlsx", sort="-progress"), buffered=True)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    cells = [list(row) for row in sheet.iter_rows()]
    assert [c.value for c in cells[0][:2]] == ["Name", "Email"] and len(cells) == 3
    name, organisation = cells[1][0], cells[1][2]
    assert name.value == '=HYPERLINK("http://evil.example","click")'
    assert name.data_type == "s" and name.quotePrefix
    assert organisation.data_type == "s" and organisation.quotePrefix
    assert all(cell.data_type != "f" for row in cells for cell in row)
    figures = cells[1][5:11]
    assert [c.value for c in figures] == [2, 2, 100, 80, 70, -10]
    assert all(c.data_type == "n" for c in figures)
    assert isinstance(cells[1][3].value, datetime)  # enrolled: a date cell
    assert cells[2][0].value == "@SUM(1+1)" and cells[2][0].quotePrefix
    assert cells[2][2].value == "-2+3" and cells[2][2].data_type == "s"


# --- access --------------------------------------------------------------------------


def test_access_matrix(db, programme, assessed_course, app, make_user, learner):
    cohort, course, _people = programme
    db.session.add(CohortCourse(cohort_id=cohort.id, course_id=assessed_course.id))
    db.session.commit()
    cohort_teacher = make_user("instructor", name="Cohort Instructor")
    add_instructor(cohort, cohort_teacher)
    course_staff = make_user("instructor", name="Tiny Course Grader")
    make_staff(course_staff, course, "grader")
    stranger = make_user("instructor", name="Another Instructor")
    make_staff(stranger, assessed_course, "owner")
    other_cohort_teacher = make_user("instructor", name="Other Cohort Instructor")
    add_instructor(make_cohort(course, name="Elsewhere"), other_cohort_teacher)
    add_member(cohort, learner)

    tiny, assessed = url(cohort, course), url(cohort, assessed_course)
    pages = [tiny, url(cohort, course, ".csv"), url(cohort, course, ".xlsx")]
    expect = {
        "admin": (make_user("admin"), {tiny: 200, assessed: 200, "index": 200}),
        "cohort instructor": (cohort_teacher, {tiny: 200, assessed: 200, "index": 200}),
        "tiny course staff": (course_staff, {tiny: 200, assessed: 404, "index": 200}),
        "staff of the other course only": (stranger, {tiny: 404, assessed: 200, "index": 200}),
        "another cohort's instructor": (other_cohort_teacher,
                                        {tiny: 404, assessed: 404, "index": 404}),
        "member learner": (learner, {tiny: 403, assessed: 403, "index": 403}),
    }
    for role, (user, statuses) in expect.items():
        client = app.test_client()
        login(client, user)
        for target, status in statuses.items():
            path = f"/cohorts/{cohort.id}/tracking" if target == "index" else target
            assert client.get(path).status_code == status, (role, path)
        if statuses[tiny] != 200:
            for path in pages:
                assert client.get(path).status_code == statuses[tiny], (role, path)
        listing = client.get("/tracking")
        if role == "member learner":
            assert listing.status_code == 403
        else:
            shown = cohort.name in listing.get_data(as_text=True)
            assert shown == (statuses["index"] == 200), role
    anonymous = app.test_client().get(tiny)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # The staff of a course see its learners in this cohort, but not the other course.
    client = app.test_client()
    login(client, course_staff)
    index = client.get(f"/cohorts/{cohort.id}/tracking").get_data(as_text=True)
    assert course.title in index and assessed_course.title not in index
    # A course the cohort does not take: 404 even for an admin.
    admin = app.test_client()
    login(admin, make_user("admin"))
    assert admin.get(f"/cohorts/{cohort.id}/courses/999999/tracking").status_code == 404
    assert admin.get(f"/cohorts/999999/courses/{course.id}/tracking").status_code == 404


# --- a budget flat in the cohort's size ----------------------------------------------


def _statements(client, path, query_counter) -> int:
    with query_counter() as statements:
        response = client.get(path, buffered=True)
        assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_query_budget_is_flat_in_cohort_size(db, tiny_course, app, make_user, query_counter,
                                             suffix):
    small, large = make_cohort(tiny_course, name="Small"), make_cohort(tiny_course, name="Large")
    bulk_members(small, tiny_course, 3, prefix="small")
    bulk_members(large, tiny_course, 30, prefix="large")
    teacher = make_user("instructor")
    add_instructor(small, teacher)
    add_instructor(large, teacher)
    client = app.test_client()
    login(client, teacher)
    for args in ({}, {"show": "in_progress", "sort": "-final"}, {"sort": "-active", "page": 2}):
        counts = [_statements(client, url(cohort, tiny_course, suffix, **args), query_counter)
                  for cohort in (small, large)]
        assert counts[0] == counts[1], (suffix, args, counts)
        assert counts[0] <= 8, (suffix, args, counts)
    index = [_statements(client, f"/cohorts/{cohort.id}/tracking", query_counter)
             for cohort in (small, large)]
    assert index[0] == index[1] <= 6
