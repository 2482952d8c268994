"""Static files under fingerprinted names with a year's cache; text responses compressed;
a lesson page small enough for a slow phone connection."""
from __future__ import annotations

import gzip
import re

import brotli
import sqlalchemy as sa

from lms.catalog.models import Course, Lesson, Module

STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_pages_link_fingerprinted_files_cached_for_a_year(client, tiny_course):
    links = STATIC_LINK.findall(client.get("/").get_data(as_text=True))
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", link) for link in links} >= {
        "/static/app.css", "/static/favicon.svg"}
    for link in links:
        assert re.search(r"\.[0-9a-f]{10}\.\w+$", link), link
        response = client.get(link)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_plain_or_stale_name_gets_a_short_cache_life(client):
    for url in ("/static/app.css", "/static/app.0123456789.css"):
        response = client.get(url)
        assert response.status_code == 200 and b"{" in response.data
        assert response.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/static/missing.css").status_code == 404
    assert client.get("/static/../wsgi.py").status_code == 404


def test_text_is_compressed_for_clients_that_ask(client, tiny_course):
    plain = client.get("/glossary").get_data()
    packed = client.get("/glossary", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain
    assert "Accept-Encoding" in packed.vary
    # The ETag names the encoding, and a revalidation with it is a 304.
    again = client.get("/glossary", headers={"Accept-Encoding": "gzip",
                                             "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_the_longest_lesson_transfers_under_8_kb(db, shipped_courses, learner, learner_client):
    from lms.learning.services import enrol

    longest = db.session.execute(
        sa.select(Course.slug, Lesson.slug, sa.func.length(Lesson.body_html).label("size"))
        .join(Module, Lesson.module_id == Module.id).join(Course, Module.course_id == Course.id)
        .order_by(sa.desc("size")).limit(1)).one()
    enrol(learner.id, shipped_courses[longest.slug])
    db.session.commit()
    url = f"/courses/{longest.slug}/lessons/{longest[1]}?note=read"  # past any content note
    response = learner_client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    html = brotli.decompress(response.get_data())
    assert len(html) > 8 * 1024  # a real lesson, not an error page
    assert len(response.get_data()) < 8 * 1024, len(response.get_data())
