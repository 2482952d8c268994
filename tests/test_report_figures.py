"""Every figure of the reports against answers worked out by hand from
tests/report_fixture.py (each number's arithmetic is in its comment), at the total level:
all time, a year, a quarter, and under each filter.

Shorthand in the comments: C completed, T took the final and failed, X passed without
completing, S started only, E enrolled only; "A" and "B" are the two courses (48 and 1.5
CPD hours). 2024-Q3: u16 u28 u39 (A). 2024-Q4: u01–u04 u09–u11 u23 u24 u34 (A).
2025-Q1: u05–u08 u15 u17–u19 u25–u27 u29 u30 (A), u01–u03 u34 (B). 2025-Q2: the rest.
"""
from __future__ import annotations

from fractions import Fraction as F

import pytest

from lms.reporting.figures import FIGURES
from lms.reporting.filters import Filters, filters_from_args
from lms.reporting.periods import parse_period
from lms.reporting.tables import overview
from tests.report_fixture import build_report_fixture


@pytest.fixture
def data(app):
    built = build_report_fixture()
    with app.test_request_context():
        yield built


def figures(filters: Filters, threshold: int = 5) -> dict:
    """{figure key: value, or "<5" / "x" / "–" when not shown}."""
    marks = {"small": "<5", "hidden": "x", "none": "–"}
    return {figure.key: cell.value if cell.state == "shown" else marks[cell.state]
            for figure, cell in overview(filters, threshold)}


def period(key: str) -> Filters:
    return Filters(period=parse_period(key))


def assert_figures(found: dict, expected: dict) -> None:
    assert set(expected) == set(FIGURES), "every figure is checked"
    for key, value in expected.items():
        if isinstance(value, F | float):
            assert found[key] == pytest.approx(float(value), abs=1e-9), key
        else:
            assert found[key] == value, key


ALL_TIME = {
    # 40 in A + 16 in B; the instructor (A) and the admin (B) are not counted.
    "enrolled": 56,
    # 56 − E (A: u07 u14 u22 u27 u33 u38; B: u06 u11 u19 u30) = 56 − 10
    "started": 46,
    # C: A 21 (u01 u02 u03 u05 u08 u09 u12 u15 u16 u17 u18 u20 u23 u25 u28 u29 u30 u31
    # u34 u37 u40) + B 7 (u01 u02 u04 u09 u17 u23 u34)
    "completed": 28,
    # C 28 + X (u11 u36) 2
    "passed": 30,
    # C 28 − u03 A (revoked only) − u30 A (expired) − u23 B (none); u08 A's re-issue counts
    "certified": 25,
    # A 21 × 48 = 1,008; B 7 × 1.5 = 10.5
    "cpd_hours": 1018.5,
    "completion_rate": F(28, 56),  # 50%
    # took the final: C 28 + X 2 + T (A: u04 u19 u24 u32 u39; B: u05 u29) 7 = 37
    "pass_rate": F(30, 37),
    # pre scores: A C 930 (20 of them: u12 has none) + T 180 + u36 50 + S (u10 u26) 90
    # = 1,250 over 28; B C 480 + T 80 + u18 40 = 600 over 10 → 1,850 / 38
    "mean_pre": F(1850, 38),
    # finals: A C 1,685 + T 240 + X 155 = 2,080; B C 640 + T 100 = 740 → 2,820 / 37
    "mean_final": F(2820, 37),
    # paired (both scores): A 26 (C 20, T 5, u36), B 9 → 35; pre 1,160 + 560 = 1,720;
    # final 1,600 + 80 + 240 = 1,920 (A) + 740 (B) = 2,660 → (2,660 − 1,720) / 35
    "mean_gain": F(940, 35),
    # (76 − 1720/35) / (100 − 1720/35) = 940 / (3,500 − 1,720)
    "normalised_gain": F(940, 1780),
    # 18 answers (A 15, B 3): relevance 60 + 14, clarity 59 + 14, confidence 57 + 13
    "feedback_relevance": F(74, 18),
    "feedback_clarity": F(73, 18),
    "feedback_confidence": F(70, 18),
    # 12 follow-ups (A 10, B 2), "no" from u03 and u23 → 10 used
    "follow_up_used": F(10, 12),
}


