"""Anonymous pages carry no session cookie, may be cached by proxies, and are served from
the worker's cache until what they show changes; signed-in pages stay private."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.core.i18n import LANGUAGE_COOKIE
from tests.fixtures.app import post_form
from tests.fixtures.users import login
from tests.helpers import complete_course

ANONYMOUS_PAGES = ["/", "/courses/tiny-course", "/glossary", "/support"]


def _cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_set_no_cookie_and_are_public(client, tiny_course, path):
    response = client.get(path)
    assert response.status_code == 200
    assert _cookies(response) == []
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    etag = response.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_cached_page_costs_no_query(client, tiny_course, query_counter):
    first = client.get("/courses/tiny-course").get_data()
    with query_counter() as statements:
        second = client.get("/courses/tiny-course").get_data()
    assert second == first
    assert statements == []


def test_languages_are_cached_apart(client, tiny_course):
    english = client.get("/").get_data(as_text=True)
    thai = client.get("/", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="th"' in thai


def test_anonymous_language_choice_is_a_cookie_not_a_session(client, tiny_course):
    response = client.post("/language?next=/", data={"locale": "th"})  # no token needed
    assert response.status_code == 302
    [cookie] = _cookies(response)
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=th;") and "HttpOnly" in cookie
    page = client.get("/")
    assert 'lang="th"' in page.get_data(as_text=True) and _cookies(page) == []


def test_signed_in_language_change_needs_the_token(app, learner_client, learner, db):
    refused = learner_client.post("/language", data={"locale": "th"})
    assert refused.status_code == 400
    db.session.refresh(learner)
    assert learner.locale != "th"
    post_form(learner_client, "/language", {"locale": "th"})
    db.session.refresh(learner)
    assert learner.locale == "th"


def test_signed_in_pages_are_private_and_never_shared(client, learner_client, tiny_course,
                                                      learner):
    anonymous = client.get("/courses/tiny-course").get_data(as_text=True)
    signed_in = learner_client.get("/courses/tiny-course")
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    assert "Sign out" in signed_in.get_data(as_text=True) and "Sign out" not in anonymous
    assert "ETag" not in signed_in.headers


def test_a_page_with_a_flashed_message_is_not_cached(client, learner, tiny_course):
    client.get("/")  # cached: no message
    login(client, learner)
    signed_out = client.post("/logout", data={"csrf_token": _token(client)},
                             follow_redirects=True)
    assert "You have signed out." in signed_out.get_data(as_text=True)
    assert signed_out.headers.get("Cache-Control") != "public, max-age=60"
    assert "You have signed out." not in client.get("/").get_data(as_text=True)


def _token(client) -> str:
    from tests.fixtures.app import CSRF_RE

    match = CSRF_RE.search(client.get("/dashboard").get_data(as_text=True))
    return match.group(1) or match.group(2)


def test_publishing_drops_cached_pages(client, db, tiny_course, runner):
    assert "Tiny course" in client.get("/").get_data(as_text=True)
    course = db.session.get(Course, tiny_course.id)
    from lms.content.sync import sync_courses

    course.title = "Renamed by a sync"
    sync_courses([], archive_missing=False)  # a publish: the transaction says so
    db.session.commit()
    assert "Renamed by a sync" in client.get("/").get_data(as_text=True)


def test_a_revoked_certificate_is_never_served_valid_from_the_cache(
        db, client, tiny_course, learner_client, admin_client):
    complete_course(learner_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    url = f"/verify/{certificate.code}"
    assert "This certificate is valid." in client.get(url).get_data(as_text=True)
    post_form(admin_client, f"/admin/certificates/{certificate.id}/revoke",
              {"reason": "Issued by mistake"})
    page = client.get(url).get_data(as_text=True)
    assert "This certificate is valid." not in page and "revoked" in page.lower()


def test_a_rolled_back_change_keeps_the_cache(client, db, tiny_course, query_counter):
    from lms.core.page_cache import changed

    client.get("/")
    course = db.session.get(Course, tiny_course.id)  # a service's transaction, begun
    course.title = "Never published"
    db.session.flush()
    changed()
    db.session.rollback()
    with query_counter() as statements:
        client.get("/")
    assert statements == []


def test_lesson_links_follow_a_publish(db, tiny_course, learner, learner_client,
                                       query_counter):
    from lms.catalog.models import Lesson
    from lms.content.sync import sync_courses
    from lms.learning.services import enrol

    enrol(learner.id, tiny_course)
    db.session.commit()
    url = "/courses/tiny-course/lessons/second-lesson"
    learner_client.get(url)
    with query_counter() as warm:
        learner_client.get(url)
    first = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "first-lesson"))
    first.title = "Renamed first lesson"
    sync_courses([], archive_missing=False)  # a publish
    db.session.commit()
    with query_counter() as after_publish:
        page = learner_client.get(url).get_data(as_text=True)
    assert "Renamed first lesson" in page
    assert len(warm) == 2  # the learner, and their enrolment with this lesson's progress
    assert len(after_publish) == len(warm) + 3  # the lesson and the outline, read again


def test_an_address_over_the_verify_limit_is_refused_a_cached_page(
        db, app, client, tiny_course, learner_client, admin_client, monkeypatch):
    complete_course(learner_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    url = f"/verify/{db.session.scalar(sa.select(Certificate.code))}"
    assert client.get(url).status_code == 200  # now cached
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_ADDRESS", 3)
    statuses = [client.get(f"/verify/{'z' * 15}{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert client.get(url).status_code == 429
    other = app.test_client()
    assert other.get(url, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "https://evil.example"}])
def test_another_site_cannot_set_a_visitors_language(client, headers):
    response = client.post("/language", data={"locale": "th"}, headers=headers)
    assert response.status_code == 400 and _cookies(response) == []


def test_the_same_site_may(client):
    response = client.post("/language", data={"locale": "th"},
                           headers={"Sec-Fetch-Site": "same-origin",
                                    "Origin": "http://lms.example.org"})
    assert response.status_code == 302 and _cookies(response)


def test_query_strings_are_not_cached(client, tiny_course, app):
    for n in range(5):
        client.get(f"/glossary?x={n}")
    assert not any(key[0].startswith("/glossary?x") for key in
                   app.extensions.get("lms_page_cache", {}))


def test_verification_pages_are_revalidated_every_time(db, client, tiny_course,
                                                       learner_client, admin_client):
    complete_course(learner_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    url = f"/verify/{db.session.scalar(sa.select(Certificate.code))}"
    first, second = client.get(url), client.get(url)
    assert first.headers["Cache-Control"] == second.headers["Cache-Control"] == \
        "public, no-cache"
    assert second.get_data() == first.get_data() and second.headers["ETag"]


def test_signing_out_leaves_no_cookie_that_stops_caching(client, learner, tiny_course):
    login(client, learner)
    client.post("/logout", data={"csrf_token": _token(client)}, follow_redirects=True)
    client.get("/")  # drops what session protection left behind
    response = client.get("/")
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_pages_still_render_when_redis_is_down(app, tiny_course):
    from lms import create_app

    values = {k: app.config[k] for k in ("SECRET_KEY", "DATABASE_URL", "BASE_URL")}
    broken = create_app({**values, "TESTING": True, "REDIS_URL": "redis://127.0.0.1:1/0"})
    client = broken.test_client()
    for _ in range(2):
        response = client.get("/courses/tiny-course")
        assert response.status_code == 200 and "Tiny course" in response.get_data(as_text=True)
    assert not broken.extensions.get("lms_page_cache")
