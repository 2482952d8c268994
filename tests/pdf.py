"""Read PDFs with poppler, as a person checking a certificate would."""
from __future__ import annotations

import shutil
import subprocess
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
