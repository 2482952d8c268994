"""Golden images: one certificate per script users write names in, compared pixel by pixel
with the image a person checked. A font that goes missing, a fallback to boxes, a
layout that moves: each changes far more pixels than the tolerance allows.

After a deliberate change of the template, look at the new images and record them:
    LMS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_certificate_golden.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from lms.accounts.services import NAME_MAX
from lms.certification.render import render_pdf

GOLDEN = Path(__file__).parent / "golden" / "certificates"
TEMPLATES = str(Path(__file__).resolve().parents[1] / "certificates")
URL = "https://learn.example.org/verify/k7qf3m2axq9wz4pd"
DPI = 50
# A pixel differs when a channel moves by more than this (anti-aliasing noise is less);
# a picture differs when more than this share of its pixels do. Rendering here is
# deterministic (same fonts, same poppler): a name of a dozen letters changes ten times
# as many pixels, a single wrong glyph about the tolerance.
CHANNEL_DELTA = 48
TOLERANCE = 0.0005

NAMES = {
    "latin": "Maria Clara Dela Cruz",
    "vietnamese": "Nguyễn Thị Phương Thảo",
    "thai": "สมหญิง รักษ์ความยุติธรรม",
    "khmer": "សុខ សុភា ស្រីពេជ្រ",
    "lao": "ສົມພອນ ວົງສາ",
    "burmese": "ဒေါ်အောင်မြင့်မြတ်",
    "emoji": "Siti Nurhaliza 🌺🇲🇾",
    "longest": ("Maria Josefina Concepcion de los Santos Villanueva-Reyes " * 3)[:NAME_MAX],
}


def _snapshot(name: str) -> dict:
    return {"name": name, "course_title": "Trafficking in persons adjudication for judges",
            "course_slug": "tip-adjudication-for-judges", "course_version": 1,
            "cpd_hours": 3.0, "completed_on": "2026-11-28", "issued_on": "2026-11-28",
            "expires_on": "2029-11-28", "serial": "CoE-2026-000042",
            "code": "k7qf3m2axq9wz4pd", "locale": "en",
            "issuer": "Centre of Excellence on Trafficking in Persons"}


def _picture(snapshot: dict, tmp_path: Path) -> Image.Image:
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(render_pdf(snapshot, root=TEMPLATES, verify_url=URL))
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", str(DPI),
                    "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("RGB")


def differing_share(one: Image.Image, other: Image.Image) -> float:
    if one.size != other.size:
        return 1.0
    delta = ImageChops.difference(one, other).convert("L")
    return sum(delta.histogram()[CHANNEL_DELTA + 1:]) / (one.width * one.height)


@pytest.mark.parametrize("script", list(NAMES))
def test_the_certificate_looks_as_recorded(script, tmp_path):
    picture = _picture(_snapshot(NAMES[script]), tmp_path)
    golden = GOLDEN / f"{script}.png"
    if os.environ.get("LMS_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        picture.save(golden, optimize=True)
    assert golden.exists(), f"no golden image {golden}: record it (see this file's docstring)"
    share = differing_share(picture, Image.open(golden).convert("RGB"))
    assert share <= TOLERANCE, f"{script}: {share:.2%} of the pixels differ from {golden}"


def test_the_comparison_sees_a_changed_name_and_a_missing_font(tmp_path):
    thai = Image.open(GOLDEN / "thai.png").convert("RGB")
    assert differing_share(_picture(_snapshot(NAMES["lao"]), tmp_path), thai) > 4 * TOLERANCE
    # Boxes instead of letters: what a certificate looks like without the Thai font.
    tofu = _picture(_snapshot("\U000f0000" * 8), tmp_path)
    assert differing_share(tofu, thai) > 4 * TOLERANCE
