"""Report tables, rows by columns, against answers worked out by hand from
tests/report_fixture.py: every dimension with its "not recorded" category and totals,
exact values (threshold 1: nothing suppressed), then two tables whose every suppressed
cell was worked out by hand from the rule in lms/reporting/suppression.py, and the
cells as a reader sees them in English and Thai.

Each expected table lists its non-zero cells; every other cell must be 0.
"""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from lms.reporting.figures import FIGURES
from lms.reporting.filters import Filters
from lms.reporting.periods import parse_period
from lms.reporting.tables import TOTAL, Cell, build_table, display, overview
from tests.report_fixture import build_report_fixture

T = TOTAL
MARKS = {"small": "<5", "hidden": "x"}


@pytest.fixture
def data(app):
    built = build_report_fixture()
    with app.test_request_context():
        yield built


def grid(table) -> dict:
    """The table's cells that are not a shown zero: {(row, col): value or mark}."""
    out = {}
    for row in table.rows:
        for col in table.cols:
            cell = table.cell(row.key, col.key)
            if cell.state in MARKS:
                out[(row.key, col.key)] = MARKS[cell.state]
            elif cell.value:
                out[(row.key, col.key)] = cell.value
    return out


def table(figure: str, rows: str, cols: str, period: str = "all", threshold: int = 1,
          **filters):
    return build_table(Filters(period=parse_period(period), **filters), figure, rows, cols,
                       threshold)


def test_enrolled_by_sex_and_country(data):
    found = table("enrolled", "sex", "country")
    assert [c.key for c in found.cols][-3:] == ["ZZ", "missing", T]
    assert grid(found) == {
        # TH: A u01–u16, B u01–u06 u09–u11. Women u01–u08: A 8 + B 6; men u09–u14: A 6 +
        # B 3; u15 prefers not to say; u16's sex is not recorded.
        ("female", "TH"): 14, ("male", "TH"): 9, ("undisclosed", "TH"): 1,
        ("missing", "TH"): 1, (T, "TH"): 25,
        # KH: women u17–u22 (A 6 + B u17–u19), men u23–u27 (A 5 + B u23), u28
        ("female", "KH"): 9, ("male", "KH"): 6, ("undisclosed", "KH"): 1, (T, "KH"): 16,
        # VN: women u29–u33 (A 5 + B u29 u30), men u34–u38 (A 5 + B u34), u39, u40
        ("female", "VN"): 7, ("male", "VN"): 6, ("missing", "VN"): 1,
        ("undisclosed", "VN"): 1, (T, "VN"): 15,
        ("female", T): 30, ("male", T): 21, ("undisclosed", T): 3, ("missing", T): 2,
        (T, T): 56,
    }


def test_enrolled_by_sex_and_country_in_a_quarter(data):
    assert grid(table("enrolled", "sex", "country", "2025-Q2")) == {
        # TH: B u04–u06 │ A u12–u14, B u09–u11
        ("female", "TH"): 3, ("male", "TH"): 6, (T, "TH"): 9,
        # KH: A u20–u22, B u17–u19 │ B u23
        ("female", "KH"): 6, ("male", "KH"): 1, (T, "KH"): 7,
        # VN: A u31–u33, B u29 u30 │ A u35–u38 │ u40 (enrolled 1 April, 00:00 UTC)
        ("female", "VN"): 5, ("male", "VN"): 4, ("undisclosed", "VN"): 1, (T, "VN"): 10,
        ("female", T): 14, ("male", T): 11, ("undisclosed", T): 1, (T, T): 26,
    }