def test_every_figure_for_all_time_counts_learners_only(data):
    assert_figures(figures(Filters()), ALL_TIME)


def test_a_year(data):
    assert_figures(figures(period("2024")), {
        "enrolled": 13,  # 3 + 10
        "started": 13,  # no E in 2024
        "completed": 8,  # u16 u28 + u01 u02 u03 u09 u23 u34
        "passed": 9,  # + u11 (X)
        "certified": 7,  # 8 − u03 (revoked)
        "cpd_hours": 384.0,  # 8 × 48
        "completion_rate": F(8, 13),
        # took the final: 3 + (6 C, u04 u24 T, u11 X) 9 = 12
        "pass_rate": F(9, 12),
        # pre: u16 50 u28 20 u39 60 + u01 40 u02 50 u03 60 u04 30 u09 20 u10 40 u23 40
        # u24 30 u34 60 = 500 over 12
        "mean_pre": F(500, 12),
        # final: 70 + 80 + 50 + (80 90 70 40 60 75 70 45 100 = 630) = 830 over 12
        "mean_final": F(830, 12),
        # paired 11 (not u10, u11): pre 500 − 40 = 460, final 830 − 75 = 755
        "mean_gain": F(295, 11),
        "normalised_gain": F(295, 1100 - 460),
        # u16 u28 u01 u02 u03 u23 u34: relevance 3+5+5+4+3+3+5, clarity 4+5+4+4+3+3+4,
        # confidence 2+4+4+3+3+4+4
        "feedback_relevance": F(28, 7),
        "feedback_clarity": F(27, 7),
        "feedback_confidence": F(24, 7),
        # u16 u01 u02 u03 u09 u23 u34: no from u03, u23
        "follow_up_used": F(5, 7),
    })


def test_a_quarter(data):
    assert_figures(figures(period("2025-Q1")), {
        "enrolled": 17,  # A 13 + B 4
        "started": 15,  # − u07 u27
        "completed": 11,  # A u05 u08 u15 u17 u18 u25 u29 u30 + B u01 u02 u34
        "passed": 11,
        "certified": 10,  # − u30 (expired)
        "cpd_hours": 388.5,  # 8 × 48 + 3 × 1.5
        "completion_rate": F(11, 17),
        "pass_rate": F(11, 12),  # took the final: 11 C + u19
        # pre: A C 50+70+60+30+40+60+40+30 = 380, u19 20, u26 50; B 60+70+90 = 220
        "mean_pre": F(670, 13),
        # final: A C 100+80+90+70+80+80+90+60 = 650, u19 50; B 100+90+100 = 290
        "mean_final": F(990, 12),
        # paired 12 (all who took the final): pre 670 − 50 (u26) = 620, final 990
        "mean_gain": F(370, 12),
        "normalised_gain": F(370, 1200 - 620),
        # u05 u08 u17 u29 (A), u01 u34 (B)
        "feedback_relevance": F(5 + 4 + 5 + 4 + 5 + 5, 6),
        "feedback_clarity": F(5 + 4 + 4 + 4 + 5 + 5, 6),
        "feedback_confidence": F(5 + 4 + 5 + 5 + 5 + 4, 6),
        # follow-ups u17 u25 u29 u34(B): 4 < 5
        "follow_up_used": "<5",
    })


def test_small_quarters_are_suppressed_with_their_complement(data):
    """2024-Q3 holds 3 enrolments: every count is under 5. In the line 2024 = Q1 + Q2 +
    Q3 + Q4 (Q1, Q2 empty) it is the only hidden member, so Q4 is hidden too."""
    small = figures(period("2024-Q3"))
    assert set(small.values()) == {"<5"}
    hidden = figures(period("2024-Q4"))
    # follow-ups used: Q3 1, Q4 4: both small of themselves
    assert hidden.pop("follow_up_used") == "<5"
    assert set(hidden.values()) == {"x"}


def test_an_empty_year_has_zero_counts_and_no_rates(data):
    empty = figures(period("2023"))
    assert [empty[key] for key in ("enrolled", "completed", "certified")] == [0, 0, 0]
    assert empty["completion_rate"] == empty["mean_gain"] == "–"


