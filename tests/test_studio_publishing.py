"""The studio's publisher: drafts → files → the file validators → the one sync → versions."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.assessment.models import Attempt, Question
from lms.catalog.models import Course
from lms.content import drafts, publish, versions
from lms.content.course_files import files_from_items, files_of_folder, items_from_files
from lms.content.sync import sync_courses
from lms.core.audit import AuditEvent
from lms.core.db import db
from lms.core.errors import DomainError
from tests.fixtures.app import post_form
from tests.fixtures.courses import FIXTURES, SHIPPED, sync_folder
from tests.helpers import correct_answers, post_attempt, start_attempt


def _studio_course(instructor, slug="studio-course", files=None) -> Course:
    course = publish.create_course(slug, "A studio course", owner_id=instructor.id,
                                   actor_id=instructor.id, files=files)
    db.session.commit()
    return course


@pytest.mark.parametrize("slug", sorted(p.name for p in SHIPPED.iterdir()
                                        if p.is_dir() and not p.name.startswith("_")))
def test_every_shipped_course_round_trips_through_the_studio_format(slug, shipped_courses):
    files = files_of_folder(SHIPPED / slug)
    exported = files_from_items(items_from_files(files))
    assert files_from_items(items_from_files(exported)) == exported
    assert drafts.check_files(slug, exported).problems == []


def test_a_new_course_is_hidden_until_published_and_then_a_version(db, instructor):
    course = _studio_course(instructor)
    assert course.version == 0 and course.archived_at is not None
    check = drafts.check_draft(course)
    assert not check.ok and any("summary" in p for p in check.problems)
    with pytest.raises(publish.PublishRefused):
        publish.publish_draft(course, note="first", actor_id=instructor.id)
    db.session.rollback()
    item = drafts.get_item(course.id, "course")
    drafts.save_item(course, "course", "", {**item.data, "summary": "What it is about."},
                     revision=item.revision, actor_id=instructor.id)
    lesson = drafts.get_item(course.id, "lesson", "lesson-1")
    drafts.save_item(course, "lesson", "lesson-1", {**lesson.data, "body": "Some text."},
                     revision=lesson.revision, actor_id=instructor.id)
    version = publish.publish_draft(course, note="first", actor_id=instructor.id)
    db.session.commit()
    assert (course.version, version.number, course.archived_at) == (1, 1, None)
    with pytest.raises(DomainError, match="Nothing has changed"):
        publish.publish_draft(course, note="again", actor_id=instructor.id)
    db.session.rollback()
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "course.published"))
    assert event.data["version"] == 1 and event.data["note"] == "first"


def test_a_save_from_a_stale_revision_is_refused_and_keeps_both(db, instructor):
    course = _studio_course(instructor)
    item = drafts.get_item(course.id, "lesson", "lesson-1")
    first = item.revision
    drafts.save_item(course, "lesson", "lesson-1", {**item.data, "body": "Theirs"},
                     revision=first, actor_id=instructor.id)
    db.session.commit()
    with pytest.raises(drafts.StaleEdit) as refused:
        drafts.save_item(course, "lesson", "lesson-1", {**item.data, "body": "Mine"},
                         revision=first, actor_id=instructor.id)
    assert refused.value.current.data["body"] == "Theirs"
    db.session.rollback()
    assert drafts.get_item(course.id, "lesson", "lesson-1").data["body"] == "Theirs"


def test_sync_never_archives_or_overwrites_a_studio_course(db, instructor):
    sync_folder(FIXTURES / "good" / "tiny-course", archive_missing=False)
    tiny = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    publish.take_over(tiny, versions.latest_version(tiny.id).files, actor_id=None)
    db.session.commit()
    report = sync_courses([], archive_missing=True)
    db.session.commit()
    assert tiny.archived_at is None
    report = sync_folder(FIXTURES / "good" / "tiny-course", archive_missing=False)
    assert any("edited in the studio" in line for line in report.changes)


def test_rollback_publishes_the_old_files_as_a_new_version(db, instructor):
    sync_folder(FIXTURES / "good" / "tiny-course", archive_missing=False)
    tiny = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    publish.take_over(tiny, versions.latest_version(tiny.id).files, actor_id=None)
    item = drafts.get_item(tiny.id, "course")
    drafts.save_item(tiny, "course", "", {**item.data, "title": "Renamed"},
                     revision=item.revision, actor_id=None)
    publish.publish_draft(tiny, note="rename", actor_id=None)
    db.session.commit()
    assert (tiny.title, tiny.version) == ("Renamed", 2)
    changes = versions.compare(versions.get_version(tiny.id, 1).files,
                               versions.get_version(tiny.id, 2).files)
    assert changes.settings == ["title"] and not changes.changed
    publish.roll_back(tiny, 1, note="", actor_id=None)
    db.session.commit()
    assert tiny.version == 3 and tiny.title != "Renamed"
    assert [v.number for v in versions.versions_of(tiny.id)] == [3, 2, 1]
    assert drafts.get_item(tiny.id, "course").data["title"] == tiny.title


def test_a_question_with_answers_gets_a_new_version_and_old_attempts_keep_theirs(
        db, learner, learner_client):
    sync_folder(FIXTURES / "good" / "tiny-course", archive_missing=False)
    tiny = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    post_form(learner_client, "/courses/tiny-course/enrol")
    attempt_id = start_attempt(learner_client, "tiny-course")
    post_attempt(learner_client, attempt_id, {**correct_answers(attempt_id), "action": "finish"})
    attempt = db.session.get(Attempt, attempt_id)
    publish.take_over(tiny, versions.latest_version(tiny.id).files, actor_id=None)
    key = sorted(k for (kind, k) in drafts.items_of(tiny.id) if kind == "question")[0]
    item = drafts.get_item(tiny.id, "question", key)
    drafts.save_item(tiny, "question", key, {**item.data, "prompt": "A new wording?"},
                     revision=item.revision, actor_id=None)
    publish.publish_draft(tiny, note="reworded", actor_id=None)
    db.session.commit()
    question = db.session.scalar(sa.select(Question).where(Question.key == key))
    assert (question.version, question.prompt) == (2, "A new wording?")
    db.session.refresh(attempt)
    snap = attempt.draw["specs"][str(question.id)]
    assert snap["version"] == 1 and snap["prompt"] != "A new wording?"
    page = learner_client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert snap["prompt"].split()[0] in page and "A new wording?" not in page


def test_item_analysis_is_kept_per_question_version(db, learner, learner_client):
    from lms.assessment.statistics import quiz_item_statistics

    sync_folder(FIXTURES / "good" / "tiny-course", archive_missing=False)
    tiny = db.session.scalar(sa.select(Course).where(Course.slug == "tiny-course"))
    post_form(learner_client, "/courses/tiny-course/enrol")

    def attempt_once():
        attempt_id = start_attempt(learner_client, "tiny-course")
        post_attempt(learner_client, attempt_id, {**correct_answers(attempt_id),
                                                  "action": "finish"})
        return db.session.get(Attempt, attempt_id)

    first = attempt_once()
    publish.take_over(tiny, versions.latest_version(tiny.id).files, actor_id=None)
    key = sorted(k for (kind, k) in drafts.items_of(tiny.id) if kind == "question")[0]
    item = drafts.get_item(tiny.id, "question", key)
    drafts.save_item(tiny, "question", key, {**item.data, "prompt": "Reworded?"},
                     revision=item.revision, actor_id=None)
    publish.publish_draft(tiny, note="reworded", actor_id=None)
    db.session.commit()
    attempt_once()
    question = db.session.scalar(sa.select(Question).where(Question.key == key))
    rows = [s for s in quiz_item_statistics(first.quiz_id) if s.question_id == question.id]
    assert [(s.version, s.attempts) for s in rows] == [(1, 1), (2, 1)]