def test_enrolled_and_completed_by_sector_and_agency_level(data):
    assert grid(table("enrolled", "sector", "agency_level")) == {
        # national u01 u02 u17 u23 u29 u34 (×2) u40; provincial u03 u09 u18 (×2) u35;
        # local u10 (×2) u26
        ("police", "national"): 13, ("police", "provincial"): 7, ("police", "local"): 3,
        ("police", T): 23,
        # national u04 u11 u19 (×2) u31; provincial u05 (×2) u24; u37; u28; u14
        ("judiciary", "national"): 7, ("judiciary", "provincial"): 3,
        ("judiciary", "local"): 1, ("judiciary", "undisclosed"): 1,
        ("judiciary", "missing"): 1, ("judiciary", T): 13,
        # national u08 u15 u25 u36; provincial u21, u30 (×2); local u06 (×2); u12
        ("prosecution", "national"): 4, ("prosecution", "provincial"): 3,
        ("prosecution", "local"): 2, ("prosecution", "undisclosed"): 1,
        ("prosecution", T): 10,
        # local u07 u13 u20 u22 u32; provincial u16 u38; u27
        ("social_work", "local"): 5, ("social_work", "provincial"): 2,
        ("social_work", "missing"): 1, ("social_work", T): 8,
        ("undisclosed", "undisclosed"): 1, ("undisclosed", T): 1,  # u39
        ("missing", "missing"): 1, ("missing", T): 1,  # u33
        (T, "national"): 24, (T, "provincial"): 15, (T, "local"): 11,
        (T, "undisclosed"): 3, (T, "missing"): 3, (T, T): 56,
    }
    assert grid(table("completed", "sector", "agency_level")) == {
        # national: A u01 u02 u17 u23 u29 u34 u40, B u01 u02 u17 u23 u34; provincial: A u03
        # u09 u18, B u09
        ("police", "national"): 12, ("police", "provincial"): 4, ("police", T): 16,
        # A u31 + B u04; u05; u37; u28
        ("judiciary", "national"): 2, ("judiciary", "provincial"): 1,
        ("judiciary", "local"): 1, ("judiciary", "undisclosed"): 1, ("judiciary", T): 5,
        # u08 u15 u25; u30; u12
        ("prosecution", "national"): 3, ("prosecution", "provincial"): 1,
        ("prosecution", "undisclosed"): 1, ("prosecution", T): 5,
        ("social_work", "provincial"): 1, ("social_work", "local"): 1,  # u16; u20
        ("social_work", T): 2,
        (T, "national"): 17, (T, "provincial"): 7, (T, "local"): 2, (T, "undisclosed"): 2,
        (T, T): 28,
    }


def test_certified_by_age_band_and_disability(data):
    """u16's age band "18_24" is in no list: it counts as not recorded."""
    assert grid(table("certified", "age_band", "disability")) == {
        ("under_25", "undisclosed"): 1, ("under_25", T): 1,  # u40
        # A u01 u05 u17 u29 u37, B u01 u17
        ("25_34", "no"): 7, ("25_34", T): 7,
        # A u02 u09 u12 u23 u34, B u02 u09 u34; u18
        ("35_44", "no"): 8, ("35_44", "yes"): 1, ("35_44", T): 9,
        # A u20, B u04; u31; u25
        ("45_54", "no"): 2, ("45_54", "yes"): 1, ("45_54", "undisclosed"): 1,
        ("45_54", T): 4,
        ("55_64", "no"): 1, ("55_64", T): 1,  # u08
        ("undisclosed", "undisclosed"): 2, ("undisclosed", T): 2,  # u15 u28
        ("missing", "missing"): 1, ("missing", T): 1,  # u16
        (T, "yes"): 2, (T, "no"): 18, (T, "undisclosed"): 4, (T, "missing"): 1, (T, T): 25,
    }


def test_rates_and_means_by_disability(data):
    """With a disability: u03 u10 u18 u22 u31 u36; not disclosed: u06 u15 u25 u28 u40;
    not recorded: u07 u14 u16 u27 u33 u39; the rest: without."""
    rates = table("pass_rate", "disability", "none")
    assert [rates.cell(r, T).value for r in ("yes", "no", "undisclosed", "missing", T)] == [
        pytest.approx(v) for v in (
            4 / 4,  # passed u03 u18 u31 u36 (A), all who took the final
            21 / 27,  # the rest of 30 / 37: 30 − 4 − 4 − 1, 37 − 4 − 4 − 2
            4 / 4,  # u15 u25 u28 u40
            1 / 2,  # u16 passed, u39 failed
            30 / 37)]
    gains = table("mean_gain", "disability", "none")
    assert [gains.cell(r, T).value for r in ("yes", "no", "undisclosed", "missing", T)] == [
        pytest.approx(v) for v in (
            (10 + 40 + 30 + 30) / 4,  # u03 60→70, u18 40→80, u31 50→80, u36 50→80
            (940 - 110 - 130 - 10) / (35 - 4 - 4 - 2),
            (30 + 20 + 60 + 20) / 4,  # u15 60→90, u25 60→80, u28 20→80, u40 70→90
            (20 - 10) / 2,  # u16 50→70, u39 60→50
            940 / 35)]


