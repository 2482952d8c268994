"""Invitation pages: the emailed link's, and the admins' list of those not accepted."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from lms.accounts import invitations
from lms.accounts.invitation_forms import AcceptInvitationForm
from lms.accounts.models import User
from lms.accounts.session_limits import start_session_clock
from lms.accounts.views import bp
from lms.core.access import public, roles_required
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.forms import ActionForm
from lms.core.paging import keyset_page
from lms.core.unit_of_work import commit_or_flash


def _not_usable(found: invitations.InvitationLink) -> ResponseReturnValue:
    """The page for a link that cannot be used: why, and how to get a new one."""
    return render_template("accounts/invitation_invalid.html", found=found), \
        200 if found.state == "accepted" else 410


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    found = invitations.invitation_link(token)
    if not found.valid:
        return _not_usable(found)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(token, form.password.data,
                                                 ip=request.remote_addr)
        except invitations.InvalidInvitation as error:
            db.session.rollback()
            return _not_usable(error.found)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            session.clear()  # a fresh session: whoever was signed in here is not any more
            login_user(user)
            start_session_clock()
            flash(_("Welcome, %(name)s. Your password is set and you are signed in.",
                    name=user.name), "success")
            return redirect(url_for("learning.dashboard"))
    response = render_template("accounts/invitation_accept.html", form=form, user=found.user,
                               expires_at=found.expires_at)
    return response, 422 if form.errors else 200


@bp.get("/admin/invitations")
@roles_required("admin")
def admin_invitations() -> ResponseReturnValue:
    page = keyset_page(invitations.pending_query(), User.id, newest_first=True, scalars=False)
    return render_template("accounts/admin_invitations.html", page=page, now=utcnow())


def _back(default: str) -> str:
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.post("/admin/invitations/<int:user_id>/resend")
@roles_required("admin")
def admin_resend_invitation(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: invitations.resend_invitation(
            user, actor_id=current_user.id, ip=request.remote_addr)).ok:
        flash(_("A new invitation is on its way to %(email)s. The earlier link no longer "
                "works.", email=user.email), "success")
    return redirect(_back(url_for("accounts.admin_invitations")))
