"""Small-cell suppression over the fixture (tests/report_fixture.py), checked from the
published numbers only, for every pair of dimensions and every count:

(a) no line (a row, a column, a year's quarters, all time's years) has exactly one
    concealed member;
(b) no concealed cell can be worked out from the published numbers: neither as the
    difference of two of them (the issue's test) nor by any combination of the sums
    (exact linear algebra, tests/report_algebra.py);
(c) the overview's period totals are each table's grand total, suppressed alike.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from lms.reporting import cube as sums_query
from lms.reporting.dimensions import DIMENSIONS
from lms.reporting.figures import FIGURES
from lms.reporting.filters import Filters
from lms.reporting.periods import parse_period
from lms.reporting.tables import TOTAL, build_cube, build_table, cell_of, overview
from tests.report_algebra import cube_lines, derivable, lone_concealed, periods
from tests.report_fixture import build_report_fixture

T = TOTAL
YEARS = ("2024", "2025")  # the fixture's enrolments: 2024-Q3 … 2025-Q2
PERIODS = periods(YEARS)
# The counts a reader sees as numbers (the other guards only hide rates and means).
COUNTS = [key for key, figure in FIGURES.items() if figure.kind == "count"]
PAIRS = [(rows, cols) for rows in DIMENSIONS for cols in DIMENSIONS]
# Tables read through the published Table objects, one per period.
SAMPLE = [("sex", "country"), ("sector", "disability"), ("agency_level", "disability"),
          ("age_band", "disability"), ("sex", "none"), ("none", "sector")]


@pytest.fixture
def data(app):
    built = build_report_fixture()
    with app.test_request_context():
        yield built


def published_cube(filters: Filters, figure: str, rows: str, cols: str, threshold: int):
    """(row keys, column keys, {(row, col, period): Cell}) read from the published tables,
    one per period of the whole hierarchy."""
    cells = {}
    for key in PERIODS:
        table = build_table(replace(filters, period=parse_period(key)), figure, rows, cols,
                            threshold)
        for row in table.rows:
            for col in table.cols:
                cells[(row.key, col.key, key)] = table.cell(row.key, col.key)
    row_keys = [row.key for row in table.rows if row.key != T]
    col_keys = [col.key for col in table.cols if col.key != T]
    return row_keys, col_keys, cells


def concealed_of(cells: dict) -> set:
    return {key for key, cell in cells.items() if cell.state in ("small", "hidden")}


def base_sets(row_keys, col_keys, cells, concealed):
    """Each cell as the set of (row, col, quarter) cells it adds up, leaving out those a
    published zero shows to be empty (counts are never negative)."""
    rows, cols = row_keys or [T], col_keys or [T]

    def cover(r, c, p):
        quarters = ([f"{y}-Q{q}" for y in YEARS for q in range(1, 5)] if p == "all"
                    else [f"{p}-Q{q}" for q in range(1, 5)] if len(p) == 4 else [p])
        return {(rr, cc, q) for rr in (rows if r == T else [r])
                for cc in (cols if c == T else [c]) for q in quarters}

    covers = {key: cover(*key) for key in cells}
    empty = set().union(*(covers[key] for key, cell in cells.items()
                          if key not in concealed and cell.value == 0))
    return {key: frozenset(found - empty) for key, found in covers.items()}


def two_number_leaks(row_keys, col_keys, cells) -> list[str]:
    """Concealed cells equal to one published number, or to the difference of two."""
    concealed = concealed_of(cells)
    sets = base_sets(row_keys, col_keys, cells, concealed)
    shown = {sets[key]: key for key in cells if key not in concealed}
    leaks = []
    for secret in concealed:
        target = sets[secret]
        if not target:
            continue
        if target in shown:
            leaks.append(f"{secret} = {shown[target]}")
            continue
        for bigger, key in shown.items():
            if target < bigger and (bigger - target) in shown:
                leaks.append(f"{secret} = {key} − {shown[bigger - target]}")
                break
    return leaks


@pytest.mark.parametrize("rows, cols", SAMPLE)
def test_published_tables_have_no_line_with_one_concealed_cell(data, rows, cols):
    for figure in COUNTS:
        row_keys, col_keys, cells = published_cube(Filters(), figure, rows, cols, 5)
        lines = cube_lines(row_keys, col_keys, YEARS)
        assert lone_concealed(lines, concealed_of(cells)) == [], figure


@pytest.mark.parametrize("rows, cols", SAMPLE)
def test_no_concealed_cell_is_one_published_number_or_the_difference_of_two(data, rows,
                                                                            cols):
    leaks = []
    for figure in COUNTS:
        row_keys, col_keys, cells = published_cube(Filters(), figure, rows, cols, 5)
        leaks += [f"{figure}: {leak}" for leak in two_number_leaks(row_keys, col_keys, cells)]
    assert leaks == []


@pytest.mark.parametrize("rows, cols", SAMPLE)
def test_published_tables_reveal_no_cell_by_linear_algebra(data, rows, cols):
    leaks = []
    for figure in COUNTS:
        row_keys, col_keys, cells = published_cube(Filters(), figure, rows, cols, 5)
        _rows, _cols, truth = published_cube(Filters(), figure, rows, cols, 1)
        concealed = concealed_of(cells)
        shown = {key: cell.value for key, cell in cells.items() if key not in concealed}
        assert all(truth[key].value == value for key, value in shown.items())
        found = derivable(cube_lines(row_keys, col_keys, YEARS), concealed, shown)
        # The algebra must agree with the truth, or the check itself is wrong.
        assert all(value == truth[key].value for key, value in found.items())
        leaks += [f"{figure} {key} ({cells[key].state}) = {value}"
                  for key, value in sorted(found.items())]
    assert leaks == []


def cube_leaks(filters: Filters, rows: str, cols: str, *, algebra: bool = True):
    """For each published count of the pair: (lone lines, derivable cells), read from the
    engine's cube (all periods at once: one query for the pair)."""
    data = build_cube(filters, DIMENSIONS[rows], DIMENSIONS[cols], tuple(COUNTS),
                      tuple(COUNTS), 5)
    lines = cube_lines(data.rows, data.cols, data.years)
    out = {}
    for figure in COUNTS:
        protection = data.protections[figure]
        concealed = protection.small | protection.hidden
        shown = {key: sums[figure] for key, sums in data.sums.items()
                 if key not in concealed}
        found = derivable(lines, concealed, shown) if algebra else {}
        assert all(data.sums[key][figure] == value for key, value in found.items())
        out[figure] = (lone_concealed(lines, concealed),
                       {key: (protection.state(key), value) for key, value in found.items()})
    return out


