"""Render a certificate PDF from a snapshot dict with WeasyPrint.

One FontConfiguration per process (building it is most of the cost), a Jinja
environment with autoescape for the template folder, and a URL fetcher that
serves only files inside that folder and data: URIs, so a name can never make
the renderer read a local file or reach the network.
"""
from __future__ import annotations

import base64
import functools
import threading
import tomllib
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import segno
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_font_lock = threading.Lock()


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


# `src: local("…")` in @font-face resolves to a system font file that WeasyPrint then
# fetches; installed fonts (and only font files) may be read from these folders.
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2"}


def _is_system_font(path: Path) -> bool:
    return path.suffix.lower() in FONT_SUFFIXES and any(
        path.is_relative_to(folder.resolve()) for folder in FONT_FOLDERS)


class FolderFetcher(URLFetcher):
    """Files of the template folder, installed font files and data: URIs; nothing else."""

    def __init__(self, folder: Path):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.folder = folder.resolve()

    def fetch(self, url: str, headers: Any = None):
        if url.startswith("file://"):
            # Decode first: urllib would turn %2e%2e into .. after this check.
            path = Path(unquote(url[len("file://"):].split("?")[0])).resolve()
            if not (path.is_relative_to(self.folder) or _is_system_font(path)):
                raise ValueError(f"certificate template may not load {url}")
        elif not url.startswith("data:"):
            raise ValueError(f"certificate template may not load {url}")
        return super().fetch(url, headers)


@cache
def template_meta(root: str, name: str) -> dict[str, Any]:
    folder = Path(root) / name
    with (folder / "meta.toml").open("rb") as fh:
        meta = tomllib.load(fh)
    return {"name": name, "version": str(meta.get("version", "1")), "folder": folder,
            "title": meta.get("title", name),
            "buddhist_era": bool(meta.get("buddhist_era", False))}


TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@cache
def _catalogue(locale: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [locale])


@dataclass(frozen=True)
class Both:
    """One text of the certificate in English and, on a bilingual one, a second language
    (from the same catalogues as the pages)."""

    en: str
    second: str | None
    lang: str | None


def translator(second: str | None) -> Callable[..., Both]:
    """`_` for the certificate template: every text comes out in both languages."""
    def translate(message: str, **values: Any) -> Both:
        # A value may itself be a Both (a date, a number): each language takes its own.
        english = message % {k: v.en if isinstance(v, Both) else v
                             for k, v in values.items()} if values else message
        if not second:
            return Both(english, None, None)
        other = _catalogue(second).gettext(message)
        if values:
            other = other % {k: (v.second or v.en) if isinstance(v, Both) else v
                             for k, v in values.items()}
        return Both(english, other, second)
    return translate


def plural_translator(second: str | None) -> Callable[..., Both]:
    """`ngettext` for the certificate template, in both languages."""
    def translate(singular: str, plural: str, number: float, **values: Any) -> Both:
        count = 1 if number == 1 else 2
        values = {"num": number, **values}
        english = (singular if count == 1 else plural) % {
            k: v.en if isinstance(v, Both) else v for k, v in values.items()}
        if not second:
            return Both(english, None, None)
        other = _catalogue(second).ngettext(singular, plural, count) % {
            k: (v.second or v.en) if isinstance(v, Both) else v for k, v in values.items()}
        return Both(english, other, second)
    return translate


