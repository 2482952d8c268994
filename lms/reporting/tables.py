"""A report table: one figure, rows by columns, for one period, suppressed before it
leaves the server (the page, the exports and the PDF all read it from here)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal, format_percent
from flask_babel import lazy_gettext as _l

from lms.reporting import cube
from lms.reporting.dimensions import DIMENSIONS, Category, Dimension
from lms.reporting.figures import FIGURES, Figure
from lms.reporting.filters import Filters
from lms.reporting.protected_cube import TOTAL, Cube, build_cube

SMALL_MARK, HIDDEN_MARK, NONE_MARK = "<{threshold}", "x", "–"


def min_cell() -> int:
    return int(current_app.config.get("REPORT_MIN_CELL", 5))


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    state: str  # shown | small | hidden | none


class _Recorder(dict):
    """Notes which sums a figure reads (every branch sees 1, so none is skipped)."""

    def __missing__(self, key):
        self.setdefault("_read", set()).add(key)
        return 1


def needs(figure: Figure) -> tuple[str, ...]:
    recorder = _Recorder()
    figure.value(recorder)
    return tuple(sorted(set(recorder.get("_read", ())) | set(figure.guards)))


def cell_of(data: Cube, figure: Figure, key: tuple[str, str, str]) -> Cell:
    states = [data.protections[guard].state(key) for guard in figure.guards]
    if "small" in states:
        return Cell(None, "small")
    if "hidden" in states:
        return Cell(None, "hidden")
    sums = data.sums.get(key) or defaultdict(int)
    value = figure.value(sums)
    return Cell(value, "none" if value is None else "shown")


@dataclass(frozen=True)
class Table:
    figure: Figure
    row_dimension: Dimension
    col_dimension: Dimension
    rows: list[Category]
    cols: list[Category]
    cells: dict[tuple[str, str], Cell]
    threshold: int

    def cell(self, row: str, col: str) -> Cell:
        return self.cells[(row, col)]

    @property
    def suppressed_any(self) -> bool:
        return any(cell.state in ("small", "hidden") for cell in self.cells.values())


def _total_category() -> Category:
    return Category(TOTAL, str(_l("Total")))


def build_table(filters: Filters, figure_key: str, row_key: str, col_key: str,
                threshold: int | None = None) -> Table:
    threshold = threshold or min_cell()
    figure = FIGURES[figure_key]
    rows, cols = DIMENSIONS[row_key], DIMENSIONS[col_key]
    data = build_cube(filters, rows, cols, needs(figure), figure.guards, threshold)
    row_list = [*rows.categories(), _total_category()]
    col_list = [*cols.categories(), _total_category()]
    period = filters.period.key
    cells = {(r.key, c.key): cell_of(data, figure, (r.key, c.key, period))
             for r in row_list for c in col_list}
    return Table(figure, rows, cols, row_list, col_list, cells, threshold)


def overview(filters: Filters, threshold: int | None = None) -> list[tuple[Figure, Cell]]:
    """Each figure's total for the period; the period totals are suppressed in the first
    stage, alike on every page."""
    threshold = threshold or min_cell()
    none = DIMENSIONS["none"]
    guards = tuple(sorted({g for figure in FIGURES.values() for g in figure.guards}))
    data = build_cube(filters, none, none, cube.SUMS, guards, threshold)
    key = (TOTAL, TOTAL, filters.period.key)
    return [(figure, cell_of(data, figure, key)) for figure in FIGURES.values()]


def display(cell: Cell, figure: Figure, threshold: int | None = None) -> str:
    """The cell as a person reads it, in their locale."""
    if cell.state == "small":
        return SMALL_MARK.format(threshold=threshold or min_cell())
    if cell.state == "hidden":
        return HIDDEN_MARK
    if cell.state == "none" or cell.value is None:
        return NONE_MARK
    if figure.kind == "rate":
        return format_percent(cell.value)
    if figure.kind == "count":
        return format_decimal(cell.value)
    pattern = "#,##0." + "0" * figure.digits if figure.digits else "#,##0"
    return format_decimal(round(cell.value, figure.digits), format=pattern)


# The words and rows that leave the reports (re-exported: one place to import from).
from lms.reporting.extract import comments, extract_header, extract_rows  # noqa: E402


class _Header(list):
    """The extract's column labels, read in the reader's language each time."""

    def __iter__(self):
        return iter(extract_header())

    def __len__(self):
        return len(extract_header())


EXTRACT_HEADER = _Header()

__all__ = ["TOTAL", "Cell", "Table", "build_table", "comments", "display", "extract_header",
           "extract_rows", "min_cell", "overview", "EXTRACT_HEADER"]
