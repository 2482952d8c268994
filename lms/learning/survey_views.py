"""The learner's survey pages: feedback after the final test, and the follow-up on use
(from the course page once due, or from the emailed link without signing in)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.catalog.models import Course
from lms.catalog.queries import get_course_or_404
from lms.catalog.surveys import survey_of
from lms.core.access import login_required, public
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.learning import services, surveys
from lms.learning.models import Enrolment
from lms.learning.survey_forms import TEXT_MAX, FeedbackForm, FollowUpForm
from lms.learning.views import bp


def _closed(status: int, message: str, course: Course | None = None):
    """A refusal that says why and where to go; nothing was saved."""
    db.session.rollback()
    return render_template("learning/survey_closed.html", message=message, course=course,
                           signed_in=current_user.is_authenticated), status


def _own_enrolment(course: Course) -> Enrolment | None:
    return services.get_enrolment(current_user.id, course.id)


@bp.route("/courses/<slug>/feedback", methods=["GET", "POST"])
@login_required
def feedback(slug: str):
    course = get_course_or_404(slug)
    enrolment = _own_enrolment(course)
    if enrolment is None:
        return _closed(404, _("You are not enrolled in this course, so it has no feedback "
                              "survey for you."), course)
    try:
        surveys.check_feedback_open(enrolment)
    except surveys.SurveyClosed as closed:
        return _closed(403, closed.message, course)
    return _survey_page(
        "learning/feedback.html", course, FeedbackForm,
        answered=surveys.has_feedback(enrolment),
        record=lambda form: surveys.record_feedback(
            enrolment, relevance=form.relevance.data, clarity=form.clarity.data,
            confidence=form.confidence.data, comment=form.comment.data),
        back=url_for("learning.course", slug=slug),
        already=_("We had already received your feedback on this course; your first "
                  "answers are kept. Thank you."),
        thanks=_("Thank you: your feedback was received."))


def _follow_up_page(enrolment: Enrolment, course: Course, *, by_link: bool):
    try:
        surveys.check_follow_up_open(enrolment, course, utcnow(), by_link=by_link)
    except surveys.SurveyClosed as closed:
        return _closed(403, closed.message, course)
    # Signed in: back to the course. By the link: this page again, which now thanks them.
    return _survey_page(
        "learning/follow_up.html", course, FollowUpForm,
        answered=surveys.has_follow_up(enrolment),
        record=lambda form: surveys.record_follow_up(
            enrolment, course, used=form.used.data, how=form.how.data, by_link=by_link),
        back=request.path if by_link else url_for("learning.course", slug=course.slug),
        already=_("We had already received your answer about using this course; your "
                  "first answer is kept. Thank you."),
        thanks=_("Thank you: your answer was received."))


def _survey_page(template: str, course: Course, form_class, *, answered: bool,
                 record, back: str, already: str, thanks: str):
    """Both surveys' one flow: answered once (a second POST is thanked, not stored; so
    is a second tab that got there first), else the form, with its errors beside it."""
    survey = survey_of(course)
    if answered:
        if request.method == "POST":
            flash(already, "info")
            return redirect(back)
        return render_template(template, course=course, survey=survey, form=None, done=True)
    form = form_class()
    if form.validate_on_submit():
        try:
            record(form)
        except surveys.AlreadyAnswered as first:
            db.session.rollback()
            flash(first.message, "info")
            return redirect(back)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(thanks, "success")
            return redirect(back)
    return render_template(template, course=course, survey=survey, form=form, done=False,
                           text_max=TEXT_MAX), 400 if request.method == "POST" else 200


@bp.route("/courses/<slug>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(slug: str):
    course = get_course_or_404(slug)
    enrolment = _own_enrolment(course)
    if enrolment is None:
        return _closed(404, _("You are not enrolled in this course, so it has no follow-up "
                              "survey for you."), course)
    return _follow_up_page(enrolment, course, by_link=False)


@bp.route("/follow-up/<token>", methods=["GET", "POST"])
@public
def follow_up_by_link(token: str):
    """The emailed link: no sign-in needed. The GET changes nothing (mail scanners
    follow links); the form's POST records the answer."""
    try:
        enrolment = surveys.enrolment_from_token(token)
    except surveys.LinkRefused as refused:
        return _closed(410 if refused.expired else 404, refused.message)
    if current_user.is_authenticated and current_user.id != enrolment.user_id:
        return _closed(403, _("This link was sent to someone else. If it was sent to you, "
                              "sign out and open it again."))
    return _follow_up_page(enrolment, db.session.get(Course, enrolment.course_id),
                           by_link=True)
