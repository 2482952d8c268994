"""Reminder pages: send or schedule one, withdraw one, and a learner's own choice."""
from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user

from lms.accounts.reminder_choice import set_reminders_opt_out
from lms.core.access import login_required, public, roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash
from lms.learning.cohorts import Reminder
from lms.reporting import permissions, reminders, tasks
from lms.reporting.forms import ReminderChoiceForm, ReminderForm
from lms.reporting.tracking import Summary
from lms.reporting.views import audience_choices, bp, cohort_course_or_404


@bp.post("/cohorts/<int:cohort_id>/courses/<int:course_id>/reminders")
@roles_required("instructor", "admin")
def send_reminder(cohort_id: int, course_id: int):
    cohort, course = cohort_course_or_404(cohort_id, course_id)
    if not permissions.can_send_reminders(current_user, cohort):
        abort(403)
    form = ReminderForm()
    form.audience.choices = audience_choices(Summary())
    back = url_for("reporting.course_tracking", cohort_id=cohort.id, course_id=course.id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    later = form.when.data == "later"
    send_at = to_utc(form.send_at.data).replace(tzinfo=UTC) if later else None
    outcome = commit_or_flash(lambda: tasks.schedule_reminder(
        cohort, course, audience=form.audience.data, message=form.message.data or "",
        send_at=send_at, actor_id=current_user.id, zone=current_user.timezone_name))
    if outcome.ok:
        flash(_("The reminder is scheduled.") if later else
              _("The reminder is on its way to the members it is for."), "success")
    return redirect(back)


@bp.post("/cohorts/<int:cohort_id>/reminders/<int:reminder_id>/cancel")
@roles_required("instructor", "admin")
def cancel_reminder(cohort_id: int, reminder_id: int):
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.cohort_id != cohort_id:
        abort(404)
    cohort, course = cohort_course_or_404(cohort_id, reminder.course_id)
    if not permissions.can_send_reminders(current_user, cohort):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: reminders.cancel_reminder(reminder,
                                                         actor_id=current_user.id)).ok:
        flash(_("The reminder is withdrawn."), "success")
    return redirect(url_for("reporting.course_tracking", cohort_id=cohort.id,
                            course_id=course.id))


@bp.route("/reminders", methods=["GET", "POST"])
@login_required
def reminder_settings():
    """A learner's own choice (kept apart from the profile page, which links here)."""
    form = ReminderChoiceForm(reminders="off" if current_user.reminders_opt_out else "on")
    if form.validate_on_submit():
        off = form.reminders.data == "off"
        commit_or_flash(lambda: set_reminders_opt_out(current_user, off, via="settings"))
        flash(_("You will get no reminders.") if off else
              _("You will get reminders about your cohorts' courses."), "success")
        return redirect(url_for("reporting.reminder_settings"))
    return render_template("reporting/reminder_settings.html", form=form)


@bp.route("/reminders/off/<token>", methods=["GET", "POST"])
@public
def reminders_off(token: str):
    """The link in every reminder: one button, no sign-in. The GET changes nothing (mail
    scanners follow links); the POST turns reminders off."""
    person = reminders.user_from_off_token(token)
    if person is None:
        abort(404)
    form = ActionForm()
    done = False
    if form.validate_on_submit():
        commit_or_flash(lambda: set_reminders_opt_out(person, True, via="email link"))
        done = True
    return render_template("reporting/reminders_off.html", form=form, done=done,
                           already=person.reminders_opt_out and not done)
