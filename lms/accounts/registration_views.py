"""Registering, confirming the address, and the admins' registration settings."""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.accounts import registration
from lms.accounts.account_forms import RegistrationModeForm
from lms.accounts.forms import RegisterForm
from lms.accounts.models import User
from lms.accounts.recovery import InvalidLink
from lms.accounts.views import _safe_next as safe_next
from lms.accounts.views import _start_session as start_session
from lms.accounts.views import bp
from lms.core import i18n, throttle
from lms.core.access import public, roles_required
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.forms import ActionForm
from lms.core.paging import keyset_page
from lms.core.unit_of_work import commit_or_flash

# Registrations sent from one address in an hour (a training room shares one address).
REGISTER_LIMIT_PER_ADDRESS = 30


def invalid_link():
    """Unknown, used or expired: one page for all three, saying what to do next."""
    return render_template("accounts/link_invalid.html"), 410


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    mode = registration.registration_mode()
    if mode == "invite":
        return render_template("accounts/register_closed.html"), \
            200 if request.method == "GET" else 403
    form = RegisterForm()
    if form.validate_on_submit():
        limit = current_app.config.get("REGISTER_LIMIT_PER_ADDRESS", REGISTER_LIMIT_PER_ADDRESS)
        decision = throttle.take(f"register-address:{request.remote_addr}", limit, 3600)
        if not decision.allowed:
            form.email.errors.append(ngettext(
                "Too many attempts. Please wait %(num)d second and try again.",
                "Too many attempts. Please wait %(num)d seconds and try again.",
                decision.retry_after))
            response = make_response(render_template("accounts/register.html", form=form,
                                                     mode=mode), 429)
            response.headers["Retry-After"] = str(decision.retry_after)
            return response
        try:
            registration.register(
                email=form.email.data, name=form.name.data, password=form.password.data,
                sex=form.sex.data, country=form.country.data, sector=form.sector.data,
                organisation=form.organisation.data, answers=form.answers(),
                locale=i18n.cookie_locale())
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            # The same answer whether the address was new or already had an account.
            return redirect(url_for("accounts.register_sent"))
    return render_template("accounts/register.html", form=form, mode=mode), \
        422 if form.errors else 200


@bp.get("/register/sent")
@public
def register_sent():
    return render_template("accounts/register_sent.html")


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_registration(token: str):
    # Opening the link shows a button: a mail scanner that fetches links uses nothing.
    user = registration.registrant_for(token)
    if user is None:
        return invalid_link()
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("accounts/register_confirm.html", form=form, user=user)
    try:
        user = registration.confirm_registration(token, ip=request.remote_addr)
    except InvalidLink:
        db.session.rollback()
        return invalid_link()
    db.session.commit()
    if not user.active:
        flash(_("Thank you: your address is confirmed. An administrator approves new "
                "accounts; you will receive an email when yours is ready."), "success")
        return redirect(url_for("catalog.index"))
    start_session(user)
    flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
    return redirect(safe_next(url_for("catalog.index")))


@bp.route("/admin/registration", methods=["GET", "POST"])
@roles_required("admin")
def admin_registration():
    form = RegistrationModeForm()
    if request.method == "GET":
        form.mode.data = registration.registration_mode()
    if form.validate_on_submit():
        done = commit_or_flash(lambda: registration.set_registration_mode(
            form.mode.data, actor_id=current_user.id, ip=request.remote_addr))
        if done.ok:
            flash(_("Registration settings saved."), "success")
            return redirect(url_for("accounts.admin_registration"))
    pending = keyset_page(registration.pending_query(), User.id)
    return render_template("accounts/admin_registration.html", form=form, pending=pending), \
        422 if form.errors else 200


def _decide(user_id: int, decide, message):
    user = db.session.get(User, user_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = commit_or_flash(lambda: decide(user, actor_id=current_user.id,
                                          ip=request.remote_addr))
    if done.ok:
        flash(message(user), "success")
    return redirect(url_for("accounts.admin_registration"))


@bp.post("/admin/registration/<int:user_id>/approve")
@roles_required("admin")
def admin_approve(user_id: int):
    return _decide(user_id, registration.approve_registration, lambda user: _(
        "%(name)s's account is approved; they have been told by email.", name=user.name))


@bp.post("/admin/registration/<int:user_id>/refuse")
@roles_required("admin")
def admin_refuse(user_id: int):
    return _decide(user_id, registration.refuse_registration, lambda user: _(
        "%(name)s's registration was refused; they have been told by email.",
        name=user.name))
