"""M&E downloads: any report table as CSV or XLSX, the learner-level extract (admins
only) and the quarterly work-plan report as a PDF. Every download is audited."""
from __future__ import annotations

from itertools import chain

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from lms.core.access import roles_required
from lms.core.audit import record_event
from lms.core.csv_safe import csv_response
from lms.core.db import db, utcnow
from lms.core.xlsx_safe import xlsx_response
from lms.reporting import me_export, quarterly
from lms.reporting.dimensions import DIMENSIONS
from lms.reporting.figures import FIGURES
from lms.reporting.filters import Filters, filters_from_args
from lms.reporting.me_export import DEFAULT_COLS, DEFAULT_FIGURE, DEFAULT_ROWS
from lms.reporting.periods import parse_period
from lms.reporting.tables import EXTRACT_HEADER, build_table, extract_rows, min_cell
from lms.reporting.views import bp

FORMATS = ("csv", "xlsx")


def _bad_request(message: str):
    """A 400 page that says what was wrong (the generic 400 text would not)."""
    db.session.rollback()
    return render_template("errors/error.html", code=400, message=message), 400


def _audit(action: str, fmt: str, filters: Filters, **data) -> None:
    """One event per download, committed before the file starts: a download cut short
    is still on record."""
    record_event(action, actor_id=current_user.id, target_type="report", target_id=None,
                 data={"format": fmt, "filters": filters.query_args(), **data},
                 ip=request.remote_addr)
    db.session.commit()


def _filters_or_messages() -> tuple[Filters | None, str]:
    """The filters asked for, or what was wrong with them. A download refuses a bad
    filter where the page drops it with a message beside the table: a file that quietly
    covers more than was asked for would be quoted as if it did not."""
    filters, problems = filters_from_args(request.args)
    if problems:
        return None, " ".join(problems)
    return filters, ""


def _stamp() -> str:
    return to_user_timezone(utcnow()).date().isoformat()


def _choice(name: str, default: str, known) -> str | None:
    value = request.args.get(name, "").strip() or default
    return value if value in known else None


@bp.get("/reports/export.<fmt>", endpoint="me_export")
@roles_required("admin", "me_officer")
def me_export_view(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    figure_key = _choice("figure", DEFAULT_FIGURE, FIGURES)
    row_key = _choice("rows", DEFAULT_ROWS, DIMENSIONS)
    col_key = _choice("cols", DEFAULT_COLS, DIMENSIONS)
    if figure_key is None:
        return _bad_request(_("There is no such figure. Choose one from the report page."))
    if row_key is None or col_key is None:
        return _bad_request(_("There is no such breakdown. Choose the rows and columns "
                              "from the report page."))
    filters, problems = _filters_or_messages()
    if filters is None:
        return _bad_request(problems)
    threshold = min_cell()
    # The aggregate table is small and built (and suppressed) before the first byte goes.
    table = build_table(filters, figure_key, row_key, col_key, threshold)
    block = me_export.header_block(table.figure, filters, threshold, row_key=row_key,
                                   col_key=col_key)
    body = me_export.table_rows(table, threshold, row_key=row_key, col_key=col_key)
    rows = chain(block[1:], [[]], body)
    _audit("report.exported", fmt, filters, figure=figure_key, rows=row_key, cols=col_key)
    name = f"report-{figure_key}-{row_key}-{col_key}-{filters.period.key}-{_stamp()}.{fmt}"
    if fmt == "csv":
        return csv_response(name, block[0], rows)
    return xlsx_response(name, block[0], rows, sheet=str(table.figure.label),
                         widths=[30, 60] + [14] * len(table.cols))


@bp.get("/reports/extract.<fmt>", endpoint="me_extract")
@roles_required("admin")
def me_extract_view(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    filters, problems = _filters_or_messages()
    if filters is None:
        return _bad_request(problems)
    header = [str(title) for title in EXTRACT_HEADER]
    # Learner rows, never suppressed, read from the database as the file is written.
    rows = me_export.local_cells(extract_rows(filters))
    _audit("report.extract_exported", fmt, filters)
    name = f"learner-extract-{filters.period.key}-{_stamp()}.{fmt}"
    if fmt == "csv":
        return csv_response(name, header, rows)
    return xlsx_response(name, header, rows, sheet=_("Learners"))


@bp.get("/reports/quarterly.pdf", endpoint="me_quarterly")
@roles_required("admin", "me_officer")
def me_quarterly_view():
    period = parse_period(request.args.get("period"))
    if period is None or period.year is None:
        return _bad_request(_("The quarterly report covers one quarter or one year. "
                              "Choose a period such as 2026-Q3 or 2026."))
    filters, problems = _filters_or_messages()
    if filters is None:
        return _bad_request(problems)
    pdf = quarterly.render_report(filters, min_cell())
    _audit("report.exported", "pdf", filters, figure="quarterly")
    response = Response(pdf, mimetype="application/pdf",
                        headers={"Cache-Control": "no-store"})
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"quarterly-report-{period.key}-{_stamp()}.pdf")
    return response
