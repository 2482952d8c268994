"""The person's own account page: profile, language and time zone, email, password."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.accounts import demographics, profile, recovery, services
from lms.accounts.account_forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from lms.accounts.choices import TIMEZONES
from lms.accounts.forms import SettingsForm
from lms.accounts.models import User
from lms.accounts.permissions import has_role
from lms.accounts.recovery import InvalidLink
from lms.accounts.registration_views import invalid_link
from lms.accounts.views import _start_session as start_session
from lms.accounts.views import bp
from lms.core import i18n
from lms.core.access import login_required, public
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash

DISABILITY_LABELS = dict(demographics.DISABILITY_STATUSES)
ME_REPORT = "reporting.me_report"


@bp.app_context_processor
def reports_link() -> dict:
    """The main menu's "Reports" for M&E officers and admins, once the reporting area's
    page is registered (url_for would fail before): an M&E officer's work is there."""
    if (ME_REPORT not in current_app.view_functions or not has_request_context()
            or not has_role(current_user, "me_officer", "admin")):
        return {"me_reports_url": None}
    return {"me_reports_url": url_for(ME_REPORT)}


def _zone_label(name: str) -> str:
    offset = datetime.now(ZoneInfo(name)).utcoffset() or timedelta(0)
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    return f"{name.replace('_', ' ')} (UTC{'+' if offset >= timedelta(0) else '-'}" \
           f"{abs(hours)}{f':{minutes:02d}' if minutes else ''})"


def _settings_form(user: User, *, posted: bool) -> SettingsForm:
    form = SettingsForm() if posted else SettingsForm(formdata=None)
    form.locale.choices = list(current_app.extensions["lms_locales"].items())
    form.timezone.choices = [(zone, _zone_label(zone)) for zone in TIMEZONES]
    if not posted:
        form.locale.data = user.locale or str(get_locale())
        form.timezone.data = user.timezone_name
    return form


def _profile_form(user: User) -> ProfileForm:
    return ProfileForm(formdata=None, data={
        "name": user.name, "organisation": user.organisation or "",
        "country": user.country or "ZZ", "sector": user.sector or "undisclosed",
        "sex": user.sex or "undisclosed", **demographics.answers_of(user)})


def _page(user: User, posted: FlaskForm | None = None):
    """The page with every form; the one just sent keeps what was typed and its errors
    (the others are built without the request's data, which is not theirs)."""
    forms = {"settings_form": _settings_form(user, posted=False),
             "profile_form": _profile_form(user),
             "email_form": EmailChangeForm(formdata=None),
             "password_form": PasswordChangeForm(formdata=None)}
    for key, form in forms.items():
        if posted is not None and type(form) is type(posted):
            forms[key] = posted
    status = 422 if posted is not None and posted.errors else 200
    return render_template("accounts/settings.html", user=user, **forms,
                           disability=DISABILITY_LABELS.get(user.disability)), status


def _me() -> User:
    return db.session.get(User, current_user.id)


def _save(action, field) -> bool:
    """One service call, committed; a broken rule is shown by the field it concerns."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        field.errors.append(error.message)
        return False
    db.session.commit()
    return True


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    user = _me()
    if request.method == "GET":
        return _page(user)
    form = _settings_form(user, posted=True)
    if form.validate_on_submit():
        done = commit_or_flash(lambda: services.update_settings(
            user, locale=form.locale.data, timezone=form.timezone.data))
        if done.ok:
            flash(_("Your settings are saved."), "success")
            response = redirect(url_for("accounts.settings"))
            i18n.remember_locale(response, form.locale.data)  # still theirs after sign-out
            return response
    return _page(user, form)


@bp.post("/account/profile")
@login_required
def edit_profile():
    user = _me()
    form = ProfileForm()
    if form.validate_on_submit() and _save(lambda: profile.update_profile(
            user, name=form.name.data, organisation=form.organisation.data or "",
            country=form.country.data, sector=form.sector.data, sex=form.sex.data,
            answers=form.answers(), ip=request.remote_addr), form.name):
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.settings"))
    return _page(user, form)


@bp.post("/account/password")
@login_required
def change_password():
    user = _me()
    form = PasswordChangeForm()
    form.user_inputs = (user.email, user.name)
    if form.validate_on_submit() and _save(lambda: recovery.change_password(
            user, current=form.current.data, new=form.password.data,
            ip=request.remote_addr), form.current):
        start_session(user)  # every other session ended; this browser stays signed in
        flash(_("Your password is changed. You were signed out everywhere else."),
              "success")
        return redirect(url_for("accounts.settings"))
    return _page(user, form)


@bp.post("/account/email")
@login_required
def change_email():
    user = _me()
    form = EmailChangeForm()
    if form.validate_on_submit():
        new_email = services.normalise_email(form.new_email.data)
        if _save(lambda: profile.request_email_change(
                user, new_email=new_email, password=form.email_password.data,
                ip=request.remote_addr), form.email_password):
            flash(_("We sent a link to %(email)s. Your address changes when you open it; "
                    "until then, sign in with %(current)s.", email=new_email,
                    current=user.email), "success")
            return redirect(url_for("accounts.settings"))
    return _page(user, form)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@public  # the link may be opened in another browser; it was sent after a password check
def confirm_email(token: str):
    change = profile.email_change_for(token)
    if change is None:
        return invalid_link()
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("accounts/email_confirm.html", form=form, new_email=change[1])
    try:
        profile.confirm_email_change(token, ip=request.remote_addr)
    except InvalidLink:
        db.session.rollback()
        return invalid_link()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Your email address is now %(email)s.", email=change[1]), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.settings"))
    return redirect(url_for("accounts.login"))
