"""Suppression on synthetic cubes (seeded random counts, run through the engine's own
staged protection: tables.build_cube with the sums given), the smallest leak found, and
what filtered reports reveal when set against the unfiltered ones.

A leak is a concealed cell ("<5" or "x") whose value the published numbers determine
exactly (tests/report_algebra.py); each one found is checked against the true value.
"""
from __future__ import annotations

import random
from dataclasses import replace

import pytest

from lms.reporting.dimensions import DIMENSIONS, Dimension
from lms.reporting.figures import FIGURES
from lms.reporting.filters import COUNTRY_CODES, Filters
from lms.reporting.periods import parse_period
from lms.reporting.tables import TOTAL, build_cube, build_table, overview
from tests.report_algebra import ALL, cube_lines, derivable, lone_concealed, periods
from tests.report_fixture import build_report_fixture

T = TOTAL
COUNTS = [key for key, figure in FIGURES.items() if figure.kind == "count"]
SEEDS = range(60)


def dimension(key: str, size: int) -> Dimension:
    """A dimension of `size` categories (the last one is "not recorded")."""
    return Dimension(key, key, key, tuple((f"{key}{i}", f"{key}{i}") for i in range(size - 1)))


def synthetic(seed: int):
    """3–6 rows × 2–5 columns × the 8 quarters of 2024–2025: about half the cells empty,
    a quarter small (1–4), a quarter 5–25."""
    rng = random.Random(seed)
    rows, cols = dimension("r", rng.randint(3, 6)), dimension("c", rng.randint(2, 5))
    base = {}
    for r in rows.categories():
        for c in cols.categories():
            for quarter in (f"{y}-Q{q}" for y in (2024, 2025) for q in range(1, 5)):
                draw = rng.random()
                count = 0 if draw < .5 else rng.randint(1, 4) if draw < .75 else (
                    rng.randint(5, 25))
                if count:
                    base[(r.key, c.key, quarter)] = {"enrolled": count}
    return rows, cols, base


def protect(rows: Dimension, cols: Dimension, base: dict, threshold: int = 5):
    """(lines, concealed, published values, true values) as the engine suppresses them."""
    data = build_cube(Filters(), rows, cols, ("enrolled",), ("enrolled",), threshold,
                      base=base)
    protection = data.protections["enrolled"]
    concealed = protection.small | protection.hidden
    truth = {key: sums["enrolled"] for key, sums in data.sums.items()}
    shown = {key: value for key, value in truth.items() if key not in concealed}
    return cube_lines(data.rows, data.cols, data.years), concealed, shown, truth


def test_the_algebra_finds_exactly_what_can_be_worked_out():
    """A checker that never fails proves nothing: 2 × 2 inner cells all concealed under
    shown totals cannot be solved (each could be one more, its neighbours one less); a
    third row whose one concealed cell pairs with a shown zero can."""
    lines = cube_lines(["a", "b"], ["c", "d"], [])  # no years: all time only
    inner = {(r, c, ALL) for r in "ab" for c in "cd"}
    totals = {("a", T, ALL): 3, ("b", T, ALL): 4, (T, "c", ALL): 2, (T, "d", ALL): 5,
              (T, T, ALL): 7}
    assert derivable(lines, inner, totals) == {}
    shown = {**totals, ("a", "c", ALL): 1}
    assert derivable(lines, inner - {("a", "c", ALL)}, shown) == {
        ("a", "d", ALL): 2, ("b", "c", ALL): 1, ("b", "d", ALL): 3}


def test_random_cubes_have_no_line_with_one_hidden_cell(app):
    with app.app_context():
        for seed in SEEDS:
            lines, concealed, _shown, _truth = protect(*synthetic(seed))
            assert lone_concealed(lines, concealed) == [], seed


def test_random_cubes_reveal_no_concealed_cell(app):
    leaking = {}
    with app.app_context():
        for seed in SEEDS:
            lines, concealed, shown, truth = protect(*synthetic(seed))
            found = derivable(lines, concealed, shown)
            assert all(truth.get(key, 0) == value for key, value in found.items())
            if found:
                leaking[seed] = len(found)
    assert leaking == {}, f"{len(leaking)} of {len(SEEDS)} cubes leak: {leaking}"


def test_smallest_leak_found(app):
    """Three people-groups, one year. Rows r0, r1 and "not recorded" (m), columns c0 and
    m: (r0, m) = 5 and (m, c0) = 1 enrolled in Q1, (m, m) = 3 in Q2. Every line has two
    concealed cells or none, yet row m's all-time total (4, shown "<5") is the grand
    total (9) minus column m in Q1 (5, shown): the zeros shown say that column holds only
    r0 in Q1, and that r0 enrolled in Q1 only."""
    rows, cols = dimension("r", 3), dimension("c", 2)
    base = {("r0", "missing", "2025-Q1"): {"enrolled": 5},
            ("missing", "c0", "2025-Q1"): {"enrolled": 1},
            ("missing", "missing", "2025-Q2"): {"enrolled": 3}}
    with app.app_context():
        lines, concealed, shown, _truth = protect(rows, cols, base)
        assert lone_concealed(lines, concealed) == []
        assert shown[(T, T, ALL)] - shown[(T, "missing", "2025-Q1")] == 4
        assert ("missing", T, ALL) in concealed
        assert derivable(lines, concealed, shown) == {}


