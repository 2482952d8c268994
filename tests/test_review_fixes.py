"""Behaviour a real user would hit: double taps, idle admins, pasted names, time zones."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog.models import Course, Lesson
from lms.catalog.queries import live_lessons
from lms.certification.models import Certificate
from lms.learning import services as learning
from lms.learning.models import Enrolment, LessonProgress
from tests.fixtures.app import post_form
from tests.fixtures.users import PASSWORD, login
from tests.helpers import complete_course
from tests.test_attempt_concurrency import _in_parallel


def test_double_tap_on_enrol_and_complete_is_harmless(app, db, tiny_course, learner):
    # Threads get ids, never the test's ORM objects (those belong to the test's session).
    user_id, course_id = learner.id, tiny_course.id
    lesson_id = live_lessons(course_id)[0].id
    db.session.commit()

    def enrol():
        learning.enrol(user_id, db.session.get(Course, course_id))

    assert _in_parallel(app, enrol, n=3) == []
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 1

    def complete():
        enrolment = learning.get_enrolment(user_id, course_id)
        learning.complete_lesson(enrolment, db.session.get(Lesson, lesson_id))

    assert _in_parallel(app, complete, n=3) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 1


def test_revoked_certificate_is_not_downloadable_by_its_holder(db, tiny_course, learner_client,
                                                                admin_client):
    complete_course(learner_client, tiny_course)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    certificate = db.session.scalar(sa.select(Certificate))
    post_form(admin_client, f"/admin/certificates/{certificate.id}/revoke", {"reason": "Error"})
    response = learner_client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 410 and "revoked" in response.get_data(as_text=True)


def test_pasted_khmer_name_with_zero_width_space_is_accepted(client, db):
    post_form(client, "/register", {
        "name": "សុខ\u200bសុភា", "email": "sophea@example.org", "password": PASSWORD,
        "confirm": PASSWORD, "sex": "female", "country": "KH", "sector": "ngo"})
    assert db.session.scalar(sa.select(User.name)) == "សុខសុភា"


def test_idle_admin_is_signed_out(app, admin):
    client = app.test_client()
    login(client, admin)
    assert client.get("/admin/certificates").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    response = client.get("/admin/certificates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_idle_learner_keeps_a_longer_session(app, learner):
    client = app.test_client()
    login(client, learner)
    client.get("/dashboard")
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    assert client.get("/dashboard").status_code == 200


def test_successful_sign_ins_do_not_use_up_the_limit(app, client, learner):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = 3
    try:
        for _ in range(5):
            fresh = app.test_client()
            assert login(fresh, learner).status_code == 302
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = 10000


def test_fetcher_refuses_encoded_escapes(tmp_path):
    from lms.certification.render import FolderFetcher

    folder = tmp_path / "tpl"
    folder.mkdir()
    with pytest.raises(ValueError):
        FolderFetcher(folder).fetch(f"file://{folder}/%2e%2e/%2e%2e/etc/passwd")


def test_completion_date_is_the_learners_local_date():
    from lms.accounts.models import User
    from lms.certification.services import local_date

    late_evening_utc = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert local_date(late_evening_utc, User(country="TH").timezone_name) == "2026-11-28"
    assert local_date(late_evening_utc, User(country="XX").timezone_name) == "2026-11-27"
    chosen = User(country="TH", timezone="Europe/Vienna").timezone_name
    assert local_date(late_evening_utc, chosen) == "2026-11-28"
