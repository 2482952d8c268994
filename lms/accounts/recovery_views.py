"""Forgotten password: ask for a link, then set a new password with it."""
from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.accounts import recovery, tasks
from lms.accounts.account_forms import ForgotPasswordForm, ResetPasswordForm
from lms.accounts.recovery import InvalidLink, email_key
from lms.accounts.registration_views import invalid_link
from lms.accounts.services import normalise_email
from lms.accounts.views import bp
from lms.core import throttle
from lms.core.access import public
from lms.core.db import db
from lms.core.errors import DomainError

# Requests for a link: per address a minute (answered 429: it says nothing about any
# account), and per email an hour (beyond it nothing more is sent, and the page says
# what it always says: the limit must not tell whether the address has an account).
RESET_LIMIT_PER_ADDRESS = 5
RESET_LIMIT_PER_EMAIL = 3


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        config = current_app.config
        by_address = throttle.take(
            f"reset-address:{request.remote_addr}",
            config.get("RESET_LIMIT_PER_ADDRESS", RESET_LIMIT_PER_ADDRESS), 60)
        if not by_address.allowed:
            form.email.errors.append(ngettext(
                "Too many attempts. Please wait %(num)d second and try again.",
                "Too many attempts. Please wait %(num)d seconds and try again.",
                by_address.retry_after))
            response = make_response(render_template("accounts/forgot_password.html",
                                                     form=form), 429)
            response.headers["Retry-After"] = str(by_address.retry_after)
            return response
        email = normalise_email(form.email.data)
        by_email = throttle.take(f"reset-email:{email_key(email)}",
                                 config.get("RESET_LIMIT_PER_EMAIL", RESET_LIMIT_PER_EMAIL),
                                 3600)
        if by_email.allowed:
            # The look-up happens in the task: this request does the same for any address.
            tasks.queue_reset_link(email, request.remote_addr)
        db.session.commit()
        return redirect(url_for("accounts.reset_sent"))
    return render_template("accounts/forgot_password.html", form=form), \
        422 if form.errors else 200


@bp.get("/password/forgot/sent")
@public
def reset_sent():
    return render_template("accounts/reset_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    user = recovery.user_for_reset(token)  # the link is used only when the form is sent
    if user is None:
        return invalid_link()
    form = ResetPasswordForm()
    form.user_inputs = (user.email, user.name)
    if form.validate_on_submit():
        try:
            recovery.reset_password(token, form.password.data, ip=request.remote_addr)
        except InvalidLink:
            db.session.rollback()
            return invalid_link()
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            # Signing in stays one path (its limits, device cookie and audit), and the
            # person shows they know the new password: OWASP's advice after a reset.
            flash(_("Your password is changed, and every other sign-in has ended. Sign in "
                    "with your new password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, user=user), \
        422 if form.errors else 200
