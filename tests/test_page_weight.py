"""Page weight on a phone on a slow connection: every learner page transfers under 100 KB
on a first visit (the page, its style sheet, scripts and images, compressed as sent) and
under 30 KB on later ones (the page alone: everything it links is cached for a year,
under a fingerprinted name), in English, Thai and Khmer, with the longest lesson in
each script."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.catalog.models import ContentTranslation, Course, Lesson, Module
from lms.core.i18n import LANGUAGE_COOKIE
from tests.fixtures.app import post_form
from tests.helpers import start_attempt

FIRST_VISIT, LATER_VISIT = 100_000, 30_000
LINKED = re.compile(r'<(?:link|script|img)\b[^>]*?(?:href|src)="(/[^"]+)"')
YEAR = "public, max-age=31536000, immutable"


def _longest_lesson(db) -> tuple[str, str]:
    return tuple(db.session.execute(
        sa.select(Course.slug, Lesson.slug).join(Module, Lesson.module_id == Module.id)
        .join(Course, Module.course_id == Course.id)
        .order_by(sa.func.length(Lesson.body_html).desc()).limit(1)).one())


def _longest_translated(db, locale: str) -> tuple[str, str] | None:
    """The longest lesson shown translated into `locale` (its text is in that script)."""
    rows = db.session.execute(sa.select(Course.slug, ContentTranslation.key,
                                        ContentTranslation.data)
                              .join(Course, ContentTranslation.course_id == Course.id)
                              .where(ContentTranslation.locale == locale,
                                     ContentTranslation.kind == "lesson",
                                     ContentTranslation.current)).all()
    if not rows:
        return None
    course, lesson, _data = max(rows, key=lambda row: len(row[2]["body_html"]))
    return course, lesson


def _weigh(client, url: str) -> tuple[int, int, str]:
    """(first visit, later visit) bytes transferred for `url`, and its HTML."""
    page = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200, (url, page.status_code)
    html = page.get_data()
    text = client.get(url).get_data(as_text=True)
    first = later = len(html)
    for link in set(LINKED.findall(text)):
        asset = client.get(link, headers={"Accept-Encoding": "br, gzip"})
        assert asset.status_code == 200, link
        first += len(asset.get_data())
        if asset.headers.get("Cache-Control") != YEAR:
            later += len(asset.get_data())  # asked for again on every visit
    return first, later, text


@pytest.mark.parametrize("locale", ["en", "th", "km"])
def test_every_learner_page_keeps_its_budget(db, shipped_courses, learner_client, locale):
    learner_client.set_cookie(LANGUAGE_COOKIE, locale)
    post_form(learner_client, "/account", {"locale": locale, "timezone": "Asia/Bangkok"})
    course, lesson = _longest_lesson(db)
    post_form(learner_client, f"/courses/{course}/enrol")
    attempt = start_attempt(learner_client, course)
    pages = ["/", f"/courses/{course}", f"/courses/{course}/lessons/{lesson}?note=read",
             f"/attempts/{attempt}", "/certificates", "/account", "/glossary"]
    translated = _longest_translated(db, locale)
    if translated is not None:  # the lesson and the test in the learner's own script
        other, lesson = translated
        post_form(learner_client, f"/courses/{other}/enrol")
        pages += [f"/courses/{other}", f"/courses/{other}/lessons/{lesson}?note=read"]
        if other != course:
            pages.append(f"/attempts/{start_attempt(learner_client, other)}")
    weights = {}
    for url in pages:
        first, later, html = _weigh(learner_client, url)
        assert f'lang="{locale}"' in html[:200], url
        weights[url] = (first, later)
    print(f"\npage weights ({locale}), bytes first/later visit:", weights)  # pytest -s
    over = {url: w for url, w in weights.items() if w[0] > FIRST_VISIT or w[1] > LATER_VISIT}
    assert over == {}, weights
