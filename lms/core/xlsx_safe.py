"""XLSX downloads that spreadsheets open safely: written row by row, formula-proof."""
# XlsxWriter in `constant_memory` mode writes each row to a temporary file as soon as the
# next one starts (inline strings, no shared-string table), so memory stays flat whatever
# the number of rows. An XLSX is a zip whose directory comes last, so the file is built in
# a temporary file on disk and then sent in chunks; the rows are read from the database
# only as the file is written, inside the request's context.
#
# Every cell is written by type, never through `write()`, which would turn text starting
# with `=` into a formula: numbers as numbers, dates as dates, and text as text. Text
# that starts like a formula (= + - @, tab, carriage return) also carries Excel's quote
# prefix, the mark a typed leading apostrophe leaves: the cell shows the text as is and
# stays text when someone edits it.
from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from flask import Response, stream_with_context

from lms.core.csv_safe import FORMULA_STARTS

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
MAX_TEXT = 32_767  # Excel's limit for one cell
SHEET_NAME_REFUSES = re.compile(r"[\[\]:*?/\\]")  # Excel refuses these in a sheet's name


def write_xlsx(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Any]], *,
               sheet: str = "Sheet1", widths: Sequence[int] | None = None) -> int:
    """Write a one-sheet workbook to `out`; returns the number of rows written."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False,
                                     "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    quoted = book.add_format({"quote_prefix": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    page = book.add_worksheet(SHEET_NAME_REFUSES.sub(" ", sheet)[:31] or "Sheet1")
    for column, width in enumerate(widths or ()):
        page.set_column(column, column, width)
    for column, title in enumerate(header):
        page.write_string(0, column, str(title), bold)
    page.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _write_cell(page, count, column, value, quoted, day, moment)
    book.close()
    return count


def _write_cell(page, row: int, column: int, value: Any, quoted, day, moment) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        page.write_boolean(row, column, value)
    elif isinstance(value, int | float | Decimal):
        page.write_number(row, column, float(value))
    elif isinstance(value, datetime):
        # Spreadsheets have no time zones: the caller gives the reader's local time.
        page.write_datetime(row, column, value.replace(tzinfo=None), moment)
    elif isinstance(value, date):
        page.write_datetime(row, column, datetime(value.year, value.month, value.day), day)
    else:
        text = str(value)[:MAX_TEXT]
        if text.startswith(FORMULA_STARTS):
            page.write_string(row, column, text, quoted)
        else:
            page.write_string(row, column, text)


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  sheet: str = "Sheet1", widths: Sequence[int] | None = None) -> Response:
    """A download of the workbook; `rows` is read lazily, once the response starts."""

    def chunks() -> Iterator[bytes]:
        with tempfile.TemporaryFile() as spool:
            write_xlsx(spool, header, rows, sheet=sheet, widths=widths)
            spool.seek(0)
            while chunk := spool.read(CHUNK):
                yield chunk

    response = Response(stream_with_context(chunks()), mimetype=MIMETYPE,
                        headers={"Cache-Control": "no-store"})
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
