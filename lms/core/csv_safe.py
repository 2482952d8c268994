"""CSV downloads that spreadsheets open safely: streamed, UTF-8 with a BOM, formula-proof."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, stream_with_context

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text, and is not shown.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # without it Excel reads UTF-8 as the local code page: Thai turns to mojibake
FLUSH_EVERY = 200  # rows per chunk sent: fewer, larger writes than one per row


def safe_cell(value: Any) -> str:
    """One value as CSV text: None is empty; text that could run as a formula gets a `'`.

    Numbers are written as numbers (a negative one is data, not a formula: `str()` of a
    number can hold nothing else); every string, whoever typed it, is checked.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The BOM and the header at once, then the rows in chunks, each cell through
    safe_cell (the rows are read only as the download proceeds)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write(BOM)
    writer.writerow([safe_cell(cell) for cell in header])
    yield taken()
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if count % FLUSH_EVERY == 0:
            yield taken()
    if buffer.tell():
        yield taken()


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
                 ) -> Response:
    """A streamed CSV download; `rows` is read lazily, inside the request's context."""
    response = Response(stream_with_context(csv_lines(header, rows)),
                        mimetype="text/csv", headers={"Cache-Control": "no-store"})
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
