"""Certificate rendering speed: warm process with one shared FontConfiguration.

    .venv/bin/python bench/render_certificates.py [N]

Prints the median and p95 of N renders (names in every script users write in): English
only, and bilingual English-Thai with the signed credential attached (PDF/A-3b) as
issued today; and the cost of a render with a fresh FontConfiguration for comparison.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from weasyprint.text.fonts import FontConfiguration

from lms.certification import render

ROOT = str(Path(__file__).resolve().parents[1] / "certificates")
NAMES = ["สมหญิง รักษ์ความยุติธรรม", "សុខ សុភា", "ສົມພອນ ວົງສາ", "အောင် ကျော်",
         "Nguyễn Thị Hoa", "Siti Nurhaliza binti Abdullah", "Maria Clara Dela Cruz"]


def snapshot(name: str) -> dict:
    return {"name": name, "course_title": "Trafficking in persons adjudication for judges",
            "course_slug": "tip-adjudication-for-judges", "course_version": 1, "cpd_hours": 3.0,
            "completed_on": "2026-11-28", "issued_on": "2026-11-28",
            "serial": "CoE-2026-000042", "code": "k7qf3m2axq9wz4pd", "locale": "en",
            "expires_on": "2029-11-28", "issuer": "Centre of Excellence on Trafficking in "
            "Persons"}


# About the size of a real credential (the VC-JWT of an issued certificate).
CREDENTIAL = "eyJhbGciOiJSUzI1NiJ9." + "x" * 2400 + "." + "y" * 512


URL = "https://learn.example.org/verify/k7qf3m2axq9wz4pd"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main(n: int) -> None:
    pdf = render.render_pdf
    pdf(snapshot(NAMES[0]), root=ROOT, verify_url=URL)  # warm-up: fonts, templates
    warm = [timed(lambda i=i: pdf(snapshot(NAMES[i % len(NAMES)]), root=ROOT, verify_url=URL))
            for i in range(n)]
    cold = []
    for i in range(max(3, n // 10)):
        render.font_config.cache_clear()
        cold.append(timed(lambda i=i: render.render_pdf(snapshot(NAMES[i % len(NAMES)]),
                                                        root=ROOT, verify_url=URL)))
    render.font_config.cache_clear()
    assert isinstance(render.font_config(), FontConfiguration)
    bilingual = [timed(lambda i=i: pdf({**snapshot(NAMES[i % len(NAMES)]),
                                        "second_locale": "th"}, root=ROOT, verify_url=URL,
                                       credential=CREDENTIAL)) for i in range(n)]
    for label, times in (("English", warm), ("bilingual English-Thai + credential", bilingual)):
        times.sort()
        print(f"renders, {label} (warm, shared FontConfiguration): n={n} "
              f"median={statistics.median(times):.1f} ms p95={times[int(0.95 * (n - 1))]:.1f} "
              "ms")
    print(f"renders (fresh FontConfiguration each):   n={len(cold)} "
          f"median={statistics.median(cold):.1f} ms")
    print(f"ratio fresh/warm: {statistics.median(cold) / statistics.median(warm):.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
