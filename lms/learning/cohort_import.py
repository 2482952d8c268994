"""Reading a cohort CSV: bytes in, rows and row-level problems out (no database)."""
# Real files come from spreadsheets in many offices, so reading is forgiving about the
# form and strict about the content:
# - encoding: found from the bytes (lms.core.csv_text: BOMs, UTF-16, UTF-8, Thai
#   Windows-874, Windows-1252); the preview names it, and the admin can choose another;
# - separator: the one of `, ; TAB |` that splits the header into the most known
#   column names (Excel writes `;` where the decimal sign is a comma);
# - header: column names in English or any language of the programme (import_columns);
#   a title line or two above the header is skipped;
# - quoted cells may hold separators and newlines (the csv module reads them);
# - rows are numbered as the spreadsheet numbers them (the header is usually row 1).
# Every problem is a sentence for the admin, about the file or about one row.
from __future__ import annotations

import csv
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _

from lms.accounts.services import EMAIL_RE, NAME_MAX, normalise_name
from lms.core.csv_safe import FORMULA_STARTS
from lms.core.csv_text import Unreadable, decode
from lms.core.i18n import LANGUAGES
from lms.learning.import_columns import (
    COUNTRY_VALUES,
    HEADERS,
    REQUIRED,
    SECTOR_CODES,
    SECTOR_VALUES,
    SEX_CODES,
    SEX_VALUES,
    key_of,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
ORGANISATION_MAX = 200
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH = 5  # records looked at for the header (title lines above it are skipped)

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_NOT_IN_EMAIL = re.compile(r'[<>()\[\]\\,;:"]')
_LOCALES = {key_of(code): code for code in LANGUAGES} | {
    key_of(name): code for code, name in LANGUAGES.items()}


@dataclass(frozen=True)
class Person:
    """One good row, normalised as it would be stored."""

    email: str
    name: str
    country: str | None = None
    sector: str | None = None
    sex: str | None = None
    organisation: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class Row:
    """One record of the file as the preview shows it."""

    line: int  # as the spreadsheet numbers it
    email: str  # as shown on the preview
    name: str
    problems: tuple[str, ...] = ()
    person: Person | None = None  # None when the row has problems


@dataclass
class Reading:
    """What was read from a file: how, its rows, and its problems as a whole."""

    encoding: str = ""
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    header_line: int = 1  # title lines above it are left out
    columns: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # header cells not used
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file

    @property
    def error_rows(self) -> list[Row]:
        return [row for row in self.rows if row.problems]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems and not self.error_rows


# --- the header ------------------------------------------------------------------------


def _known(cells: list[str]) -> int:
    return sum(1 for cell in cells if key_of(cell) in HEADERS)


def _sniff(text: str) -> tuple[str, int, list[str]]:
    """(separator, index of the header record, header cells): the separator that finds
    the most known column names in the first records; ties go to the most cells."""
    head = text[:65536]
    best: tuple[tuple[int, int], str, int, list[str]] | None = None
    for delimiter in DELIMITERS:
        try:
            records = list(itertools.islice(csv.reader(lines_of(head), delimiter=delimiter),
                                            HEADER_SEARCH))
        except csv.Error:
            continue
        for index, cells in enumerate(records):
            score = (_known(cells), len(cells))
            if best is None or score > best[0]:
                best = (score, delimiter, index, cells)
    if best is None or best[0][0] == 0:
        raise Unreadable(_(
            "The first row does not name the columns. It must name at least the email and "
            "the name, for example: email,name,country,sector,sex,organisation"))
    return best[1], best[2], best[3]


def _columns(header: list[str], reading: Reading) -> None:
    for index, cell in enumerate(header):
        column = HEADERS.get(key_of(cell))
        if column is None:
            if cell.strip():
                reading.ignored.append(cell.strip())
        elif column in reading.columns:
            reading.problems.append(_(
                "Two columns mean the same thing: “%(first)s” and “%(second)s”. Keep one.",
                first=header[reading.columns[column]].strip(), second=cell.strip()))
        else:
            reading.columns[column] = index
    for column in REQUIRED:
        if column not in reading.columns:
            reading.problems.append(_(
                "No “%(column)s” column. The first row must name it (for example “%(column)s”"
                " or, in Thai, “%(thai)s”); it names: %(found)s.", column=column,
                thai={"email": "อีเมล", "name": "ชื่อ"}[column],
                found=", ".join(shown(cell) for cell in header if cell.strip()) or "—"))


# --- one row ---------------------------------------------------------------------------


def shown(value: str, limit: int = 40) -> str:
    """A cell as quoted in a message: control characters made visible, long ones cut."""
    value = "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


class _RowCheck:
    """The checks of one row, collecting every problem rather than stopping at one."""

    def __init__(self, line: int, cells: list[str], reading: Reading):
        self.line, self.cells, self.reading = line, cells, reading
        self.problems: list[str] = []
        self.refused: set[str] = set()  # columns whose cell was refused outright

    def cell(self, column: str) -> str:
        index = self.reading.columns.get(column)
        value = self.cells[index].strip() if index is not None and index < len(self.cells) \
            else ""
        if value == "-":  # the usual "nothing here"; a lone minus is not a formula
            return ""
        if "\n" in value and self.reading.delimiter in value:
            self.refused.add(column)
            self.problems.append(_(
                "Column “%(column)s” runs over several lines and holds separators: is a "
                "quote (\") left open on this row?", column=self.reading.header[index].strip()))
            return ""
        if _formula(value):
            self.refused.add(column)
            self.problems.append(_(
                "Column “%(column)s”: “%(value)s” starts with “%(sign)s”, so a spreadsheet "
                "would run it as a formula. Remove the sign or the formula.",
                column=self.reading.header[index].strip(), value=shown(value),
                sign=value[0]))
            return ""
        return value

    def email(self, seen: dict[str, int]) -> tuple[str, str]:
        """(the email normalised, the cell as typed)."""
        raw = self.cell("email")
        email = raw.translate(_INVISIBLE).lower()
        if not raw:
            if "email" not in self.refused:
                self.problems.append(_("No email."))
        elif not _is_email(email):
            self.problems.append(_("“%(value)s” is not an email address.", value=shown(raw)))
        elif email in seen:
            self.problems.append(_("The email %(email)s is on row %(line)d already (an email "
                                   "in other capitals is the same email).",
                                   email=email, line=seen[email]))
        else:
            seen[email] = self.line
        return email, raw

    def name(self) -> str:
        name = normalise_name(self.cell("name"))
        if not name:
            if "name" not in self.refused:
                self.problems.append(_("No name."))
        elif len(name) > NAME_MAX:
            self.problems.append(_("The name has %(num)d characters; at most %(max)d fit on a "
                                   "certificate.", num=len(name), max=NAME_MAX))
        elif not name.isprintable() and any(  # isprintable: the fast way past most names
                unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d"
                for ch in name):
            self.problems.append(_("The name contains invisible control characters."))
        return name

    def choice(self, column: str, table: dict[str, str],
               message: Callable[[str], str]) -> str | None:
        """A code from its column: the code itself or a word for it; else the problem
        `message` gives for the value (built only then: gettext costs per call)."""
        value = self.cell(column)
        if not value:
            return None
        code = table.get(value) or table.get(key_of(value))
        if code is None:
            self.problems.append(message(shown(value)))
        return code

    def width(self) -> None:
        extra = self.cells[len(self.reading.header):]
        if any(cell.strip() for cell in extra):
            self.problems.append(_(
                "This row has %(num)d cells and the header %(header)d: is there a separator "
                "inside a cell that is not in quotes?", num=len(self.cells),
                header=len(self.reading.header)))


def _is_email(email: str) -> bool:
    # isprintable() is False for control and format characters (Cc, Cf) and spaces.
    return (bool(EMAIL_RE.match(email)) and len(email) <= 254 and email.isprintable()
            and _NOT_IN_EMAIL.search(email) is None)


def check_row(line: int, cells: list[str], reading: Reading, seen: dict[str, int]) -> Row:
    """One record as a preview row: its values normalised, or what is wrong with it."""
    check = _RowCheck(line, cells, reading)
    check.width()
    email, typed = check.email(seen)
    name = check.name()
    country = check.choice("country", COUNTRY_VALUES, lambda value: _(
        "Unknown country “%(value)s”: use a two-letter code such as TH, KH, LA, MM or VN.",
        value=value))
    sector = check.choice("sector", SECTOR_VALUES, lambda value: _(
        "Unknown sector “%(value)s”: use one of %(codes)s.", value=value,
        codes=", ".join(SECTOR_CODES)))
    sex = check.choice("sex", SEX_VALUES, lambda value: _(
        "Unknown sex “%(value)s”: use one of %(codes)s.", value=value,
        codes=", ".join(SEX_CODES)))
    locale = check.choice("language", _LOCALES, lambda value: _(
        "Unknown language “%(value)s”: use one of %(codes)s.", value=value,
        codes=", ".join(LANGUAGES)))
    organisation = " ".join(check.cell("organisation").split())  # one line, as printed
    if len(organisation) > ORGANISATION_MAX:
        check.problems.append(_("The organisation has %(num)d characters; at most %(max)d.",
                                num=len(organisation), max=ORGANISATION_MAX))
    if check.problems:
        return Row(line, email if _is_email(email) else shown(typed), shown(name, NAME_MAX),
                   tuple(check.problems))
    person = Person(email=email, name=name, country=country, sector=sector, sex=sex,
                    organisation=organisation or None, locale=locale)
    return Row(line, email, name, (), person)


# --- the file --------------------------------------------------------------------------


def read_people(data: bytes, *, encoding: str | None = None) -> Reading:
    """Read a cohort CSV into preview rows; nothing here touches the database."""
    reading = Reading()
    if len(data) > MAX_BYTES:
        reading.problems.append(_("The file is larger than %(mb)d MB. Split it into smaller "
                                  "files.", mb=MAX_BYTES // (1024 * 1024)))
        return reading
    if not data.strip():
        reading.problems.append(_("The file is empty."))
        return reading
    try:
        text, reading.encoding = decode(data, encoding)
        reading.delimiter, header_index, reading.header = _sniff(text)
        reading.header_line = header_index + 1
    except Unreadable as error:
        reading.problems.append(str(error))
        return reading
    _columns(reading.header, reading)
    if reading.problems:
        return reading
    _read_rows(text, header_index, reading)
    if not reading.rows and not reading.problems:
        reading.problems.append(_("The file has a header row but no people."))
    return reading


def lines_of(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time: the csv module joins those
    of a quoted cell. (A StringIO would hold a second copy of a 20 MB file, at four
    bytes a character.) Files from old Macs end their lines with CR alone."""
    end = "\n" if "\n" in text[:65536] or "\r" not in text[:65536] else "\r"
    start = 0
    while start < len(text):
        stop = text.find(end, start)
        stop = len(text) if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _read_rows(text: str, header_index: int, reading: Reading) -> None:
    seen: dict[str, int] = {}
    line = 0
    reader = csv.reader(lines_of(text), delimiter=reading.delimiter)
    try:
        for line, cells in enumerate(reader, start=1):
            if line <= header_index + 1 or not any(cell.strip() for cell in cells):
                continue
            if len(reading.rows) == MAX_ROWS:
                reading.problems.append(_(
                    "The file has more than %(max)s rows. Split it into smaller files.",
                    max=format_decimal(MAX_ROWS)))
                return
            reading.rows.append(check_row(line, cells, reading, seen))
    except csv.Error as error:
        reading.problems.append(_(
            "Row %(line)d cannot be read (%(reason)s). Is a quote (\") left open?",
            line=line + 1, reason=str(error)))