def test_completed_by_country_in_a_year(data):
    assert grid(table("completed", "country", "none", "2024")) == {
        ("TH", T): 5,  # u16; u01 u02 u03 u09 (31 December, 23:30 UTC)
        ("KH", T): 2,  # u28; u23
        ("VN", T): 1,  # u34
        (T, T): 8,
    }


SEX_BY_PERIOD = {
    # Enrolled by sex and quarter (female / male / undisclosed / missing):
    # 2024-Q3 0/0/1/2 (3) · 2024-Q4 4/6/0/0 (10) · 2025-Q1 12/4/1/0 (17) ·
    # 2025-Q2 14/11/1/0 (26). Period totals first: Q3 2024 (3) is small, so Q4 2024 (10)
    # is hidden as the lone one in 2024 = Q1+Q2+Q3+Q4. Then the sex totals, line by line:
    # small: f 2024-Q4 4, f 2024 4, m 2025-Q1 4, every undisclosed and missing cell.
    # 2025 = f 26 + m 15 + u 2(<5): hide m 2025 (15, smaller than 26).
    # 2025-Q2 = f 14 + m 11 + u 1(<5): hide m 2025-Q2 (11).
    # f all = 2024(<5) + 2025 (26): hide f 2025. m all = 2024 (6) + 2025(x): hide m 2024.
    # Second pass: f 2025(x) = Q1 12 + Q2 14: hide f 2025-Q1. m 2024(x) = Q4 6: hide it.
    "all": {("female", T): 30, ("male", T): 21, ("undisclosed", T): "<5",
            ("missing", T): "<5", (T, T): 56},
    "2024": {("female", T): "<5", ("male", T): "x", ("undisclosed", T): "<5",
             ("missing", T): "<5", (T, T): 13},
    "2024-Q3": {("undisclosed", T): "<5", ("missing", T): "<5", (T, T): "<5"},
    "2024-Q4": {("female", T): "<5", ("male", T): "x", (T, T): "x"},
    "2025": {("female", T): "x", ("male", T): "x", ("undisclosed", T): "<5", (T, T): 43},
    "2025-Q1": {("female", T): "x", ("male", T): "<5", ("undisclosed", T): "<5",
                (T, T): 17},
    "2025-Q2": {("female", T): 14, ("male", T): "x", ("undisclosed", T): "<5",
                (T, T): 26},
}


@pytest.mark.parametrize("period", SEX_BY_PERIOD)
def test_suppression_by_sex_over_the_periods(data, period):
    found = table("enrolled", "sex", "none", period, threshold=5)
    assert grid(found) == SEX_BY_PERIOD[period]
    assert found.suppressed_any


COURSE_B = {
    # Course B by sex × country: 2025-Q1 TH f 3 (u01–u03), VN m 1 (u34); 2025-Q2 TH f 3
    # (u04–u06), TH m 3, KH f 3, KH m 1, VN f 2. Period totals: Q1 4 (<5) is alone in
    # 2025 = Q1 + Q2, so Q2 (12) is hidden. Sex totals: small f Q1 3, m Q1 1, m Q2 4 (m's
    # 5 is not small); f 2025 11 = Q1 3(<5) + Q2 8: hide f Q2. Country totals: small TH Q1
    # 3, all of KH (4) and of VN (3 = 1 + 2); TH 2025 9 = Q1 3(<5) + Q2 6: hide TH Q2.
    # Inner cells: all small but f TH in 2025 and all time (6); column TH there:
    # 9 = f 6 + m 3(<5): hide f TH. Every other line already has two or more concealed.
    "all": {("female", "TH"): "x", ("female", "KH"): "<5", ("female", "VN"): "<5",
            ("female", T): 11,
            ("male", "TH"): "<5", ("male", "KH"): "<5", ("male", "VN"): "<5", ("male", T): 5,
            (T, "TH"): 9, (T, "KH"): "<5", (T, "VN"): "<5", (T, T): 16},
    "2025-Q1": {("female", "TH"): "<5", ("female", T): "<5", ("male", "VN"): "<5",
                ("male", T): "<5", (T, "TH"): "<5", (T, "VN"): "<5", (T, T): "<5"},
    "2025-Q2": {("female", "TH"): "<5", ("female", "KH"): "<5", ("female", "VN"): "<5",
                ("female", T): "x", ("male", "TH"): "<5", ("male", "KH"): "<5",
                ("male", T): "<5", (T, "TH"): "x", (T, "KH"): "<5", (T, "VN"): "<5",
                (T, T): "x"},
}


