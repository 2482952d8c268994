"""Sign in, sign out, language, and an admin's change of role (the accounts blueprint)."""
from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from lms.accounts import services, signin
from lms.accounts.forms import (
    ROLE_LABELS,
    LanguageForm,
    LoginForm,
    RoleForm,
)
from lms.accounts.models import User
from lms.accounts.session_limits import start_session_clock
from lms.core import i18n
from lms.core.access import login_required, public, roles_required
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.extensions import csrf
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


@bp.post("/admin/users/<int:user_id>/role")
@roles_required("admin")
def admin_change_role(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    back = _safe_next(url_for("accounts.admin_users"))  # the page (and filters) it came from
    if not form.validate_on_submit():
        flash(_("Choose one of the listed roles."), "error")
        return redirect(back)
    done = commit_or_flash(lambda: services.change_role(
        user, form.role.data, actor=current_user, ip=request.remote_addr))
    if done.ok:
        flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role]),
              "success")
    return redirect(back)
