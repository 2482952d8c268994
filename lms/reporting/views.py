"""Tracking pages: cohorts, a cohort's courses, a course's members, CSV and XLSX."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.models import Course
from lms.core.access import roles_required
from lms.core.csv_safe import csv_response
from lms.core.db import db, utcnow
from lms.core.paging import keyset_page
from lms.core.xlsx_safe import xlsx_response
from lms.learning.cohorts import Cohort, CohortCourse
from lms.reporting import permissions, reminders, tracking
from lms.reporting.chart import progress_chart, state_labels
from lms.reporting.forms import ReminderForm

bp = Blueprint("reporting", __name__)


def cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort, if this person may follow at least one of its courses."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not permissions.can_track_cohort(current_user, cohort):
        abort(404)
    return cohort


def cohort_course_or_404(cohort_id: int, course_id: int) -> tuple[Cohort, Course]:
    """The cohort and one of its courses, if this person may follow that course there
    (else 404: whether the cohort exists is not theirs to know)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not permissions.can_track_course(current_user, cohort, course_id):
        abort(404)
    course = db.session.scalar(sa.select(Course).join(
        CohortCourse, CohortCourse.course_id == Course.id).where(
        CohortCourse.cohort_id == cohort.id, Course.id == course_id))
    if course is None:
        abort(404)
    return cohort, course


@bp.get("/tracking")
@roles_required("instructor", "admin")
def cohorts():
    page = keyset_page(permissions.visible_cohorts_query(current_user), Cohort.id,
                       newest_first=True)
    return render_template("reporting/cohorts.html", page=page)


@bp.get("/cohorts/<int:cohort_id>/tracking")
@roles_required("instructor", "admin")
def cohort(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    today = tracking.local_today()
    courses = tracking.course_summaries(
        cohort, permissions.trackable_course_ids(current_user, cohort), today=today)
    return render_template("reporting/cohort.html", cohort=cohort, courses=courses,
                           overdue=tracking.is_past_due(cohort, today), labels=state_labels())


@bp.get("/cohorts/<int:cohort_id>/courses/<int:course_id>/tracking")
@roles_required("instructor", "admin")
def course_tracking(cohort_id: int, course_id: int):
    cohort, course = cohort_course_or_404(cohort_id, course_id)
    filters = tracking.Filters.from_args(request.args)
    today = tracking.local_today()
    page = tracking.tracking_page(cohort, course.id, filters, today=today,
                                  per_page=tracking.PER_PAGE)
    may_remind = permissions.can_send_reminders(current_user, cohort)
    form = None
    if may_remind:
        form = ReminderForm(formdata=None, audience=filters.show or "not_completed")
        form.audience.choices = audience_choices(page.summary)
    return render_template(
        "reporting/tracking.html", cohort=cohort, course=course, filters=filters, page=page,
        summary=page.summary, chart=progress_chart(page.summary, format_decimal),
        labels=state_labels(), past_due=tracking.is_past_due(cohort, today), today=today,
        form=form, reminders=reminders.cohort_reminders(cohort.id, course.id) if may_remind
        else [])


def audience_choices(summary: tracking.Summary) -> list[tuple[str, str]]:
    """The reminder's audiences, each with how many members it finds today."""
    labels = {"all": _("Every member"), **state_labels()}
    return [(key, _("%(audience)s (%(num)s now)", audience=labels[key],
                    num=format_decimal(summary.count("" if key == "all" else key))))
            for key in reminders.AUDIENCES]


# --- exports ------------------------------------------------------------------------


def _header() -> list[str]:
    return [_("Name"), _("Email"), _("Organisation"), _("Enrolled"), _("Last active"),
            _("Lessons done"), _("Lessons in the course"), _("Progress (%)"),
            _("Pre-test score (%)"), _("Final test score (%)"), _("Knowledge gain (points)"),
            _("Status"), _("Completed"), _("Overdue"), _("Certificate"),
            _("Certificate issued")]


WIDTHS = [28, 30, 24, 16, 16, 8, 8, 8, 10, 10, 10, 14, 16, 8, 14, 16]


def _cells(rows: Iterable[tracking.TrackingRow]) -> Iterator[list]:
    """Tracking rows as cells: times in the reader's zone, states in words."""
    yes, no, labels = _("yes"), _("no"), state_labels()
    issued, lapsed = _("issued"), _("revoked or expired")

    def local(moment):
        return to_user_timezone(moment) if moment else None

    for row in rows:
        yield [row.name, row.email, row.organisation, local(row.enrolled_at),
               local(row.last_active_at), row.lessons_done, row.lessons_total,
               row.progress.percent, row.pre_score, row.final_score, row.knowledge_gain,
               labels[row.state], local(row.completed_at), yes if row.overdue else no,
               issued if row.certified_at else lapsed if row.certificate_lapsed else None,
               local(row.certified_at)]


def _export(cohort_id: int, course_id: int, extension: str):
    cohort, course = cohort_course_or_404(cohort_id, course_id)
    filters = tracking.Filters.from_args(request.args)
    rows = _cells(tracking.iter_tracking_rows(cohort, course.id, filters,
                                              today=tracking.local_today()))
    day = to_user_timezone(utcnow()).date().isoformat()
    name = f"tracking-cohort{cohort.id}-{course.slug}-{filters.show or 'all'}-{day}.{extension}"
    if extension == "csv":
        return csv_response(name, _header(), rows)
    return xlsx_response(name, _header(), rows, sheet=_("Tracking"), widths=WIDTHS)


@bp.get("/cohorts/<int:cohort_id>/courses/<int:course_id>/tracking.csv")
@roles_required("instructor", "admin")
def tracking_csv(cohort_id: int, course_id: int):
    return _export(cohort_id, course_id, "csv")


@bp.get("/cohorts/<int:cohort_id>/courses/<int:course_id>/tracking.xlsx")
@roles_required("instructor", "admin")
def tracking_xlsx(cohort_id: int, course_id: int):
    return _export(cohort_id, course_id, "xlsx")
