"""The M&E report pages (issue 11): who may open them, every figure by several breakdowns,
bad choices shown beside the table, small cells never shown (in the table or the chart),
the help page's definitions, a query count that does not grow with the data, escaping.

The data is tests/report_fixture.py: its hand-computed tables say, for example, that
enrolments by sex are 30 women, 21 men, 3 who prefer not to say and 2 not recorded.
"""
from __future__ import annotations

import re

import pytest
from markupsafe import escape

from lms.catalog.models import Course
from lms.core.db import db
from lms.reporting.dimensions import DIMENSIONS
from lms.reporting.figures import FIGURES, PERIOD_RULE
from tests.bulk import completed_learners
from tests.fixtures.users import login
from tests.report_fixture import LEARNERS, STAFF, build_report_fixture

PAIRS = [("sex", "none"), ("country", "sector"), ("none", "disability"),
         ("age_band", "agency_level")]


@pytest.fixture
def data():
    return build_report_fixture()


@pytest.fixture
def me_client(app, make_user):
    client = app.test_client()
    login(client, make_user("me_officer", name="M&E Officer"))
    return client


def page(client, url: str = "/reports/", **args) -> str:
    response = client.get(url, query_string=args)
    assert response.status_code == 200, (url, args, response.status_code)
    return response.get_data(as_text=True)


