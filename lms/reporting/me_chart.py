"""A report table as a bar chart drawn on the server (plain SVG: no script, no styles).

One bar per row of the table (its total), or, when the table has columns, a group of
bars per row, one for each column and one for the row's total. A suppressed cell gets no
bar at all, only its mark ("<5" or "x") as the label: a bar's length would give away the
number the mark hides.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from lms.reporting.tables import TOTAL, Table

WIDTH = 560  # the drawing's own units; the SVG scales to the page (phones: scrolls)
LABEL_WIDTH = 180
VALUE_ROOM = 60  # kept free after the longest bar for its value
BAR_HEIGHT = 18
GAP = 6
HEADING = 24  # a group's heading line
MAX_LABEL = 26  # characters; the full label is in the table beside the chart


@dataclass(frozen=True)
class Item:
    kind: str  # heading | bar
    label: str
    text: str  # the value as the table shows it ("12", "<5", "x", "–")
    state: str  # shown | small | hidden | none
    y: float
    x: float = 0
    width: float = 0
    text_x: float = 0


@dataclass(frozen=True)
class MeChart:
    items: list[Item]
    width: int
    height: int
    label_width: int
    bar_height: int
    baseline: float
    title: str
    description: str


def short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"


def _numbers(table: Table, pairs) -> list[float]:
    return [float(cell.value) for cell in (table.cell(r, c) for r, c in pairs)
            if cell.state == "shown" and cell.value is not None]


def _empty(cell) -> bool:
    """A cell with nothing to draw that the table shows openly: zero, or no value."""
    return cell.state == "none" or (cell.state == "shown" and not cell.value)


def _drawn(table: Table, rows: list, cols: list) -> tuple[list, list]:
    """A grouped chart's rows and columns without those whose every cell is empty (the
    table lists them; only shown cells decide, so leaving them out hides nothing)."""
    rows = [row for row in rows if not all(_empty(table.cell(row.key, col.key))
                                           for col in cols)]
    cols = [col for col in cols if not all(_empty(table.cell(row.key, col.key))
                                           for row in rows)]
    return rows, cols


def table_chart(table: Table, rows: list, cols: list, cells: dict[tuple[str, str], str],
                grouped: bool, title: str) -> MeChart:
    """The chart of `table` as the page shows it (`cells`: the texts of its cells)."""
    chart_rows = [row for row in rows if row.key != TOTAL] or rows
    # Grouped: each column and the row's total; without columns, the only one is the total.
    chart_cols = cols if grouped else cols[-1:]
    if grouped:
        chart_rows, chart_cols = _drawn(table, chart_rows, chart_cols)
    pairs = [(row.key, col.key) for row in chart_rows for col in chart_cols]
    numbers = _numbers(table, pairs)
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    span = (high - low) or 1.0
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM

    def at(value: float) -> float:
        return round(LABEL_WIDTH + room * (value - low) / span, 1)

    zero = at(0.0)
    items: list[Item] = []
    y = float(GAP)
    for row in chart_rows:
        if grouped:
            items.append(Item("heading", short(row.label), "", "", y + HEADING * 0.7))
            y += HEADING
        for col in chart_cols:
            cell = table.cell(row.key, col.key)
            text = cells[(row.key, col.key)]
            label = short(col.label if grouped else row.label)
            if cell.state == "shown" and cell.value is not None:
                value = float(cell.value)
                left, right = at(min(value, 0.0)), at(max(value, 0.0))
                items.append(Item("bar", label, text, "shown", y, left, round(right - left, 1),
                                  right + 6))
            else:  # no bar: the mark alone, never a length
                state = cell.state if cell.state in ("small", "hidden") else "none"
                items.append(Item("bar", label, text, state, y, zero, 0, zero + 6))
            y += BAR_HEIGHT + GAP
        if grouped:
            y += GAP
    if not items:
        items.append(Item("heading", _("Every cell of this table is zero or has no value."),
                          "", "", y + HEADING * 0.7))
        y += HEADING
    height = int(y + GAP)
    return MeChart(items, WIDTH, height, LABEL_WIDTH, BAR_HEIGHT, zero, title,
                   _description(table, chart_rows, chart_cols, cells, grouped))


def _description(table: Table, rows: list, cols: list, cells: dict, grouped: bool) -> str:
    """What the drawing shows, in words (read out instead of it)."""
    marks = _('Bars are left out where the table shows "<%(min)s" or "x".',
              min=table.threshold)
    if grouped:
        return " ".join([_("A group of bars for each category of %(rows)s, one bar in "
                           "it for each category of %(cols)s and one for their total; "
                           "categories whose every cell is zero or has no value are left "
                           "out. The numbers are in the table on this page.",
                           rows=str(table.row_dimension.label),
                           cols=str(table.col_dimension.label)), marks])
    values = "; ".join(_("%(label)s: %(value)s", label=row.label,
                         value=cells[(row.key, cols[0].key)]) for row in rows)
    return " ".join([values + ".", marks])
