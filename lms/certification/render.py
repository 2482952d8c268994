"""Render a certificate PDF from a snapshot dict with WeasyPrint.

One FontConfiguration per process (building it is most of the cost), a Jinja
environment with autoescape for the template folder, and a URL fetcher that
serves only files inside that folder and data: URIs, so a name can never make
the renderer read a local file or reach the network.
"""
from __future__ import annotations

import threading
import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import segno
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_font_lock = threading.Lock()


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


class FolderFetcher(URLFetcher):
    def __init__(self, folder: Path):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.folder = folder.resolve()

    def fetch(self, url: str, headers: Any = None):
        if url.startswith("file://"):
            # Decode first: urllib would turn %2e%2e into .. after this check.
            path = Path(unquote(url[len("file://"):].split("?")[0])).resolve()
            if not path.is_relative_to(self.folder):
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
            "title": meta.get("title", name)}


@cache
def _environment(folder: Path) -> Environment:
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1b2a4a")


def render_pdf(snapshot: dict[str, Any], *, root: str, template: str = "default") -> bytes:
    """PDF bytes for one certificate; every value in `snapshot` is escaped."""
    meta = template_meta(root, template)
    folder: Path = meta["folder"]
    locale = snapshot.get("locale", "en")
    dates = {key: format_date(date.fromisoformat(snapshot[key]), "long", locale=locale)
             for key in ("completed_on", "issued_on")}
    html = _environment(folder).get_template("template.html").render(
        c=snapshot, dates=dates, hours=format_decimal(snapshot["cpd_hours"], locale=locale),
        qr=qr_data_uri(snapshot["verify_url"]))
    fetcher = FolderFetcher(folder)
    document = HTML(string=html, base_url=str(folder) + "/", url_fetcher=fetcher)
    # FontConfiguration is shared; WeasyPrint/fontconfig are not proven thread-safe.
    with _font_lock:
        stylesheet = CSS(filename=str(folder / "style.css"), font_config=font_config(),
                         url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config())
