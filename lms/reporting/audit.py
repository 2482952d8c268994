"""Which concealed cells a reader could still work out, by exact linear algebra.

Every line of a report (a row's cells and its total, a column's, a year's quarters, the
years of all time) is an equation. With the shown numbers moved to the right-hand side,
the concealed cells are the unknowns, and a concealed cell can be worked out exactly when
its unit vector lies in the row space of those equations: in the fully reduced echelon
form, its pivot row holds no other unknown. The right-hand sides do not matter for that,
so no value is read here.

The arithmetic is modulo a 61-bit prime, not over fractions: the coefficients are 0 and
±1, so a rank lost modulo the prime would need a minor divisible by it, far beyond the
size of any report (a few thousand cells), and integers keep the audit of the largest
report in a few milliseconds. Lines that touch no concealed cell are left out, and the
equations are reduced one at a time with an index of which pivot rows hold which unknown.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence

Cell = Hashable
Group = tuple[Cell, Sequence[Cell]]

PRIME = (1 << 61) - 1


def derivable(groups: Iterable[Group], concealed: Callable[[Cell], bool]) -> set[Cell]:
    """The concealed cells the lines determine, given that every other cell is shown."""
    pivots: dict[Cell, dict[Cell, int]] = {}  # pivot cell → its fully reduced row
    holders: dict[Cell, set[Cell]] = defaultdict(set)  # cell → pivots whose row holds it
    for total, parts in groups:
        row: dict[Cell, int] = {}
        for cell, sign in ((total, PRIME - 1), *((part, 1) for part in parts)):
            if concealed(cell):
                row[cell] = (row.get(cell, 0) + sign) % PRIME
        if row:
            _add(pivots, holders, {cell: v for cell, v in row.items() if v})
    return {cell for cell, row in pivots.items() if len(row) == 1}


def _add(pivots: dict, holders: dict, row: dict[Cell, int]) -> None:
    for cell in [cell for cell in row if cell in pivots]:
        factor = row.get(cell)
        if factor:
            for other, v in pivots[cell].items():
                row[other] = (row.get(other, 0) - factor * v) % PRIME
    row = {cell: v for cell, v in row.items() if v}
    if not row:
        return  # the line follows from the others: it tells nothing new
    pivot = min(row, key=repr)  # any unknown would do; repr keeps the order fixed
    inverse = pow(row[pivot], PRIME - 2, PRIME)
    row = {cell: v * inverse % PRIME for cell, v in row.items()}
    for other in list(holders.get(pivot, ())):
        other_row = pivots[other]
        factor = other_row.get(pivot, 0)
        for cell, v in row.items():
            value = (other_row.get(cell, 0) - factor * v) % PRIME
            if value:
                if cell not in other_row:
                    holders[cell].add(other)
                other_row[cell] = value
            elif cell in other_row:
                del other_row[cell]
                holders[cell].discard(other)
    holders.pop(pivot, None)
    pivots[pivot] = row
    for cell in row:
        if cell != pivot:
            holders[cell].add(pivot)
