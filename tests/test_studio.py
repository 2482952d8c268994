"""The studio through HTTP: an instructor builds a course from nothing and publishes it."""
from __future__ import annotations

import sqlalchemy as sa

from lms.assessment.models import Question, Quiz
from lms.catalog.models import Course, Lesson
from lms.content import drafts
from lms.content.studio.question_editor import TYPES
from lms.core.db import db
from tests.fixtures.app import post_form
from tests.fixtures.users import login
from tests.studio_forms import question_form


def _course(slug="labour-101") -> Course:
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def build_course(client, slug="labour-101") -> Course:
    """Create, fill and publish a course with every question type, as a person would."""
    response = post_form(client, "/studio/new", {"title": "Labour inspection", "slug": slug})
    assert response.status_code == 302, response.get_data(as_text=True)
    course = _course(slug)
    item = drafts.get_item(course.id, "course")
    response = post_form(client, f"/studio/{slug}/settings", {
        "revision": item.revision, "title": "Labour inspection and trafficking",
        "summary": "How inspectors spot forced labour.", "audience": "Labour inspectors",
        "objectives": "Spot indicators\nRefer victims", "cpd_hours": "1.5",
        "language": "en", "references": "# References\n\n- ACTIP (2015)"})
    assert response.status_code == 302, response.get_data(as_text=True)
    lesson = drafts.get_item(course.id, "lesson", "lesson-1")
    response = post_form(client, f"/studio/{slug}/lessons/lesson-1", {
        "revision": lesson.revision, "title": "Indicators", "minutes": "15",
        "body": "## Indicators\n\nDebt bondage, withheld passports.", "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = post_form(client, f"/studio/{slug}/quizzes/new", {
        "key": "final", "title": "Final test", "kind": "final", "pass_mark": "50",
        "attempts_allowed": "0", "cooldown_minutes": "0", "time_limit_minutes": "0",
        "show_answers": "after_attempt", "questions_per_page": "0", "draw": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    for qtype in TYPES:
        response = post_form(client, f"/studio/{slug}/quiz/final/questions/new?type={qtype}",
                             question_form(qtype, f"q-{qtype.replace('_', '-')}"))
        assert response.status_code == 302, (qtype, response.get_data(as_text=True))
    page = client.get(f"/studio/{slug}/").get_data(as_text=True)
    assert "problem" not in page.lower() or "problems to fix" not in page, page
    response = post_form(client, f"/studio/{slug}/publish", {"note": "First version"})
    assert response.status_code == 302
    db.session.expire_all()
    return _course(slug)


def test_an_instructor_builds_and_publishes_a_course_with_every_question_type(
        app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    assert course.version == 1 and course.archived_at is None, \
        drafts.check_draft(course).problems
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id))
    types = set(db.session.scalars(sa.select(Question.type).where(Question.quiz_id == quiz.id)))
    assert types == set(TYPES)
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "lesson-1"))
    assert "<h2>Indicators</h2>" in lesson.body_html
    assert client.get(f"/courses/{course.slug}").status_code == 200


def test_every_studio_page_of_a_course_renders(app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    slug = course.slug
    for url in ["/studio/", f"/studio/{slug}/", f"/studio/{slug}/settings",
                f"/studio/{slug}/lessons/lesson-1", f"/studio/{slug}/quiz/final",
                f"/studio/{slug}/quizzes/final/settings", f"/studio/{slug}/versions",
                f"/studio/{slug}/versions/compare?old=1&new=draft", f"/studio/{slug}/preview",
                f"/studio/{slug}/preview/lessons/lesson-1", f"/studio/{slug}/staff",
                f"/studio/{slug}/import", "/studio/import", "/studio/instruments",
                f"/studio/{slug}/quizzes/new"] + [
                f"/studio/{slug}/questions/q-{t.replace('_', '-')}" for t in TYPES] + [
                f"/studio/{slug}/questions/q-{t.replace('_', '-')}/preview" for t in TYPES] + [
                f"/studio/{slug}/quiz/final/questions/new?type={t}" for t in TYPES]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert client.get(f"/studio/{slug}/export.zip").headers["Content-Type"] == \
        "application/zip"
