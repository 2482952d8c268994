"""Read PDFs with poppler, as a person checking a certificate would."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (make test does)")
    return path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_need("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_need("pdffonts"), str(path)], check=True, capture_output=True,
                          text=True).stdout


def _run(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_need(tool), *args, str(path), *(["-"] if tool == "pdftotext"
                                                            else [])],
                          check=True, capture_output=True, text=True).stdout


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    lines = _run("pdfinfo", pdf, tmp_path).splitlines()
    return {k.strip(): v.strip() for k, _sep, v in (line.partition(":") for line in lines)}


def pdf_urls(pdf: bytes, tmp_path: Path) -> list[str]:
    """Link annotations (pdfinfo -url), not text that merely looks like a URL."""
    rows = _run("pdfinfo", pdf, tmp_path, "-url").splitlines()[1:]
    return [row.split()[-1] for row in rows if "Annotation" in row]


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Word) -> bool:
        """Ink on ink. poppler's boxes span the font's whole ascent and descent, so two
        lines of one paragraph touch by a hair; a sixth of each box's height is slack."""
        slack_a, slack_b = (self.y1 - self.y0) / 6, (other.y1 - other.y0) / 6
        return self.x0 < other.x1 and other.x0 < self.x1 and \
            self.y0 + slack_a < other.y1 - slack_b and other.y0 + slack_b < self.y1 - slack_a


def pdf_words(pdf: bytes, tmp_path: Path) -> tuple[list[Word], float, float]:
    """Every word with its box, as poppler lays the page out; and the page's size."""
    import html
    import re

    out = _run("pdftotext", pdf, tmp_path, "-bbox", "-enc", "UTF-8")
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out)
    words = [Word(html.unescape(m.group(5)), *(float(m.group(i)) for i in range(1, 5)))
             for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                  r'yMax="([\d.]+)">(.*?)</word>', out)]
    return words, float(page.group(1)), float(page.group(2))


def pdf_images(pdf: bytes, tmp_path: Path) -> int:
    """How many images the PDF draws (poppler's pdfimages -list)."""
    listing = _run("pdfimages", pdf, tmp_path, "-list").splitlines()
    return sum(1 for line in listing[2:] if line.strip() and " smask " not in line)