def test_course_filter(data):
    found = figures(Filters(course_id=data.courses["B"]))
    assert_figures(found, {
        "enrolled": 16,  # the admin's enrolment in B is not counted
        "started": 12,  # − u06 u11 u19 u30
        "completed": 7,
        "passed": 7,
        "certified": 6,  # − u23
        "cpd_hours": 10.5,
        "completion_rate": F(7, 16),
        "pass_rate": F(7, 9),  # + T u05 u29
        "mean_pre": F(600, 10),
        "mean_final": F(740, 9),
        "mean_gain": F(740 - 560, 9),
        "normalised_gain": F(180, 900 - 560),
        # 3 answers (u01 u34 u17), 2 follow-ups (u04 u34): under 5
        "feedback_relevance": "<5", "feedback_clarity": "<5", "feedback_confidence": "<5",
        "follow_up_used": "<5",
    })


def test_cohort_filter_counts_members_in_the_cohorts_courses(data):
    """Members u01–u08 (and the instructor), course A only: their B enrolments and the
    instructor's do not count."""
    found = figures(Filters(cohort_id=data.cohort_id), threshold=1)
    assert_figures(found, {
        "enrolled": 8,
        "started": 7,  # − u07
        "completed": 5,  # u01 u02 u03 u05 u08
        "passed": 5,
        "certified": 4,  # − u03 (revoked)
        "cpd_hours": 240.0,  # 5 × 48
        "completion_rate": F(5, 8),
        "pass_rate": F(5, 6),  # + u04 (T)
        "mean_pre": F(40 + 50 + 60 + 30 + 50 + 70, 6),
        "mean_final": F(80 + 90 + 70 + 40 + 100 + 80, 6),
        "mean_gain": F(460 - 300, 6),
        "normalised_gain": F(160, 600 - 300),
        # u01 u02 u03 u05 u08
        "feedback_relevance": F(5 + 4 + 3 + 5 + 4, 5),
        "feedback_clarity": F(4 + 4 + 3 + 5 + 4, 5),
        "feedback_confidence": F(4 + 3 + 3 + 5 + 4, 5),
        "follow_up_used": F(2, 3),  # u01 yes, u02 partly, u03 no
    })


@pytest.mark.parametrize("args, enrolled, completed, certified", [
    # KH: A u17–u28 (12) + B u17 u18 u19 u23 (4); C: A u17 u18 u20 u23 u25 u28, B u17 u23
    ({"country": "KH"}, 16, 8, 7),
    # police: A u01 u02 u03 u09 u10 u17 u18 u23 u26 u29 u34 u35 u40 (13) + B u01 u02 u03
    # u09 u10 u17 u18 u23 u29 u34 (10); C: A 10 (not u10 u26 u35), B 6; no cert: u03 A, u23 B
    ({"sector": "police"}, 23, 16, 14),
    # "Royal Thai Police" however typed: u01 u02 u03 u09 u10, each in A and B; C: A u01
    # u02 u03 u09, B u01 u02 u09; u03 A revoked. The staff's own force is not counted.
    ({"organisation": "  ROYAL  thai police "}, 10, 7, 6),
    # TH judiciary (u04 u05 u11 u14) in 2025: u05 A, u14 A, u04 B, u05 B, u11 B; C: u05 A,
    # u04 B
    ({"country": "TH", "sector": "judiciary", "period": "2025"}, 5, 2, 2),
])
def test_country_sector_and_organisation_filters(data, args, enrolled, completed, certified):
    filters, problems = filters_from_args(args)
    assert problems == []
    found = figures(filters, threshold=1)
    assert (found["enrolled"], found["completed"], found["certified"]) == (
        enrolled, completed, certified)


def test_country_filter_hours_and_rates(data):
    found = figures(Filters(country="KH"), threshold=1)
    assert found["cpd_hours"] == 6 * 48 + 2 * 1.5
    assert found["completion_rate"] == pytest.approx(8 / 16)
    # took the final: C 8 + T u19 u24 → 10
    assert found["pass_rate"] == pytest.approx(8 / 10)
