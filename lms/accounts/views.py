"""Register, sign in, sign out, language, and the admin list of people."""
from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.accounts import services, signin
from lms.accounts.choices import TIMEZONES
from lms.accounts.forms import (
    ROLE_LABELS,
    LanguageForm,
    LoginForm,
    RegisterForm,
    RoleForm,
    SettingsForm,
)
from lms.accounts.models import User
from lms.accounts.session_limits import start_session_clock
from lms.core import i18n
from lms.core.access import login_required, public, roles_required
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.extensions import csrf
from lms.core.paging import keyset_page
from lms.core.security import from_another_site
from lms.core.unit_of_work import commit_or_flash

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _start_session(user: User) -> None:
    session.clear()  # a fresh session at sign-in: no fixation
    login_user(user)
    start_session_clock()


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data, name=form.name.data, password=form.password.data,
                sex=form.sex.data, country=form.country.data, sector=form.sector.data,
                organisation=form.organisation.data, locale=i18n.cookie_locale())
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(_safe_next(url_for("catalog.index")))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        cookie_name = signin.device_cookie_name()
        outcome = signin.sign_in(form.email.data, form.password.data, ip=request.remote_addr,
                                 device_cookie=request.cookies.get(cookie_name))
        db.session.commit()  # the audit event, whatever the outcome
        if outcome.user is not None:
            _start_session(outcome.user)
            response = redirect(_safe_next(url_for("learning.dashboard")))
            response.set_cookie(cookie_name, outcome.device_cookie,
                                max_age=signin.DEVICE_DAYS * 86400, path="/", httponly=True,
                                secure=current_app.config["SESSION_COOKIE_SECURE"],
                                samesite="Lax")
            return response
        if outcome.throttled:
            form.password.errors.append(ngettext(
                "Too many attempts. Please wait %(num)d second and try again.",
                "Too many attempts. Please wait %(num)d seconds and try again.",
                outcome.retry_after))
            response = make_response(render_template("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(outcome.retry_after)
            return response
        form.password.errors.append(_("The email or password is not correct."))
    if form.errors:
        status = 401
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(db.session.get(User, current_user.id))
    record_event("auth.logout", actor_id=current_user.id, target_type="user",
                 target_id=current_user.id, ip=request.remote_addr)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("catalog.index"))


@bp.post("/language")
@public
@csrf.exempt  # checked below for signed-in people, whose stored language it changes
def set_language():
    signed_in = current_user.is_authenticated
    if signed_in:
        csrf.protect()
    elif from_another_site():
        abort(400)
    # An anonymous visitor's form carries no token: a token would need a session cookie on
    # every page. Instead the browser's own headers say where the post came from.
    form = LanguageForm(meta={"csrf": False})
    form.locale.choices = list(current_app.extensions["lms_locales"].items())
    response = redirect(_safe_next(url_for("catalog.index")))
    if form.validate_on_submit():
        i18n.remember_locale(response, form.locale.data)
        if signed_in:
            services.set_locale(current_user, form.locale.data)
            db.session.commit()
    return response


def _zone_label(name: str) -> str:
    offset = datetime.now(ZoneInfo(name)).utcoffset() or timedelta(0)
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    return f"{name.replace('_', ' ')} (UTC{'+' if offset >= timedelta(0) else '-'}" \
           f"{abs(hours)}{f':{minutes:02d}' if minutes else ''})"


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    user = db.session.get(User, current_user.id)
    form = SettingsForm()
    form.locale.choices = list(current_app.extensions["lms_locales"].items())
    form.timezone.choices = [(zone, _zone_label(zone)) for zone in TIMEZONES]
    if request.method == "GET":
        form.locale.data = user.locale or str(get_locale())
        form.timezone.data = user.timezone_name
    if form.validate_on_submit():
        done = commit_or_flash(lambda: services.update_settings(
            user, locale=form.locale.data, timezone=form.timezone.data))
        if done.ok:
            flash(_("Your settings are saved."), "success")
            response = redirect(url_for("accounts.settings"))
            i18n.remember_locale(response, form.locale.data)  # still theirs after sign-out
            return response
    return render_template("accounts/settings.html", form=form), 422 if form.errors else 200


@bp.get("/admin/users")
@roles_required("admin")
def admin_users():
    users = keyset_page(sa.select(User), User.id, newest_first=True)
    total = db.session.scalar(sa.select(sa.func.count(User.id)))
    return render_template("accounts/admin_users.html", users=users, total=total,
                           role_form=RoleForm())


@bp.post("/admin/users/<int:user_id>/role")
@roles_required("admin")
def admin_change_role(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed roles."), "error")
        return redirect(url_for("accounts.admin_users"))
    done = commit_or_flash(lambda: services.change_role(
        user, form.role.data, actor=current_user, ip=request.remote_addr))
    if done.ok:
        flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role]),
              "success")
    return redirect(url_for("accounts.admin_users"))