def row_cells(html: str, label: str) -> list[str]:
    """The cells of the table row headed `label`."""
    table = re.search(r'<table class="me-table">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table, re.S)
    assert row, label
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


def chart_bar(html: str, label: str) -> tuple[str, str]:
    """(state, inner SVG) of the chart's bar labelled `label`."""
    for state, inner in re.findall(r'<g class="bar" data-state="(\w+)">(.*?)</g>', html, re.S):
        if re.search(rf">{re.escape(label)}</text>", inner):
            return state, inner
    raise AssertionError(label)


@pytest.mark.parametrize("url", ["/reports/", "/reports/help"])
def test_who_may_open_the_pages(app, make_user, url):
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=")
    for role, status in (("learner", 403), ("instructor", 403), ("me_officer", 200),
                         ("admin", 200)):
        client = app.test_client()
        login(client, make_user(role))
        assert client.get(url).status_code == status, role


def test_an_me_officer_sees_no_learner_and_no_extract(data, me_client):
    people = [(f"Learner {line.split()[0]}", f"{line.split()[0]}@example.org")
              for line in LEARNERS.strip().splitlines()]
    people += [(f"Staff {code}", f"{code}@example.org") for code in STAFF]
    urls = [("/reports/", {}), ("/reports/", {"figure": "completed", "rows": "country",
                                              "cols": "sex", "period": "2025"}),
            ("/reports/", {"course": data.courses["A"], "cohort": data.cohort_id}),
            ("/reports/help", {})]
    for url, args in urls:
        html = page(me_client, url, **args)
        assert "/reports/extract" not in html, (url, args)
        for name, email in people:
            assert name not in html and email not in html, (url, args, name)
    html = page(me_client)
    assert 'href="/reports/export.csv?' in html and 'href="/reports/export.xlsx?' in html
    assert "<details" in html and "18 comments" in html  # anonymous: no name beside them


def test_an_admin_sees_the_extract_links(data, admin_client):
    html = page(admin_client, period="2025", country="TH")
    assert 'href="/reports/extract.csv?period=2025&amp;country=TH"' in html
    assert 'href="/reports/extract.xlsx?period=2025&amp;country=TH"' in html
    assert 'href="/reports/quarterly.pdf?period=2025&amp;country=TH"' in html


@pytest.mark.parametrize("rows,cols", PAIRS)
def test_every_figure_by_several_breakdowns(data, me_client, rows, cols):
    for key, figure in FIGURES.items():
        html = page(me_client, figure=key, rows=rows, cols=cols, period="2025-Q1")
        caption = re.search(r'<caption id="me-caption">(.*?)</caption>', html).group(1)
        assert str(escape(str(figure.label))) in caption and "Quarter 1 of 2025" in caption
        assert '<svg class="me-chart" role="img"' in html, key
        assert 'class="problems"' not in html, key
        if cols != "none":
            assert str(escape(str(DIMENSIONS[cols].label))) in caption
        assert 'href="/reports/quarterly.pdf?period=2025-Q1"' in html


def test_bad_filters_are_dropped_with_a_message(data, me_client):
    html = page(me_client, period="1999-Q9", course="abc", cohort="999999", country="QQ",
                sector="pirates", organisation="o" * 201, figure="completed")
    problems = re.search(r'<div class="problems" role="alert">(.*?)</div>', html, re.S).group(1)
    for message in ("Choose a period from the list", "That course is not in the list.",
                    "That cohort is not in the list.", "That country is not in the list.",
                    "That sector is not in the list.", "at most 200 characters"):
        assert message in problems, message
    # The table is shown, for all time and with no filter; downloads carry none of them.
    assert '<caption id="me-caption">Completed by Sex, All time</caption>' in html
    assert 'href="/reports/export.csv?figure=completed&amp;rows=sex&amp;cols=none&amp;' \
           'period=all"' in html
    unknown = page(me_client, course=str(data.courses["B"] + 100))
    assert "That course is not in the list." in unknown


def test_an_unknown_figure_or_breakdown_shows_a_message(data, me_client):
    html = page(me_client, figure="profit", rows="shoe_size", cols="sex")
    assert "There is no such figure: showing “Enrolled” instead." in html
    assert html.count("There is no such breakdown") == 1
    # The unknown rows fall back to the default (sex); the columns asked for are kept.
    assert '<caption id="me-caption">Enrolled: Sex × Sex, All time</caption>' in html
    assert "Enrolled by Sex, All time" in page(me_client, figure="profit")


def test_a_small_cell_is_shown_as_under_the_threshold_never_as_its_number(data, me_client):
    html = page(me_client, figure="enrolled", rows="sex")
    assert row_cells(html, "Female") == ["30"] and row_cells(html, "Male") == ["21"]
    # 3 prefer not to say, 2 not recorded: both under 5.
    assert row_cells(html, "Prefer not to say") == ["&lt;5"]
    assert row_cells(html, "Not recorded") == ["&lt;5"]
    for label, number in (("Prefer not to say", "3"), ("Not recorded", "2")):
        state, inner = chart_bar(html, label)
        assert state == "small" and "<rect" not in inner
        assert f">{number}<" not in inner and '<text class="value"' in inner
        assert f"{label}: {number}" not in html
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", html).group(1)
    assert "Female: 30" in desc and "Prefer not to say: &lt;5" in desc
    assert "&lt;5" in re.search(r'<dl class="me-legend".*?</dl>', html, re.S).group(0)


def test_the_chart_is_named_and_draws_no_bar_for_a_hidden_cell(data, me_client):
    html = page(me_client, figure="mean_gain", rows="sector", cols="sex", period="2025")
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<script" not in html.lower()
    labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    assert re.search(rf'<title id="{labelled[0]}">Mean knowledge gain: Sector × Sex, '
                     r"Year 2025</title>", svg)
    assert re.search(rf'<desc id="{labelled[1]}">[^<]+</desc>', svg)
    bars = re.findall(r'<g class="bar" data-state="(\w+)">(.*?)</g>', svg, re.S)
    states = {state for state, _inner in bars}
    assert {"shown", "small", "hidden"} <= states, states
    for state, inner in bars:
        value = re.search(r'<text class="value"[^>]*>(.*?)</text>', inner).group(1)
        if state in ("small", "hidden", "none"):
            assert "<rect" not in inner
            assert value == {"small": "&lt;5", "hidden": "x", "none": "–"}[state]
        else:
            assert "<rect" in inner and re.fullmatch(r"-?[\d,.]+", value), value
    # A category with nothing to draw is in the table, not in the chart.
    assert row_cells(html, "Immigration") == ["–"] * 6 and ">Immigration<" not in svg
    # The police row's total (27.3) is both in the table and drawn.
    assert row_cells(html, "Police")[-1] == "27.3"
    assert re.search(r'<text class="value"[^>]*>27\.3</text>', svg)


def test_the_help_page_defines_every_figure_and_the_rules(data, me_client):
    html = page(me_client, "/reports/help")
    for figure in FIGURES.values():
        assert str(escape(str(figure.label))) in html, figure.key
        assert str(escape(str(figure.definition))) in html, figure.key
    assert str(escape(str(PERIOD_RULE))) in html
    for key, dimension in DIMENSIONS.items():
        if key == "none":
            continue
        assert str(escape(str(dimension.label))) in html
        for category in dimension.categories():
            assert str(escape(category.label)) in html, (key, category.key)
    assert html.count("Not recorded") >= 6
    for words in ("a lot of difficulty", "cannot do at all", "Washington Group",
                  "shown as “&lt;5”", "shown as “x”", "Zero is shown", "whole years and quarters",
                  "the same way on every page", "learner-level extract", "audit log"):
        assert words in html, words


def test_the_query_count_does_not_grow_with_the_data(data, me_client, query_counter):
    urls = [("/reports/", {}),
            ("/reports/", {"figure": "mean_gain", "rows": "sector", "cols": "sex"}),
            ("/reports/", {"figure": "completed", "rows": "country", "cols": "age_band",
                           "country": "TH", "course": data.courses["A"], "period": "2025"})]

    def counts() -> list[int]:
        found = []
        for url, args in urls:
            with query_counter() as statements:
                page(me_client, url, **args)
            found.append(len(statements))
        return found

    small = counts()
    completed_learners(db.session.get(Course, data.courses["A"]), 150)
    large = counts()
    assert small == large, (small, large)
    assert max(large) <= 12, large


def test_hostile_organisation_text_is_escaped(data, me_client):
    hostile = '<script>alert("x")</script>'
    html = page(me_client, organisation=hostile)
    assert hostile not in html and "<script>" not in html
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in html
    assert "Organisation: &lt;script&gt;" in html
    assert "organisation=%3Cscript%3Ealert(%22x%22)%3C/script%3E" in html


def test_a_period_without_enrolments_stays_chosen(data, me_client):
    html = page(me_client, period="2019", rows="country", cols="sex")
    assert '<option value="2019" selected>Year 2019</option>' in html
    assert "<dd>0</dd>" in html and "<rect" not in html
    assert "Every cell of this table is zero or has no value." in html
