"""Course staff: who may see a course's results and change its grades, course by course."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.assessment.models import Quiz
from lms.catalog.models import Course, CourseStaff
from lms.catalog.services import remove_staff, set_staff_role
from lms.core.audit import AuditEvent
from lms.core.errors import DomainError
from tests.fixtures.app import post_form
from tests.fixtures.courses import FIXTURES, sync_folder
from tests.fixtures.users import login, make_staff

# What each kind of person gets from the course's quiz report and its check (POST).
MATRIX = {
    "anonymous": (302, 302),
    "learner": (403, 403),
    "instructor of another course": (404, 404),
    "grader": (200, 403),
    "editor": (200, 200),
    "owner": (200, 200),
    "admin": (200, 200),
}


@pytest.fixture
def two_courses(db, tiny_course):
    sync_folder(FIXTURES / "engine" / "assessed-course", archive_missing=False)
    return {c.slug: c for c in db.session.scalars(sa.select(Course))}


def _client_for(who: str, app, make_user, courses):
    client = app.test_client()
    if who == "anonymous":
        return client
    role = {"learner": "learner", "admin": "admin"}.get(who, "instructor")
    user = make_user(role)
    if who == "instructor of another course":
        make_staff(user, courses["assessed-course"], "owner")
    elif role == "instructor":
        make_staff(user, courses["tiny-course"], who)
    login(client, user)
    return client


@pytest.mark.parametrize("who", list(MATRIX))
def test_each_person_gets_what_their_role_on_the_course_allows(db, app, make_user,
                                                               two_courses, who):
    quiz = db.session.scalar(sa.select(Quiz).where(
        Quiz.course_id == two_courses["tiny-course"].id))
    client = _client_for(who, app, make_user, two_courses)
    report = client.get(f"/teach/quizzes/{quiz.id}")
    check = post_form(client, f"/teach/quizzes/{quiz.id}/check")
    assert (report.status_code, check.status_code) == MATRIX[who]
    if report.status_code == 200:
        # The regrade buttons are shown exactly to those who may press them.
        assert ("Check for changes" in report.get_data(as_text=True)) == (
            MATRIX[who][1] == 200)


def test_the_teaching_page_lists_only_ones_own_courses(db, app, make_user, two_courses,
                                                       admin_client):
    instructor = make_user("instructor")
    make_staff(instructor, two_courses["tiny-course"], "grader")
    client = app.test_client()
    login(client, instructor)
    page = client.get("/teach/").get_data(as_text=True)
    assert "Tiny course" in page and "Assessed course" not in page
    every = admin_client.get("/teach/").get_data(as_text=True)
    assert "Tiny course" in every and "Assessed course" in every


def test_staff_changes_are_audited_and_keep_an_owner(db, make_user, tiny_course, admin):
    owner, other = make_user("instructor"), make_user("instructor")
    set_staff_role(tiny_course, owner, "owner", actor_id=admin.id)
    set_staff_role(tiny_course, other, "editor", actor_id=admin.id)
    set_staff_role(tiny_course, other, "editor", actor_id=admin.id)  # no change, no event
    with pytest.raises(DomainError, match="at least one owner"):
        remove_staff(tiny_course, owner, actor_id=admin.id)
    remove_staff(tiny_course, other, actor_id=admin.id)
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "course.staff_changed").order_by(AuditEvent.id)).all()
    assert [(e.data["from"], e.data["to"]) for e in events] == [
        (None, "owner"), (None, "editor"), ("editor", None)]
    assert all(e.actor_id == admin.id for e in events)


def test_only_active_instructors_can_be_staff(db, make_user, tiny_course, learner):
    with pytest.raises(DomainError, match="not an active instructor"):
        set_staff_role(tiny_course, learner, "grader", actor_id=None)
    with pytest.raises(DomainError, match="owner, editor or grader"):
        set_staff_role(tiny_course, make_user("instructor"), "boss", actor_id=None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseStaff)) == 0


def test_an_instructor_demoted_to_learner_loses_the_course(db, app, make_user, tiny_course):
    instructor = make_user("instructor")
    make_staff(instructor, tiny_course)
    quiz = db.session.scalar(sa.select(Quiz))
    client = app.test_client()
    login(client, instructor)
    assert client.get(f"/teach/quizzes/{quiz.id}").status_code == 200
    instructor.role = "learner"
    db.session.commit()
    assert client.get(f"/teach/quizzes/{quiz.id}").status_code == 403


def test_the_command_line_names_and_removes_staff(db, runner, make_user, tiny_course):
    instructor = make_user("instructor", email="teacher@example.org")
    added = runner.invoke(args=["courses", "staff", "tiny-course", "Teacher@Example.org",
                                "--role", "editor"])
    assert added.exit_code == 0, added.output
    assert db.session.get(CourseStaff, (tiny_course.id, instructor.id)).role == "editor"
    unknown = runner.invoke(args=["courses", "staff", "no-such-course", "teacher@example.org"])
    assert unknown.exit_code != 0 and "no course no-such-course" in unknown.output
    removed = runner.invoke(args=["courses", "staff", "tiny-course", "teacher@example.org",
                                  "--remove"])
    assert removed.exit_code == 0
    db.session.expire_all()
    assert db.session.get(CourseStaff, (tiny_course.id, instructor.id)) is None