def test_every_pair_of_dimensions_has_no_line_with_one_concealed_cell(data):
    lone = {}
    for rows, cols in PAIRS:
        for figure, (found, _derived) in cube_leaks(Filters(), rows, cols,
                                                          algebra=False).items():
            if found:
                lone[(rows, cols, figure)] = found
    assert lone == {}


def test_every_pair_of_dimensions_reveals_no_concealed_cell(data):
    """All 49 pairs (a dimension by itself and 'none' included), every published count,
    over the whole period hierarchy."""
    leaks = {}
    for rows, cols in PAIRS:
        for figure, (_lone, derived) in cube_leaks(Filters(), rows, cols).items():
            if derived:
                leaks[(rows, cols, figure)] = derived
    assert leaks == {}, f"{len(leaks)} tables leak"


@pytest.mark.parametrize("filters", ["course", "cohort", "country", "sector", "organisation"])
@pytest.mark.parametrize("rows, cols", [("sex", "country"), ("sector", "agency_level")])
def test_filtered_tables_hide_what_they_must(data, filters, rows, cols):
    chosen = {"course": Filters(course_id=data.courses["B"]),
              "cohort": Filters(cohort_id=data.cohort_id),
              "country": Filters(country="TH"), "sector": Filters(sector="police"),
              "organisation": Filters(organisation="Royal Thai Police")}[filters]
    results = cube_leaks(chosen, rows, cols)
    assert {figure: lone for figure, (lone, _found) in results.items() if lone} == {}
    assert {figure: found for figure, (_lone, found) in results.items() if found} == {}


def test_overview_totals_are_every_tables_grand_total(data):
    """Stage one (the period totals) is the same whatever the dimensions: the overview
    and every table agree on each figure's total, value and state, in every period."""
    views = {key: dict(overview(Filters(period=parse_period(key)), 5)) for key in PERIODS}
    guards = tuple(sorted({g for figure in FIGURES.values() for g in figure.guards}))
    for rows, cols in PAIRS:
        data = build_cube(Filters(), DIMENSIONS[rows], DIMENSIONS[cols], sums_query.SUMS,
                          guards, 5)
        for key in PERIODS:
            for figure, cell in views[key].items():
                assert cell_of(data, figure, (T, T, key)) == cell, (rows, cols, key, figure)
    for rows, cols in PAIRS:
        for key in ("2024-Q4", "2025-Q1"):
            for figure in ("enrolled", "completion_rate", "mean_gain"):
                table = build_table(Filters(period=parse_period(key)), figure, rows, cols, 5)
                assert table.cell(T, T) == views[key][FIGURES[figure]], (rows, cols, key)


def test_a_dimensions_totals_are_hidden_alike_in_every_table(data):
    """Tables that share totals cannot be played off against each other: a dimension's
    totals are suppressed the same as rows or as columns, whatever they are crossed
    with."""
    def states(rows: str, cols: str, figure: str, as_rows: bool) -> dict:
        found = build_cube(Filters(), DIMENSIONS[rows], DIMENSIONS[cols], (figure,),
                           (figure,), 5)
        keys = found.rows if as_rows else found.cols
        protection = found.protections[figure]
        return {(key, p): protection.state((key, T, p) if as_rows else (T, key, p))
                for key in keys for p in PERIODS}

    for figure in ("enrolled", "completed"):
        for dimension in DIMENSIONS:
            if dimension == "none":
                continue
            alone = states(dimension, "none", figure, True)
            assert "small" in alone.values()
            for other in DIMENSIONS:
                assert states(dimension, other, figure, True) == alone, (dimension, other)
                assert states(other, dimension, figure, False) == alone, (other, dimension)