@pytest.mark.parametrize("period", COURSE_B)
def test_suppression_of_a_course_by_sex_and_country(data, period):
    found = table("enrolled", "sex", "country", period, threshold=5,
                  course_id=data.courses["B"])
    assert grid(found) == COURSE_B[period]


def test_rates_and_means_follow_their_counts_suppression(data):
    """A rate is hidden wherever a count it divides is: completion rate by sex in 2025
    (female and male totals hidden, undisclosed small)."""
    found = table("completion_rate", "sex", "none", "2025", threshold=5)
    assert [found.cell(r, T).state for r in ("female", "male", "undisclosed", T)] == [
        "hidden", "hidden", "small", "shown"]
    assert found.cell("other", T).state == "none"  # no one: nothing to divide
    assert found.cell(T, T).value == pytest.approx(20 / 43)  # completed 9 + 11 of 43


@pytest.mark.parametrize("locale", ["en", "th"])
def test_cells_as_a_reader_sees_them(data, locale):
    cells = dict((figure.key, cell) for figure, cell in overview(Filters(), 5))
    texts = {}
    with force_locale(locale):
        for key in ("completion_rate", "pass_rate", "mean_pre", "normalised_gain",
                    "cpd_hours", "enrolled"):
            texts[key] = display(cells[key], FIGURES[key], 5)
        big = display(Cell(12345, "shown"), FIGURES["enrolled"], 5)
        marks = [display(Cell(None, state), FIGURES["enrolled"], 5)
                 for state in ("small", "hidden", "none")]
        ten = display(Cell(None, "small"), FIGURES["enrolled"], 10)
    # Thai writes numbers with Western digits and the same separators (CLDR).
    assert texts == {"completion_rate": "50%", "pass_rate": "81%", "mean_pre": "48.7",
                     "normalised_gain": "0.53", "cpd_hours": "1,018.5", "enrolled": "56"}
    assert big == "12,345"
    assert marks == ["<5", "x", "–"]
    assert ten == "<10"


def test_comments_only_from_enough_writers_in_one_statement(data, app):
    """The fixture's 18 written comments: all of them at a threshold of 18, none at 19
    (the 19th would be needed before any is shown); read in one statement either way."""
    from sqlalchemy import event

    from lms.core.db import db
    from lms.reporting.tables import comments

    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        shown = comments(Filters(), 18)
        hidden = comments(Filters(), 19)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(shown) == 18 and all(text.startswith("Comment on ") for text in shown)
    assert hidden == [] and len(statements) == 2


def test_shared_aggregates_give_what_separate_reads_give(data):
    """Inside shared_aggregates the overview is added up from the table's sums, and a
    transposed or narrower table from a wider one: every cell as when each is read."""
    from lms.reporting import cube

    cases = [(Filters(), "enrolled", "sex", "country"), (Filters(), "mean_gain", "none", "sector"),
             (Filters(country="TH"), "completion_rate", "age_band", "none"),
             (Filters(course_id=data.courses["A"]), "passed", "disability", "sex")]
    for filters, figure, rows, cols in cases:
        alone = (build_table(filters, figure, rows, cols, 5), overview(filters, 5),
                 build_table(filters, figure, cols, rows, 5))
        with cube.shared_aggregates():
            shared = (build_table(filters, figure, rows, cols, 5), overview(filters, 5),
                      build_table(filters, figure, cols, rows, 5))
        assert shared == alone, (filters, figure, rows, cols)


def test_a_page_reads_its_sums_once(data):
    from sqlalchemy import event

    from lms.core.db import db
    from lms.reporting import cube

    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with cube.shared_aggregates():
            build_table(Filters(), "enrolled", "sex", "country", 5)
            overview(Filters(), 5)
            build_table(Filters(), "completed", "country", "sex", 5)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