def printable_locale(code: str | None) -> str | None:
    """A second language is printed only where its catalogue exists (else the English
    would print twice)."""
    if not code or code == "en":
        return None
    return code if (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").is_file() else None


def long_date(day: date, locale: str, *, buddhist_era: bool = False) -> str:
    """The long date of `locale`; Thai in the Buddhist Era when the template says so, as
    Thai official documents print it (B.E. 2569 for 2026)."""
    if locale == "th" and buddhist_era:
        return f"{format_date(day, 'd MMMM', locale='th')} พ.ศ. {day.year + 543}"
    return format_date(day, "long", locale=locale)


@cache
def _environment(folder: Path) -> Environment:
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1b2a4a")


def text_width(text: str) -> int:
    """Width in "average letters": wide (CJK, emoji) count two, combining marks (Thai
    vowels and tones, Myanmar medials, Khmer subscripts) nothing."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


# Widest text (in text_width units) printed at each size class of style.css; the last
# class takes anything longer, up to the longest name the registration form allows.
FIT = {"name": (34, 60, 110), "course_title": (60, 100, 160)}


def fit_size(kind: str, text: str) -> int:
    width = text_width(text)
    return next((size for size, limit in enumerate(FIT[kind], start=1) if width <= limit),
                len(FIT[kind]) + 1)


def render_pdf(snapshot: dict[str, Any], *, root: str, verify_url: str,
               template: str = "default", credential: str | None = None) -> bytes:
    """Tagged PDF/A-3b bytes for one certificate; every value in `snapshot` is escaped.
    `verify_url` is built by the caller from the configured base URL, never stored.
    The signed credential (a VC-JWT), when given, travels inside as credential.jwt: one
    file carries the human and the machine-readable proof."""
    meta = template_meta(root, template)
    folder: Path = meta["folder"]
    second = snapshot.get("second_locale")
    dates = {key: Both(format_date(date.fromisoformat(snapshot[key]), "long", locale="en"),
                       long_date(date.fromisoformat(snapshot[key]), second,
                                 buddhist_era=meta["buddhist_era"]) if second else None,
                       second)
             for key in ("completed_on", "issued_on", "expires_on") if snapshot.get(key)}
    hours = Both(format_decimal(snapshot["cpd_hours"], locale="en"),
                 format_decimal(snapshot["cpd_hours"], locale=second) if second else None,
                 second)
    html = _environment(folder).get_template("template.html").render(
        c=snapshot, dates=dates, hours=hours, _=translator(second), second=second,
        ngettext=plural_translator(second),
        fit={kind: fit_size(kind, snapshot[kind]) for kind in FIT},
        verify_url=verify_url, qr=qr_data_uri(verify_url),
        cosigners=snapshot.get("cosigners_rendered", []))
    if credential is None:
        return write_tagged_pdf(html, folder, "style.css")
    attachment = Attachment(string=credential, name=CREDENTIAL_ATTACHMENT,
                            description="Open Badges 3.0 credential (VC-JWT)",
                            relationship="Source")
    return write_tagged_pdf(html, folder, "style.css", attachments=[attachment])


CREDENTIAL_ATTACHMENT = "credential.jwt"
# PDF/A-3 (archival, with attachments) declared beside PDF/UA-1 (accessible): both are
# PDF 1.7, and the document is tagged either way.
_ALSO_PDF_UA = "data:application/rdf+xml;base64," + base64.b64encode(  # fetched as a URL
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" '
    b'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
    b'</rdf:RDF>').decode()


def write_tagged_pdf(html: str, folder: Path, stylesheet: str, *,
                     attachments: list[Attachment] | None = None) -> bytes:
    """Tagged PDF bytes of `html`, which may read files from `folder` only, styled by its
    `stylesheet`, with the shared fonts (certificates and printed reports alike): PDF/UA-1,
    or PDF/A-3b and PDF/UA-1 when files are attached."""
    fetcher = FolderFetcher(folder)
    variant = {"pdf_variant": "pdf/a-3b", "pdf_tags": True, "attachments": attachments,
               "xmp_metadata": [_ALSO_PDF_UA]} if attachments else {
        "pdf_variant": "pdf/ua-1"}
    document = HTML(string=html, base_url=str(folder) + "/", url_fetcher=fetcher)
    # FontConfiguration is shared; WeasyPrint/fontconfig are not proven thread-safe.
    with _font_lock:
        fonts = font_config()
        css = _stylesheet(str(folder / stylesheet), (folder / stylesheet).stat().st_mtime_ns,
                          fonts)
        return document.write_pdf(stylesheets=[css], font_config=fonts, **variant)


@functools.lru_cache(maxsize=16)
def _stylesheet(path: str, mtime: int, fonts: FontConfiguration) -> CSS:
    """Parsed once per file version and font configuration (its @font-face rules are
    registered there): a tenth of a certificate's rendering time."""
    return CSS(filename=path, font_config=fonts, url_fetcher=FolderFetcher(Path(path).parent))


# --- many at once, on every core ------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _render_job(job: tuple[dict[str, Any], str, str, str, str | None]) -> bytes:
    snapshot, root, verify_url, template, credential = job
    return render_pdf(snapshot, root=root, verify_url=verify_url, template=template,
                      credential=credential)


def _executor(processes: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:  # a web worker's threads may all ask at once
        if _pool is None or _pool_size != processes:
            _pool = ProcessPoolExecutor(max_workers=processes,
                                        mp_context=get_context("spawn"))
            _pool_size = processes
        return _pool


def _drop_executor(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def render_many(jobs: list[tuple[dict[str, Any], str, str, str, str | None]],
                processes: int) -> list[bytes]:
    """render_pdf for each (snapshot, root, verify_url, template, credential), in order,
    on `processes` worker processes (started once, with spawn: no fork of a threaded
    server) when there is enough to share; in this process otherwise. A render process
    that died (killed, out of memory) takes its pool with it: the next call starts a
    new one, and this call renders here."""
    if processes <= 1 or len(jobs) < 2 * processes:
        return [_render_job(job) for job in jobs]
    executor = _executor(processes)
    try:
        return list(executor.map(_render_job, jobs,
                                 chunksize=max(1, len(jobs) // (4 * processes))))
    except BrokenProcessPool:
        _drop_executor(executor)
        return [_render_job(job) for job in jobs]
