"""CSV in: the text of a file saved by a spreadsheet, whatever its encoding."""
# A BOM says it (UTF-8, UTF-16, UTF-32: Excel's "Unicode text" is UTF-16); else UTF-16
# without a BOM shows as NUL bytes every other byte; else strict UTF-8; else Thai
# Windows-874/TIS-620 when the high bytes are all Thai letters running together in words;
# else Windows-1252. Whoever reads the file names what was used, and may choose another.
from __future__ import annotations

import codecs
import itertools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ENCODINGS = {
    "utf-8": _l("UTF-8"),
    "utf-16": _l("UTF-16 (Excel “Unicode text”)"),
    "utf-32": _l("UTF-32"),
    "cp874": _l("Thai (Windows-874, TIS-620)"),
    "cp1258": _l("Vietnamese (Windows-1258)"),
    "cp1252": _l("Western European (Windows-1252)"),
}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why."""


def _looks_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs fill every other byte (no BOM)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_thai(data: bytes) -> bool:
    """Windows-874: every high byte is a Thai letter, and they come in runs (words),
    where Western accented letters stand alone between ASCII ones (judged on a sample)."""
    try:
        text = data[:65536].decode("cp874")
    except UnicodeDecodeError:
        return False
    high = [ch for ch in text if ord(ch) > 0x7F]
    if not high:
        return False
    thai = sum(1 for ch in high if "\u0e00" <= ch <= "\u0e7f")
    pairs = sum(1 for a, b in itertools.pairwise(text) if ord(a) > 0x7F and ord(b) > 0x7F)
    return thai >= 0.9 * len(high) and pairs >= 0.5 * len(high)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read in (a key of ENCODINGS)."""
    if encoding:
        try:
            text = data.decode({"utf-8": "utf-8-sig"}.get(encoding, encoding))
        except (UnicodeDecodeError, LookupError) as error:
            raise Unreadable(_(
                "The file cannot be read as %(encoding)s (byte %(position)d does not fit). "
                "Choose another encoding, or let the platform choose.",
                encoding=ENCODINGS.get(encoding, encoding),
                position=getattr(error, "start", 0) + 1)) from None
        return text.removeprefix("\ufeff"), encoding
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode({"utf-8": "utf-8-sig"}.get(codec, codec)), codec
            except UnicodeDecodeError:
                raise Unreadable(_("The file starts like %(encoding)s but is not: it may "
                                   "be damaged. Save it again from the spreadsheet.",
                                   encoding=ENCODINGS[codec])) from None
    if (utf16 := _looks_utf16(data)) is not None:
        return data.decode(utf16, errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_thai(data):
        try:
            return data.decode("cp874"), "cp874"
        except UnicodeDecodeError:
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"