@pytest.fixture
def data(app):
    built = build_report_fixture()
    with app.test_request_context():
        yield built


PERIODS = periods(("2024", "2025"))


def slice_leaks(whole: dict, slices: dict[str, dict]) -> list[str]:
    """`whole` {period: Cell} and each slice's {period: Cell} (a slice's cell published
    anywhere counts as published): the concealed cells the sums whole = Σ slices and the
    period sums determine."""
    cells = {(T, key): cell for key, cell in whole.items()}
    cells.update({(name, key): cell for name, found in slices.items()
                  for key, cell in found.items()})
    concealed = {key for key, cell in cells.items() if cell.state in ("small", "hidden")}
    shown = {key: cell.value for key, cell in cells.items() if key not in concealed}
    lines = [((T, key), [(name, key) for name in slices]) for key in PERIODS]
    for name in (T, *slices):
        lines += [((name, y), [(name, f"{y}-Q{q}") for q in range(1, 5)])
                  for y in ("2024", "2025")]
        lines.append(((name, ALL), [(name, "2024"), (name, "2025")]))
    return [f"{key} ({cells[key].state}) = {value}"
            for key, value in sorted(derivable(lines, concealed, shown).items())]


def totals(filters: Filters) -> dict[str, dict]:
    """{figure: {period: the overview's cell}} for the published counts."""
    out = {figure: {} for figure in COUNTS}
    for key in PERIODS:
        for figure, cell in overview(replace(filters, period=parse_period(key)), 5):
            if figure.key in out:
                out[figure.key][key] = cell
    return out


def test_course_filters_cannot_be_subtracted_from_the_whole(data):
    """E.g. enrolled in 2025-Q1: 17 in all, 13 in course A, so course B's "<5" is 4."""
    whole = totals(Filters())
    courses = {name: totals(Filters(course_id=course_id))
               for name, course_id in data.courses.items()}
    leaks = {figure: slice_leaks(whole[figure], {name: found[figure]
                                                 for name, found in courses.items()})
             for figure in COUNTS}
    assert {figure: found for figure, found in leaks.items() if found} == {}


def test_country_filters_cannot_be_set_against_the_country_table(data):
    """E.g. enrolled in 2025-Q1, by country: TH 8, KH x, VN <5, total 17; the report
    filtered to KH shows 6, so VN is 3."""
    leaks = {}
    for figure in COUNTS:
        tables = {key: build_table(Filters(period=parse_period(key)), figure, "country",
                                   "none", 5) for key in PERIODS}
        whole = {key: table.cell(T, T) for key, table in tables.items()}
        slices = {}
        for category in DIMENSIONS["country"].categories():
            slices[category.key] = {key: table.cell(category.key, T)
                                    for key, table in tables.items()}
            if category.key in COUNTRY_CODES:  # it can be chosen as a filter too
                filtered = totals(Filters(country=category.key))[figure]
                for key, cell in filtered.items():
                    if cell.state == "shown":
                        slices[category.key][key] = cell
        found = slice_leaks(whole, slices)
        if found:
            leaks[figure] = found
    assert leaks == {}


def test_a_table_and_its_transpose_hide_the_same_cells(data):
    """Sex by country and country by sex publish the same numbers: were they suppressed
    differently, each would reveal what the other hides."""
    for rows, cols in (("sex", "country"), ("sector", "disability"), ("age_band", "sex")):
        one = build_cube(Filters(), DIMENSIONS[rows], DIMENSIONS[cols], ("enrolled",),
                         ("enrolled",), 5).protections["enrolled"]
        other = build_cube(Filters(), DIMENSIONS[cols], DIMENSIONS[rows], ("enrolled",),
                           ("enrolled",), 5).protections["enrolled"]
        flip = {(c, r, p) for r, c, p in other.small}, {(c, r, p) for r, c, p in other.hidden}
        assert (one.small, one.hidden) == flip, (rows, cols)
        assert one.small, (rows, cols)  # the fixture has small cells here


def test_two_filters_total_as_the_unfiltered_cross_table_cell(data):
    """A report narrowed to one country and one sector totals exactly the cell of the
    unfiltered country by sector table, suppressed alike in every period."""
    whole = build_cube(Filters(), DIMENSIONS["country"], DIMENSIONS["sector"],
                       ("enrolled",), ("enrolled",), 5).protections["enrolled"]
    states = set()
    for country in ("TH", "KH", "VN"):
        for sector in ("judiciary", "prosecution", "police", "social_work"):
            narrowed = totals(Filters(country=country, sector=sector))["enrolled"]
            for key, cell in narrowed.items():
                assert cell.state == whole.state((country, sector, key)), (country, sector, key)
                states.add(cell.state)
    assert {"small", "shown"} <= states
