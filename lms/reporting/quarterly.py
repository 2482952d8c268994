"""The quarterly work-plan report: the standard tables of the programme's M&E framework,
each built by build_table (so it is suppressed exactly as the report page is), printed
to PDF with WeasyPrint."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

# One FontConfiguration per process, shared with certificates, and the lock that guards
# it (WeasyPrint and fontconfig are not proven thread-safe); the folder fetcher refuses
# every URL but the template folder's files, installed fonts and data: URIs.
from lms.certification.render import write_tagged_pdf
from lms.reporting import cube, me_export
from lms.reporting.dimensions import DIMENSIONS
from lms.reporting.figures import PERIOD_RULE, Figure
from lms.reporting.filters import Filters
from lms.reporting.tables import TOTAL, build_table, display


@dataclass(frozen=True)
class Panel:
    """One printed table: figures as columns, the categories of one dimension as rows."""
    title: object  # a lazy string: translated when printed, in the reader's language
    dimension: str
    figures: tuple[str, ...]


TRAINED = ("enrolled", "completed", "certified")
# The work plan's standard tables, in the order the framework asks its questions.
PANELS = (
    Panel(_l("Officials trained, by sex"), "sex", TRAINED),
    Panel(_l("Officials trained, by country"), "country", TRAINED),
    Panel(_l("Officials trained, by sector"), "sector", TRAINED),
    Panel(_l("Completion and pass rates, by sex"), "sex", ("completion_rate", "pass_rate")),
    Panel(_l("Knowledge gain, by sex"), "sex",
          ("mean_pre", "mean_final", "mean_gain", "normalised_gain")),
    Panel(_l("Course feedback (1 = not at all, 5 = very)"), "none",
          ("feedback_relevance", "feedback_clarity", "feedback_confidence")),
    Panel(_l("Use of what was learned, months later"), "none", ("follow_up_used",)),
)


@dataclass(frozen=True)
class PrintedTable:
    title: str
    dimension_label: str
    figures: list[Figure]
    # (row label, [cell text per figure], is the total row)
    rows: list[tuple[str, list[str], bool]]


def printed_table(panel: Panel, filters: Filters, threshold: int) -> PrintedTable:
    """One build_table per figure, by the panel's dimension and no column dimension; the
    cells are the tables' totals column, so each is the very cell the page shows."""
    tables = [build_table(filters, key, panel.dimension, "none", threshold)
              for key in panel.figures]
    cols = [me_export.visible_cols(table, "none")[-1] for table in tables]
    rows = []
    for row in me_export.visible_rows(tables[0], panel.dimension):
        cells = [display(table.cell(row.key, col.key), table.figure, threshold)
                 for table, col in zip(tables, cols, strict=True)]
        rows.append((str(row.label), cells, row.key == TOTAL))
    return PrintedTable(str(panel.title), str(DIMENSIONS[panel.dimension].label),
                        [table.figure for table in tables], rows)


def report_context(filters: Filters, threshold: int) -> dict:
    """Everything the template prints; plain values only."""
    return {
        "period": filters.period, "filters": me_export.filter_lines(filters),
        "tables": [printed_table(panel, filters, threshold) for panel in PANELS],
        "rule": me_export.suppression_rule(threshold), "period_rule": PERIOD_RULE,
        "generated": me_export.generated_at(),
    }


def template_folder() -> Path:
    return Path(current_app.root_path, current_app.template_folder or "templates",
                "reporting", "me")


def render_report(filters: Filters, threshold: int) -> bytes:
    """The report as tagged PDF bytes (PDF/UA: screen readers can follow its tables)."""
    with cube.shared_aggregates():  # the panels' tables, each read once
        context = report_context(filters, threshold)
    html = render_template("reporting/me/quarterly.html", **context)
    return write_tagged_pdf(html, template_folder(), "quarterly.css")
