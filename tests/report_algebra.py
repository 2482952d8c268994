"""What a reader can work out from a report's published numbers, by exact linear algebra.

A report publishes, for one figure, a cube of cells: rows × columns (each with its total)
× periods (quarters, years, all time). Every line of it is a sum: a row's cells add up to
the row's total, a column's to the column's, a year's quarters to the year, the years to
all time. The concealed cells ("<5" and "x") are the unknowns; each line, with its
published members moved to the right-hand side, is one equation. A concealed cell can be
worked out exactly iff its unit vector lies in the row space of those equations
(Gaussian elimination over Fractions: no rounding, so no false alarms).

Written from the rule as the issue and suppression.py's docstring state it, not from the
engine's code: the lines are built here from the rows, the columns and the calendar.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from fractions import Fraction

TOTAL = "total"
ALL = "all"

Cell = Hashable
Line = tuple[Cell, list[Cell]]  # (the total, the members that add up to it)


def periods(years: Iterable[str]) -> list[str]:
    years = sorted(years)
    return [ALL, *years, *(f"{y}-Q{q}" for y in years for q in range(1, 5))]


def cube_lines(rows: list[str], cols: list[str], years: Iterable[str]) -> list[Line]:
    """Every sum in a rows × columns × periods cube (`rows`, `cols` without the total;
    empty for the 'none' dimension, whose only category is the total)."""
    years = sorted(years)
    all_rows, all_cols = [*rows, TOTAL], [*cols, TOTAL]
    lines: list[Line] = []
    for p in periods(years):
        if cols:
            lines += [((r, TOTAL, p), [(r, c, p) for c in cols]) for r in all_rows]
        if rows:
            lines += [((TOTAL, c, p), [(r, c, p) for r in rows]) for c in all_cols]
    for r in all_rows:
        for c in all_cols:
            lines += [((r, c, y), [(r, c, f"{y}-Q{q}") for q in range(1, 5)]) for y in years]
            if years:
                lines.append(((r, c, ALL), [(r, c, y) for y in years]))
    return lines


def lone_concealed(lines: Iterable[Line], concealed: set) -> list[Line]:
    """Lines with exactly one concealed member: that one is its line's difference."""
    return [line for line in lines
            if sum(cell in concealed for cell in (line[0], *line[1])) == 1]


def derivable(lines: Iterable[Line], concealed: set, published: dict | None = None) -> dict:
    """{concealed cell: its value} for each concealed cell the published numbers determine
    exactly (the value is worked out from `published`, {cell: value} of the shown cells;
    0 for each when not given)."""
    published = published or {}
    pivots: dict[Cell, dict] = {}  # pivot cell → its fully reduced equation
    for total, parts in lines:
        row: dict = {_RHS: Fraction(0)}
        for cell, sign in ((total, -1), *((part, 1) for part in parts)):
            if cell in concealed:
                row[cell] = row.get(cell, Fraction(0)) + sign
            else:
                row[_RHS] -= sign * Fraction(published.get(cell, 0))
        _add(pivots, row)
    # A pivot whose reduced row holds no other unknown: its unit vector is in the row space.
    return {cell: row[_RHS] for cell, row in pivots.items() if len(row) == 2}


_RHS = ("= right-hand side",)


def _add(pivots: dict, row: dict) -> None:
    """Reduce `row` by the pivots found so far; if an unknown is left, it becomes a new
    pivot and is eliminated from the other pivot rows (so they stay fully reduced)."""
    for cell in [cell for cell in row if cell in pivots]:
        factor = row.get(cell)
        if factor:
            for other, v in pivots[cell].items():
                row[other] = row.get(other, Fraction(0)) - factor * v
    row = {cell: v for cell, v in row.items() if v or cell == _RHS}
    unknowns = [cell for cell in row if cell != _RHS]
    if not unknowns:
        return
    pivot = min(unknowns, key=repr)
    scale = row[pivot]
    row = {cell: v / scale for cell, v in row.items()}
    for other_row in pivots.values():
        factor = other_row.get(pivot)
        if factor:
            for cell, v in row.items():
                other_row[cell] = other_row.get(cell, Fraction(0)) - factor * v
            for cell in [c for c, v in other_row.items() if not v and c != _RHS]:
                del other_row[cell]
    pivots[pivot] = row
