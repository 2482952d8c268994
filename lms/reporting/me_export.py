"""M&E tables and the learner extract as spreadsheet rows: a header block that names the
figure, its definition, the filters, the period and the suppression rule, then the table
with every cell suppressed exactly as the report page shows it."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from flask_babel import format_datetime, to_user_timezone
from flask_babel import gettext as _

from lms.accounts.choices import COUNTRIES, COUNTRY_UNDISCLOSED, SECTOR_UNDISCLOSED, SECTORS
from lms.catalog.models import Course
from lms.core.db import db, utcnow
from lms.learning.cohorts import Cohort
from lms.reporting.dimensions import DIMENSIONS
from lms.reporting.figures import PERIOD_RULE, Figure
from lms.reporting.filters import Filters
from lms.reporting.tables import TOTAL, Table, display

Row = list[Any]
# What the report page and a download show when no choice is given.
DEFAULT_FIGURE, DEFAULT_ROWS, DEFAULT_COLS = "enrolled", "sex", "none"


def suppression_rule(threshold: int) -> str:
    """The rule, in the words every page and export states it."""
    return _('Counts under %(min)s are shown as "<%(min)s". Other cells from which a '
             'hidden count could be worked out (totals, differences between rows, columns '
             'or periods) are shown as "x". The same rule applies to everyone who sees '
             'this table.', min=threshold)


def filter_lines(filters: Filters) -> list[tuple[str, str]]:
    """(what, value) for each filter in force, values in words (names, not ids)."""
    lines: list[tuple[str, str]] = []
    if filters.course_id is not None:
        course = db.session.get(Course, filters.course_id)
        lines.append((_("Course"), course.title if course else str(filters.course_id)))
    if filters.cohort_id is not None:
        cohort = db.session.get(Cohort, filters.cohort_id)
        lines.append((_("Cohort"), cohort.name if cohort else str(filters.cohort_id)))
    if filters.country is not None:
        names = dict([*COUNTRIES, COUNTRY_UNDISCLOSED])
        lines.append((_("Country"), str(names.get(filters.country, filters.country))))
    if filters.sector is not None:
        names = dict([*SECTORS, SECTOR_UNDISCLOSED])
        lines.append((_("Sector"), str(names.get(filters.sector, filters.sector))))
    if filters.organisation is not None:
        lines.append((_("Organisation"), filters.organisation))
    return lines


def generated_at() -> str:
    """Now, in the reader's time zone and language (for "generated on")."""
    return format_datetime(utcnow(), "long")


def header_block(figure: Figure, filters: Filters, threshold: int, *, row_key: str,
                 col_key: str) -> list[Row]:
    """The rows above the table; the first is the title (the file's header row)."""
    block: list[Row] = [
        [_("Report"), figure.label],
        [_("Definition"), figure.definition],
        *([[_("Values"), reading]] if (reading := values_note(figure)) else []),
        [_("How periods count"), PERIOD_RULE],
        [_("Period"), filters.period.label],
        [_("Rows"), DIMENSIONS[row_key].label],
        [_("Columns"), DIMENSIONS[col_key].label],
    ]
    lines = filter_lines(filters)
    block += [[_("Filter: %(what)s", what=what), value] for what, value in lines]
    if not lines:
        block.append([_("Filters"), _("None: every course, cohort, country, sector and "
                                      "organisation")])
    block.append([_("Suppression"), suppression_rule(threshold)])
    block.append([_("Generated"), generated_at()])
    return block


def export_value(cell, figure: Figure, threshold: int) -> Any:
    """A shown cell as a number (spreadsheets can sum and chart it); any other cell as the
    page's text: "<5", "x" or "–". The number is rounded as the page rounds it, so the
    file says no more than the page does; a rate is in per cent, as the page shows it."""
    if cell.state != "shown" or cell.value is None:
        return display(cell, figure, threshold)
    if figure.kind == "count":
        return int(cell.value)
    if figure.kind == "rate":
        return round(float(cell.value) * 100)
    return round(float(cell.value), figure.digits) if figure.digits else round(cell.value)


def values_note(figure: Figure) -> str | None:
    """How a number in the table reads, where the figure's label does not say."""
    if figure.kind == "rate":
        return _("Per cent (0 to 100), rounded as on the report page.")
    if figure.kind in ("mean", "hours"):
        return _("Rounded to %(digits)s decimal places, as on the report page.",
                 digits=figure.digits)
    return None


def table_rows(table: Table, threshold: int, *, row_key: str, col_key: str) -> Iterator[Row]:
    """The table as displayed: a header row of column labels, then one row per category."""
    corner = DIMENSIONS[row_key].label
    if col_key != "none":
        corner = f"{corner} \\ {DIMENSIONS[col_key].label}"
    cols = visible_cols(table, col_key)
    yield [corner, *[str(col.label) for col in cols]]
    for row in visible_rows(table, row_key):
        yield [str(row.label), *[export_value(table.cell(row.key, col.key), table.figure,
                                              threshold) for col in cols]]


def visible_cols(table: Table, col_key: str) -> list:
    """The columns the page shows: with no column dimension, "All" and "Total" are the
    same numbers, so only the total is kept."""
    if col_key == "none":
        return [col for col in table.cols if col.key == TOTAL] or list(table.cols)
    return list(table.cols)


def visible_rows(table: Table, row_key: str) -> list:
    """The rows the page shows (as visible_cols, for a table with no row dimension)."""
    if row_key == "none":
        return [row for row in table.rows if row.key == TOTAL] or list(table.rows)
    return list(table.rows)


def local_cells(rows: Iterable[Sequence[Any]]) -> Iterator[tuple]:
    """Extract rows with times in the reader's zone (spreadsheets have no zones)."""
    for row in rows:
        yield tuple(to_user_timezone(value) if isinstance(value, datetime) else value
                    for value in row)
