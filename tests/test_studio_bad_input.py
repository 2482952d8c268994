"""Hostile and broken input in the studio: clear errors, nothing changed, inert output."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from lms.catalog.models import Lesson
from lms.content import drafts
from lms.core.db import db
from tests.fixtures.app import post_form
from tests.fixtures.users import login
from tests.studio_forms import question_form
from tests.test_studio import build_course

HOSTILE = ['<script>alert(1)</script>', '{{ 7*7 }}{% raw %}', '<img src=x onerror=alert(1)>',
           '[x](javascript:alert(1))', '![t](https://tracker.example/p.gif)']


@pytest.fixture
def course(client, instructor):
    login(client, instructor)
    return build_course(client)


def _lesson_post(client, course, body, **extra):
    revision = drafts.get_item(course.id, "lesson", "lesson-1").revision
    return post_form(client, f"/studio/{course.slug}/lessons/lesson-1", {
        "revision": revision, "title": "Indicators", "minutes": "15", "body": body,
        "action": "save", **extra})


def test_hostile_lesson_text_is_published_inert(client, course):
    assert _lesson_post(client, course, "\n\n".join(HOSTILE)).status_code == 302
    post_form(client, f"/studio/{course.slug}/publish", {"note": "hostile"})
    html = db.session.scalar(sa.select(Lesson.body_html).where(Lesson.slug == "lesson-1"))
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "tracker.example" not in html and "49" not in html
    preview = post_form(client, f"/studio/{course.slug}/lessons/lesson-1", {
        "revision": 0, "title": "x", "minutes": "1", "body": HOSTILE[0], "action": "preview"})
    assert "<script>alert" not in preview.get_data(as_text=True)


def test_a_nul_byte_or_a_huge_text_changes_nothing(client, course):
    before = drafts.get_item(course.id, "lesson", "lesson-1").data
    assert _lesson_post(client, course, "bad\x00byte").status_code == 400
    assert _lesson_post(client, course, "a" * (600 * 1024)).status_code in (400, 413)
    assert _lesson_post(client, course, "ok", title="t" * 300).status_code == 400
    assert drafts.get_item(course.id, "lesson", "lesson-1").data == before


def test_a_broken_internal_link_is_reported_on_the_lesson_and_blocks_publishing(client, course):
    assert _lesson_post(client, course, "See [the glossary](/glossary#no-such-term) and "
                        "[a lesson](/courses/labour-101/lessons/missing).").status_code == 302
    page = client.get(f"/studio/{course.slug}/lessons/lesson-1").get_data(as_text=True)
    assert "no glossary term" in page and "no lesson" in page
    response = post_form(client, f"/studio/{course.slug}/publish", {"note": "broken"},
                         follow_redirects=True)
    assert "no glossary term" in response.get_data(as_text=True)
    db.session.refresh(course)
    assert course.version == 1


def test_question_errors_are_shown_by_field_with_the_file_rules(client, course):
    bad = question_form("single", "Bad Key!")
    bad.update({"correct": [], "ref-0-instrument": "ACTIP Art.", "ref-0-number": "x"})
    response = post_form(client, f"/studio/{course.slug}/quiz/final/questions/new?type=single",
                         bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "question key must be lower-case" in page and "has no correct answer" in page
    assert "unknown legal reference" in page
    assert 'value="Bad Key!"' in page  # what was typed is kept
    assert ("question", "Bad Key!") not in drafts.items_of(course.id)


def test_another_course_ids_are_not_found(client, course, make_user):
    other = make_user("instructor")
    second = client.application.test_client()
    login(second, other)
    for url in [f"/studio/{course.slug}/", f"/studio/{course.slug}/lessons/lesson-1",
                f"/studio/{course.slug}/questions/q-single", f"/studio/{course.slug}/export.zip"]:
        assert second.get(url).status_code == 404
    assert post_form(second, f"/studio/{course.slug}/questions/q-single/duplicate"
                     ).status_code == 404
    # A key of a question that lives in a different course is not found in this one.
    assert client.get(f"/studio/{course.slug}/questions/no-such-key").status_code == 404


def test_an_image_that_is_not_one_is_refused(client, course):
    fake = io.BytesIO(b"%PDF-1.4 pretending to be a picture")
    response = post_form(client, f"/studio/{course.slug}/lessons/lesson-1/images",
                         {"image": (fake, "photo.png"), "alt_text": "A photo"},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "PDF" in response.get_data(as_text=True)
    from lms.catalog.media import MediaFile
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)) == 0


def test_a_real_image_uploads_and_is_served_inert(client, course):
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    buffer.seek(0)
    response = post_form(client, f"/studio/{course.slug}/lessons/lesson-1/images",
                         {"image": (buffer, "red.png"), "alt_text": "A red square"},
                         content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "![A red square](/media/" in page
    import re
    url = re.search(r"/media/\d+/[\w.-]+", page).group(0)
    served = client.get(url)
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"


def test_an_admin_adds_an_instrument_and_questions_may_cite_it(client, course, admin):
    response = post_form(client, f"/studio/{course.slug}/quiz/final/questions/new?type=single",
                         {**question_form("single", "cedaw-q"), "ref-0-instrument": "CEDAW Art."})
    assert response.status_code == 400  # not known yet
    admin_client = client.application.test_client()
    login(admin_client, admin)
    assert post_form(admin_client, "/studio/instruments", {
        "name": "CEDAW", "title": "Convention on the Elimination of All Forms of "
        "Discrimination against Women (1979)", "cites": ["Art."]}).status_code == 302
    assert post_form(admin_client, "/studio/instruments", {
        "name": "CEDAW", "title": "again", "cites": ["Art."]}).status_code == 400
    form = {**question_form("single", "cedaw-q"), "ref-0-instrument": "CEDAW Art.",
            "ref-0-number": "6"}
    response = post_form(client, f"/studio/{course.slug}/quiz/final/questions/new?type=single",
                         form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert drafts.get_item(course.id, "question", "cedaw-q").data["references"] == \
        ["CEDAW Art. 6"]


def test_every_quiz_setting_of_the_files_can_be_set(client, course):
    revision = drafts.get_item(course.id, "quiz", "final").revision
    settings = {"revision": revision, "title": "Final test", "kind": "final",
                "pass_mark": "80", "attempts_allowed": "3", "cooldown_minutes": "60",
                "time_limit_minutes": "45", "available_from": "2027-01-10T00:00:00+07:00",
                "available_until": "2027-02-28", "show_answers": "after_pass",
                "questions_per_page": "2", "draw": ""}
    bad = post_form(client, f"/studio/{course.slug}/quizzes/final/settings",
                    {**settings, "available_from": "next tuesday"})
    assert bad.status_code == 400 and "2027-01-10" in bad.get_data(as_text=True)
    assert post_form(client, f"/studio/{course.slug}/quizzes/final/settings",
                     settings).status_code == 302
    assert post_form(client, f"/studio/{course.slug}/publish",
                     {"note": "settings"}).status_code == 302
    from lms.assessment.models import Quiz
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id))
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.cooldown_minutes,
            quiz.time_limit_minutes, quiz.show_answers, quiz.questions_per_page) == \
        (80, 3, 60, 45, "after_pass", 2)
    assert quiz.available_from.isoformat().startswith("2027-01-09T17:00")
