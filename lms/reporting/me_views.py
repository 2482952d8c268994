"""The M&E report pages: any figure as a table of rows by columns, with its chart, and
the help page that defines every figure and the suppression rule."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from lms.accounts.permissions import has_role
from lms.core.access import roles_required
from lms.reporting import me_page
from lms.reporting.views import bp


@bp.get("/reports/", endpoint="me_report")
@roles_required("admin", "me_officer")
def me_report_view():
    page = me_page.report_page(request.args)
    return render_template("reporting/me/report.html", page=page,
                           may_extract=has_role(current_user, "admin"))


@bp.get("/reports/help", endpoint="me_help")
@roles_required("admin", "me_officer")
def me_help_view():
    return render_template("reporting/me/help.html", **me_page.help_context())
