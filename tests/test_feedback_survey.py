"""The course feedback survey (Kirkpatrick level 1): the [feedback] table of course.toml,
its sync and studio editing, and the learner's form after the final test."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.catalog.models import Course
from lms.catalog.surveys import DEFAULTS, survey_of
from lms.content import drafts, publish, versions
from lms.content.loader import load_catalogue
from lms.core.db import db
from lms.learning.models import Enrolment
from lms.learning.survey_models import FeedbackResponse
from tests.fixtures.app import post_form
from tests.fixtures.courses import FIXTURES, SHIPPED, sync_folder
from tests.fixtures.users import login
from tests.helpers import post_attempt, start_attempt

TINY = FIXTURES / "good" / "tiny-course"


def course_folder(tmp_path: Path, feedback: str | None, slug: str = "survey-course") -> Path:
    """The tiny course under another slug, with `feedback` put before its modules."""
    folder = tmp_path / slug
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(TINY, folder)
    toml = folder / "course.toml"
    text = toml.read_text(encoding="utf-8")
    if feedback is not None:
        text = text.replace("[[modules]]", feedback.strip() + "\n\n[[modules]]", 1)
    toml.write_text(text, encoding="utf-8")
    return folder


def _load(folder: Path):
    courses, _shared, errors = load_catalogue(folder)
    return courses, [str(e) for e in errors]


def _course(slug: str) -> Course:
    db.session.expire_all()
    return db.session.scalar(sa.select(Course).where(Course.slug == slug))


def _responses() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackResponse))


# --- course files ----------------------------------------------------------------------


def test_a_feedback_table_is_read_and_missing_keys_use_the_platform_wording(tmp_path, db):
    folder = course_folder(tmp_path, '''
[feedback]
relevance = "  How relevant was this to your work as a prosecutor?  "
follow_up_days = 30
''')
    (spec,), errors = _load(folder)
    assert errors == []
    assert spec.feedback == {"relevance": "How relevant was this to your work as a "
                                          "prosecutor?", "follow_up_days": 30}
    survey = survey_of(Course(feedback=spec.feedback))
    assert survey.relevance == "How relevant was this to your work as a prosecutor?"
    assert survey.clarity == str(DEFAULTS["clarity"]) and survey.follow_up_days == 30
    assert survey_of(Course(feedback={})).follow_up_days == 90
    assert survey_of(Course(feedback={"follow_up_days": 0})).follow_up_on is False


@pytest.mark.parametrize("table, line, message", [
    ('[feedback]\nrelevance = "Fine"\ncolour = "blue"', 9, "unknown key 'colour'"),
    ('[feedback]\nfollow_up_days = 400', 8, "whole number from 0 to 365"),
    ('[feedback]\nfollow_up_days = -1', 8, "whole number from 0 to 365"),
    ('[feedback]\nfollow_up_days = 1.5', 8, "whole number from 0 to 365"),
    ('[feedback]\nfollow_up_days = true', 8, "whole number from 0 to 365"),
    ('[feedback]\nclarity = 3', 8, "feedback clarity must be non-empty text"),
    ('[feedback]\n\ncomment = "   "', 9, "feedback comment must be non-empty text"),
    (f'[feedback]\nfollow_up = "{"x" * 501}"', 8, "501 characters; at most 500"),
    ('feedback = "Tell us"', 7, "feedback must be a table"),
    ('feedback.confidence = 5', 7, "feedback confidence must be non-empty text"),
])
def test_a_bad_feedback_table_is_an_error_at_its_line(tmp_path, db, table, line, message):
    folder = course_folder(tmp_path, table)
    courses, errors = _load(folder)
    assert courses == []
    assert len(errors) == 1, errors
    path, number, text = errors[0].split(":", 2)
    assert path.endswith("survey-course/course.toml")
    assert int(number) == line, errors
    assert message in text


def test_the_shipped_courses_carry_their_own_wording_and_validate(runner, db):
    courses, errors = _load(SHIPPED)
    assert errors == []
    by_slug = {c.slug: c.feedback for c in courses}
    assert set(by_slug) == {"non-punishment-principle", "tip-adjudication-for-judges",
                            "victim-centred-approaches"}
    for table in by_slug.values():
        assert set(table) == {"relevance", "clarity", "confidence", "comment",
                              "follow_up_days", "follow_up"}
        assert table["follow_up_days"] == 90
    assert "judge" in by_slug["tip-adjudication-for-judges"]["relevance"]
    result = runner.invoke(args=["courses", "validate", str(SHIPPED)])
    assert result.exit_code == 0, result.output


def test_sync_stores_the_wording_and_a_change_publishes_a_new_version(tmp_path, db):
    folder = course_folder(tmp_path, '[feedback]\nclarity = "Were the cases clear?"')
    sync_folder(folder, archive_missing=False)
    course = _course("survey-course")
    assert (course.version, course.feedback) == (1, {"clarity": "Were the cases clear?"})
    sync_folder(folder, archive_missing=False)
    assert _course("survey-course").version == 1  # the same files: nothing to do
    course_folder(tmp_path, '[feedback]\nclarity = "Were the lessons clear?"\n'
                            'follow_up_days = 0')
    report = sync_folder(folder, archive_missing=False)
    course = _course("survey-course")
    assert course.version == 2 and "updated course survey-course (version 2)" in \
        report.changes
    assert course.feedback == {"clarity": "Were the lessons clear?", "follow_up_days": 0}
    old, new = (versions.get_version(course.id, n).files for n in (1, 2))
    assert versions.compare(old, new).settings == ["feedback"]
    course_folder(tmp_path, None)
    sync_folder(folder, archive_missing=False)
    assert _course("survey-course").feedback == {}


# --- the studio --------------------------------------------------------------------


def _studio_course(instructor) -> Course:
    course = publish.create_course("studio-survey", "A studio course", owner_id=instructor.id,
                                   actor_id=instructor.id)
    item = drafts.get_item(course.id, "course")
    drafts.save_item(course, "course", "", {**item.data, "summary": "About it."},
                     revision=item.revision, actor_id=instructor.id)
    lesson = drafts.get_item(course.id, "lesson", "lesson-1")
    drafts.save_item(course, "lesson", "lesson-1", {**lesson.data, "body": "Some text."},
                     revision=lesson.revision, actor_id=instructor.id)
    db.session.commit()
    return course


def _settings(course: Course, **feedback) -> dict:
    item = drafts.get_item(course.id, "course")
    data = {"revision": item.revision, "title": "A studio course", "summary": "About it.",
            "audience": "", "objectives": "", "cpd_hours": "1", "language": "en",
            "references": ""}
    return {**data, **{f"feedback_{key}": value for key, value in feedback.items()}}


@pytest.mark.parametrize("bad, message", [
    ({"follow_up_days": "366"}, "between 0 and 365"),
    ({"follow_up_days": "-1"}, "between 0 and 365"),
    ({"follow_up_days": "soon"}, "Not a valid integer value"),
    ({"relevance": "x" * 501}, "longer than 500 characters"),
])
def test_the_studio_refuses_bad_survey_settings(client, instructor, db, bad, message):
    course = _studio_course(instructor)
    login(client, instructor)
    before = drafts.get_item(course.id, "course").data
    response = post_form(client, "/studio/studio-survey/settings", _settings(course, **bad))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert drafts.get_item(course.id, "course").data == before


def test_the_studio_edits_the_survey_and_publishing_carries_it(client, instructor, db):
    course = _studio_course(instructor)
    login(client, instructor)
    page = client.get("/studio/studio-survey/settings").get_data(as_text=True)
    assert str(DEFAULTS["confidence"]) in page  # the wording an empty field keeps
    response = post_form(client, "/studio/studio-survey/settings", _settings(
        course, relevance="  Relevant to your inspections?  ", clarity="", confidence="",
        comment="", follow_up_days="45", follow_up="Have you inspected differently?"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    table = {"relevance": "Relevant to your inspections?", "follow_up_days": 45,
             "follow_up": "Have you inspected differently?"}
    assert drafts.get_item(course.id, "course").data["feedback"] == table
    assert 'value="Relevant to your inspections?"' in client.get(
        "/studio/studio-survey/settings").get_data(as_text=True)
    response = post_form(client, "/studio/studio-survey/publish", {"note": "first"})
    assert response.status_code == 302
    course = _course("studio-survey")
    assert course.version == 1 and course.feedback == table
    files = versions.latest_version(course.id).files
    assert "[feedback]" in files["course.toml"] and "follow_up_days = 45" in \
        files["course.toml"]
    # Only the wording changes: still a new version, listed as a settings change.
    post_form(client, "/studio/studio-survey/settings", _settings(course, follow_up_days="0"))
    assert post_form(client, "/studio/studio-survey/publish",
                     {"note": "no follow-up"}).status_code == 302
    course = _course("studio-survey")
    assert course.version == 2 and course.feedback == {"follow_up_days": 0}
    old, new = (versions.get_version(course.id, n).files for n in (1, 2))
    assert versions.compare(old, new).settings == ["feedback"]
    # Every field empty: the table goes, and learners get the platform's wording.
    post_form(client, "/studio/studio-survey/settings", _settings(course))
    db.session.expire_all()
    assert "feedback" not in drafts.get_item(course.id, "course").data


# --- the learner's form ---------------------------------------------------------------

FORM = {"relevance": "5", "clarity": "4", "confidence": "3", "comment": ""}


def _finish_final(client, slug: str = "tiny-course") -> int:
    """Finish the final test with no answers: finished, and not passed."""
    attempt_id = start_attempt(client, slug)
    response = post_attempt(client, attempt_id, {"action": "finish"})
    assert response.status_code == 302
    return attempt_id


def test_feedback_is_offered_after_the_final_test_and_kept_once(tiny_course, learner,
                                                               learner_client, db):
    post_form(learner_client, "/courses/tiny-course/enrol")
    assert "Tell us about this course" not in learner_client.get(
        "/courses/tiny-course").get_data(as_text=True)
    early = learner_client.get("/courses/tiny-course/feedback")
    assert early.status_code == 403
    assert "once you have finished the final test" in early.get_data(as_text=True)
    attempt_id = _finish_final(learner_client)
    result = learner_client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Not passed yet." in result and "/courses/tiny-course/feedback" in result
    assert "/courses/tiny-course/feedback" in learner_client.get(
        "/courses/tiny-course").get_data(as_text=True)
    page = learner_client.get("/courses/tiny-course/feedback")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert str(DEFAULTS["relevance"]) in html and "anonymous in reports" in html
    assert html.count('type="radio"') == 15 and "5 – Completely" in html
    response = post_form(learner_client, "/courses/tiny-course/feedback",
                         {**FORM, "comment": "More cases from Cambodia, please."})
    assert response.status_code == 302
    assert "your feedback was received" in learner_client.get(
        response.headers["Location"]).get_data(as_text=True)
    row = db.session.scalar(sa.select(FeedbackResponse))
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == learner.id))
    assert (row.enrolment_id, row.course_id, row.relevance, row.clarity, row.confidence,
            row.comment) == (enrolment.id, tiny_course.id, 5, 4, 3,
                             "More cases from Cambodia, please.")
    again = post_form(learner_client, "/courses/tiny-course/feedback",
                      {**FORM, "relevance": "1"}, follow_redirects=True)
    assert "already received your feedback" in again.get_data(as_text=True)
    assert _responses() == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(FeedbackResponse.relevance)) == 5
    assert "We have received your feedback" in learner_client.get(
        "/courses/tiny-course/feedback").get_data(as_text=True)
    assert "/courses/tiny-course/feedback" not in learner_client.get(
        "/courses/tiny-course").get_data(as_text=True)


@pytest.mark.parametrize("change, message", [
    ({"relevance": None}, "Choose an answer from 1 (not at all) to 5 (completely)."),
    ({"clarity": "9"}, "Choose an answer from 1 (not at all) to 5 (completely)."),
    ({"confidence": "0"}, "Choose an answer from 1 (not at all) to 5 (completely)."),
    ({"relevance": "five"}, "Choose an answer from 1 (not at all) to 5 (completely)."),
    ({"comment": "x" * 2001}, "Keep the comment to 2000 characters or fewer."),
])
def test_bad_answers_are_refused_with_a_message(tiny_course, learner_client, db, change,
                                                message):
    post_form(learner_client, "/courses/tiny-course/enrol")
    _finish_final(learner_client)
    data = {k: v for k, v in {**FORM, **change}.items() if v is not None}
    response = post_form(learner_client, "/courses/tiny-course/feedback", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _responses() == 0


def test_hostile_html_is_stored_as_typed_and_escaped_on_output(tiny_course, learner_client,
                                                              db):
    tiny_course.feedback = {"relevance": '<img src=x onerror="alert(1)">Relevant?'}
    db.session.commit()
    post_form(learner_client, "/courses/tiny-course/enrol")
    _finish_final(learner_client)
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    page = learner_client.get("/courses/tiny-course/feedback").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
    shown = post_form(learner_client, "/courses/tiny-course/feedback",
                      {**FORM, "clarity": "7", "comment": hostile}).get_data(as_text=True)
    assert "<script>alert" not in shown and "&lt;script&gt;alert(" in shown
    assert post_form(learner_client, "/courses/tiny-course/feedback",
                     {**FORM, "comment": hostile}).status_code == 302
    assert db.session.scalar(sa.select(FeedbackResponse.comment)) == hostile


def test_no_feedback_without_an_enrolment_of_ones_own(tiny_course, learner, learner_client,
                                                      malicious_user, db):
    post_form(learner_client, "/courses/tiny-course/enrol")
    _finish_final(learner_client)
    victim = db.session.scalar(sa.select(Enrolment.id).where(Enrolment.user_id == learner.id))
    for method in ("get", "post"):
        response = (malicious_user.get("/courses/tiny-course/feedback") if method == "get"
                    else post_form(malicious_user, "/courses/tiny-course/feedback",
                                   {**FORM, "enrolment_id": str(victim)}))
        assert response.status_code == 404
        assert "You are not enrolled in this course" in response.get_data(as_text=True)
    # Enrolled but without a final attempt: still nothing saved.
    post_form(malicious_user, "/courses/tiny-course/enrol")
    response = post_form(malicious_user, "/courses/tiny-course/feedback",
                         {**FORM, "enrolment_id": str(victim)})
    assert response.status_code == 403
    assert _responses() == 0
    assert malicious_user.get("/courses/no-such-course/feedback").status_code == 404


def test_the_feedback_page_asks_to_sign_in(tiny_course, client, db):
    response = client.get("/courses/tiny-course/feedback")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
