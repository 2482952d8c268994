"""What a new version must never do to history: rewrite what an attempt showed, lose
draft work, or publish into another course."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from lms.assessment import regrade
from lms.assessment.models import Attempt, Question, Quiz
from lms.catalog.models import Course
from lms.content import drafts, publish, versions
from lms.content.course_zip import zip_of
from lms.core.db import db
from tests.fixtures.app import post_form
from tests.fixtures.courses import FIXTURES, sync_folder
from tests.fixtures.users import login, make_staff
from tests.helpers import correct_answers, post_attempt, start_attempt
from tests.test_studio import build_course


@pytest.fixture
def tiny(db):
    sync_folder(FIXTURES / "good" / "tiny-course", archive_missing=False)
    course = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    publish.take_over(course, versions.latest_version(course.id).files, actor_id=None)
    db.session.commit()
    return course


def _reword(course, key, prompt):
    item = drafts.get_item(course.id, "question", key)
    drafts.save_item(course, "question", key, {**item.data, "prompt": prompt},
                     revision=item.revision, actor_id=None)
    publish.publish_draft(course, note="reworded", actor_id=None)
    db.session.commit()


def _first_key(course):
    return sorted(k for (kind, k) in drafts.items_of(course.id) if kind == "question")[0]


def _finished_attempt(client):
    post_form(client, "/courses/tiny-course/enrol")
    attempt_id = start_attempt(client, "tiny-course")
    post_attempt(client, attempt_id, {**correct_answers(attempt_id), "action": "finish"})
    return attempt_id


def test_a_regrade_keeps_the_wording_and_version_an_attempt_saw(tiny, learner_client,
                                                                  admin):
    attempt_id = _finished_attempt(learner_client)
    key = _first_key(tiny)
    _reword(tiny, key, "A new wording?")
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == tiny.id))
    regrade.regrade_quiz(quiz, actor_id=admin.id)
    db.session.commit()
    question = db.session.scalar(sa.select(Question).where(Question.key == key))
    snap = db.session.get(Attempt, attempt_id).draw["specs"][str(question.id)]
    assert snap["version"] == 1 and snap["prompt"] != "A new wording?"
    assert snap["graded_with_version"] == 2


def test_staff_review_an_attempt_as_the_learner_saw_it(tiny, learner_client, client,
                                                        instructor):
    attempt_id = _finished_attempt(learner_client)
    _reword(tiny, _first_key(tiny), "A new wording?")
    make_staff(instructor, tiny, "grader")
    login(client, instructor)
    page = client.get(f"/teach/attempts/{attempt_id}").get_data(as_text=True)
    assert "A new wording?" not in page


def test_a_question_drawn_into_an_open_attempt_gets_a_new_version(tiny, learner_client):
    post_form(learner_client, "/courses/tiny-course/enrol")
    start_attempt(learner_client, "tiny-course")  # open, nothing saved yet
    key = _first_key(tiny)
    _reword(tiny, key, "A new wording?")
    assert db.session.scalar(sa.select(Question.version).where(Question.key == key)) == 2


def test_whitespace_alone_makes_no_new_version(tiny, learner_client):
    _finished_attempt(learner_client)
    key = _first_key(tiny)
    item = drafts.get_item(tiny.id, "question", key)
    drafts.save_item(tiny, "question", key, {**item.data, "prompt": item.data["prompt"] + "\n",
                                             "explanation": "New explanation."},
                     revision=item.revision, actor_id=None)
    publish.publish_draft(tiny, note="explanation", actor_id=None)
    db.session.commit()
    assert db.session.scalar(sa.select(Question.version).where(Question.key == key)) == 2
    item = drafts.get_item(tiny.id, "question", key)
    drafts.save_item(tiny, "question", key, {**item.data, "prompt": item.data["prompt"] + "  "},
                     revision=item.revision, actor_id=None)
    publish.publish_draft(tiny, note="spaces", actor_id=None)  # the files did change
    db.session.commit()
    assert tiny.version == 3
    assert db.session.scalar(sa.select(Question.version).where(Question.key == key)) == 2


def _upload(client, url, data):
    return post_form(client, url, {"file": (io.BytesIO(data), "c.zip")},
                     content_type="multipart/form-data")


def test_rollback_and_zip_imports_never_drop_unpublished_draft_work(app, client, instructor):
    login(client, instructor)
    course = build_course(client)
    lesson = drafts.get_item(course.id, "lesson", "lesson-1")
    drafts.save_item(course, "lesson", "lesson-1", {**lesson.data, "body": "Unpublished work"},
                     revision=lesson.revision, actor_id=instructor.id)
    db.session.commit()
    publish.publish_draft(course, note="v2", actor_id=instructor.id)
    db.session.commit()
    lesson = drafts.get_item(course.id, "lesson", "lesson-1")
    drafts.save_item(course, "lesson", "lesson-1", {**lesson.data, "body": "Newer work"},
                     revision=lesson.revision, actor_id=instructor.id)
    db.session.commit()
    post_form(client, f"/studio/{course.slug}/versions/1/rollback")
    assert drafts.get_item(course.id, "lesson", "lesson-1").data["body"] == "Newer work"
    post_form(client, f"/studio/{course.slug}/versions/1/rollback", {"discard": "y"})
    db.session.refresh(course)
    assert course.version == 3
    # A zip checked, then the draft changed by someone else: applying it is refused.
    files = drafts.draft_files(course.id)
    page = _upload(client, f"/studio/{course.slug}/import", zip_of(course.slug, files))
    import re
    import_id = re.search(r"/studio/imports/(\d+)/apply", page.get_data(as_text=True))[1]
    lesson = drafts.get_item(course.id, "lesson", "lesson-1")
    drafts.save_item(course, "lesson", "lesson-1", {**lesson.data, "body": "In between"},
                     revision=lesson.revision, actor_id=instructor.id)
    db.session.commit()
    post_form(client, f"/studio/imports/{import_id}/apply")
    assert drafts.get_item(course.id, "lesson", "lesson-1").data["body"] == "In between"


def test_a_zip_naming_another_course_or_unreadable_is_refused(app, client, instructor,
                                                               shipped_courses):
    login(client, instructor)
    course = build_course(client)
    files = drafts.draft_files(course.id)
    other = {**files, "course.toml": 'slug = "victim-centred-approaches"\n' +
             files["course.toml"]}
    response = _upload(client, f"/studio/{course.slug}/import", zip_of(course.slug, other))
    assert response.status_code == 400 and "not this one" in response.get_data(as_text=True)
    broken = {**files, "quizzes/final.toml": "title = ["}
    response = _upload(client, f"/studio/{course.slug}/import", zip_of(course.slug, broken))
    assert response.status_code == 400 and "invalid TOML" in response.get_data(as_text=True)
    headless = {**files, "lessons/lesson-1.md": "no header"}
    response = _upload(client, "/studio/import", zip_of("fresh", headless))
    assert response.status_code == 400 and "+++" in response.get_data(as_text=True)
    long_name = {**files, f"banks/{'b' * 90}.toml": "[[questions]]\n"}
    response = _upload(client, "/studio/import", zip_of("fresh", long_name))
    assert response.status_code == 400 and "at most 80" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Course).where(Course.slug == "fresh")) is None
