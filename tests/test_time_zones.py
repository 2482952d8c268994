"""Dates and times in the learner's own time zone: chosen on the settings page, or their
country's; the dashboard and the certificate agree."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from lms.certification.models import Certificate
from lms.learning.models import Enrolment
from tests.fixtures.app import post_form
from tests.helpers import complete_course

LATE_EVENING_UTC = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)


def _complete_late_in_utc(db, learner_client, tiny_course):
    complete_course(learner_client, tiny_course)
    enrolment = db.session.scalar(sa.select(Enrolment))
    enrolment.completed_at = LATE_EVENING_UTC
    db.session.commit()


def test_dashboard_and_certificate_show_the_same_local_date(db, tiny_course, learner,
                                                            learner_client, admin_client):
    _complete_late_in_utc(db, learner_client, tiny_course)
    # A learner in Thailand (the country's zone): 06:30 on the 28th in Bangkok.
    assert "Completed Nov 28, 2026" in learner_client.get("/dashboard").get_data(
        as_text=True)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    assert db.session.scalar(sa.select(Certificate)).snapshot["completed_on"] == "2026-11-28"


def test_a_chosen_time_zone_moves_dates(db, tiny_course, learner, learner_client, admin_client):
    _complete_late_in_utc(db, learner_client, tiny_course)
    page = learner_client.get("/account").get_data(as_text=True)
    assert '<option selected value="Asia/Bangkok">Asia/Bangkok (UTC+7)</option>' in page
    saved = post_form(learner_client, "/account", {"locale": "en",
                                                   "timezone": "America/New_York"})
    assert saved.status_code == 302
    assert "Completed Nov 27, 2026" in learner_client.get("/dashboard").get_data(
        as_text=True)
    post_form(admin_client, "/admin/courses/tiny-course/certificates/issue-all")
    assert db.session.scalar(sa.select(Certificate)).snapshot["completed_on"] == "2026-11-27"


def test_an_unknown_time_zone_is_refused_and_nothing_changes(db, learner, learner_client):
    response = post_form(learner_client, "/account", {"locale": "en", "timezone": "Mars/Base"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(type(learner), learner.id).timezone is None
