"""The M&E report page, assembled: the choices read from a query string (a bad one is
dropped with a message), the overview, the chosen table and its chart, the comments.

Every number comes from aggregate queries (lms/reporting/cube.py), so the page runs the
same few statements however many learners there are.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.choices import COUNTRIES, COUNTRY_UNDISCLOSED, SECTOR_UNDISCLOSED, SECTORS
from lms.catalog.models import Course
from lms.core.db import db
from lms.learning.cohorts import Cohort
from lms.reporting import cube, me_export
from lms.reporting.dimensions import DIMENSIONS
from lms.reporting.figures import FIGURES
from lms.reporting.filters import Filters, filters_from_args
from lms.reporting.me_chart import MeChart, table_chart
from lms.reporting.me_export import DEFAULT_COLS, DEFAULT_FIGURE, DEFAULT_ROWS
from lms.reporting.periods import Period, period_choices
from lms.reporting.tables import Table, build_table, comments, display, min_cell, overview


@dataclass(frozen=True)
class Choices:
    """What the form offers: (value, label) pairs, in the reader's language."""
    periods: list[Period]
    courses: list[tuple[int, str]]
    cohorts: list[tuple[int, str]]
    countries: list[tuple[str, str]]
    sectors: list[tuple[str, str]]
    figures: list[tuple[str, str]]
    dimensions: list[tuple[str, str]]


@dataclass(frozen=True)
class ReportPage:
    filters: Filters
    figure: str
    rows: str
    cols: str
    messages: list[str]
    choices: Choices
    overview: list[tuple[str, str, str]]  # (figure key, label, shown value)
    table: Table
    visible_rows: list
    visible_cols: list
    cells: dict[tuple[str, str], str]  # (row, col) → the text a reader sees
    chart: MeChart
    caption: str
    filter_lines: list[tuple[str, str]]
    comments: list[str]
    threshold: int
    rule: str

    def link_args(self) -> dict[str, str]:
        """The page's choices and filters, as export links carry them."""
        return {"figure": self.figure, "rows": self.rows, "cols": self.cols,
                **self.filters.query_args()}

    @property
    def has_quarterly(self) -> bool:
        return self.filters.period.year is not None


def _choice(args: Mapping, name: str, default: str, known, message: str,
            messages: list[str]) -> str:
    value = (args.get(name) or "").strip() or default
    if value in known:
        return value
    messages.append(message)
    return default


def _choices() -> Choices:
    """Two small reads (courses and cohorts, id and name only) and the period range."""
    courses = [tuple(row) for row in db.session.execute(
        sa.select(Course.id, Course.title).order_by(Course.title, Course.id))]
    cohorts = [tuple(row) for row in db.session.execute(
        sa.select(Cohort.id, Cohort.name).order_by(Cohort.name, Cohort.id))]
    return Choices(
        periods=period_choices(), courses=courses, cohorts=cohorts,
        countries=[(code, str(label)) for code, label in [*COUNTRIES, COUNTRY_UNDISCLOSED]],
        sectors=[(code, str(label)) for code, label in [*SECTORS, SECTOR_UNDISCLOSED]],
        figures=[(key, str(figure.label)) for key, figure in FIGURES.items()],
        dimensions=[(key, str(dim.label)) for key, dim in DIMENSIONS.items()])


def _listed(filters: Filters, choices: Choices, messages: list[str]) -> Filters:
    """The course and cohort filters, dropped with a message when not in the lists."""
    if filters.course_id is not None and filters.course_id not in dict(choices.courses):
        messages.append(_("That course is not in the list."))
        filters = replace(filters, course_id=None)
    if filters.cohort_id is not None and filters.cohort_id not in dict(choices.cohorts):
        messages.append(_("That cohort is not in the list."))
        filters = replace(filters, cohort_id=None)
    return filters


def caption(table: Table, filters: Filters, rows: str, cols: str) -> str:
    figure, period = str(table.figure.label), filters.period.label
    if rows == "none" and cols == "none":
        return _("%(figure)s, %(period)s", figure=figure, period=period)
    if cols == "none":
        return _("%(figure)s by %(rows)s, %(period)s", figure=figure,
                 rows=str(DIMENSIONS[rows].label), period=period)
    return _("%(figure)s: %(rows)s × %(cols)s, %(period)s", figure=figure,
             rows=str(DIMENSIONS[rows].label), cols=str(DIMENSIONS[cols].label),
             period=period)


def report_page(args: Mapping) -> ReportPage:
    """The page for these query arguments; never fails on what a person typed."""
    filters, messages = filters_from_args(args)
    choices = _choices()
    filters = _listed(filters, choices, messages)
    figure = _choice(args, "figure", DEFAULT_FIGURE, FIGURES,
                     _("There is no such figure: showing “%(default)s” instead.",
                       default=str(FIGURES[DEFAULT_FIGURE].label)), messages)
    breakdown = _("There is no such breakdown: showing the default rows and columns.")
    rows = _choice(args, "rows", DEFAULT_ROWS, DIMENSIONS, breakdown, messages)
    cols = _choice(args, "cols", DEFAULT_COLS, DIMENSIONS, breakdown, messages)
    messages = list(dict.fromkeys(messages))  # one message for two bad breakdowns
    threshold = min_cell()
    with cube.shared_aggregates():  # the overview is added up from the table's sums
        table = build_table(filters, figure, rows, cols, threshold)
        totals = overview(filters, threshold)
    shown_rows = me_export.visible_rows(table, rows)
    shown_cols = me_export.visible_cols(table, cols)
    cells = {(row.key, col.key): display(table.cell(row.key, col.key), table.figure,
                                         threshold)
             for row in shown_rows for col in shown_cols}
    summary = [(fig.key, str(fig.label), display(cell, fig, threshold))
               for fig, cell in totals]
    return ReportPage(
        filters=filters, figure=figure, rows=rows, cols=cols, messages=messages,
        choices=choices, overview=summary, table=table, visible_rows=shown_rows,
        visible_cols=shown_cols, cells=cells,
        chart=table_chart(table, shown_rows, shown_cols, cells, cols != "none",
                          caption(table, filters, rows, cols)),
        caption=caption(table, filters, rows, cols),
        filter_lines=me_export.filter_lines(filters),
        comments=comments(filters, threshold), threshold=threshold,
        rule=me_export.suppression_rule(threshold))


def help_context() -> dict:
    """What the help page lists: every figure's definition, every dimension's categories
    and the rules, in the reader's language."""
    from lms.accounts.demographics import WG_QUESTIONS
    from lms.reporting.figures import PERIOD_RULE

    threshold = min_cell()
    return {
        "figures": [(str(f.label), str(f.definition), me_export.values_note(f))
                    for f in FIGURES.values()],
        "dimensions": [(str(d.label), [c.label for c in d.categories()])
                       for key, d in DIMENSIONS.items() if key != "none"],
        "period_rule": str(PERIOD_RULE), "threshold": threshold,
        "rule": me_export.suppression_rule(threshold),
        "wg_questions": [str(question) for _column, question in WG_QUESTIONS],
    }
