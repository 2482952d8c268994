"""The admin audit viewer and its CSV export; read-only (the log has no edit or delete)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from lms.accounts.audit_log import (
    AuditFilters,
    describe,
    distinct_values,
    events_page,
    export_header,
    export_rows,
    parse_audit_filters,
)
from lms.accounts.views import bp
from lms.core.access import roles_required
from lms.core.audit import AuditEvent
from lms.core.csv_safe import csv_response
from lms.core.requests import parse_id


def _export_name(filters: AuditFilters) -> str:
    days = [day.isoformat() for day in (filters.since, filters.until) if day]
    return "-".join(["audit", *dict.fromkeys(days)]) + ".csv"


@bp.get("/admin/audit")
@roles_required("admin")
def admin_audit():
    filters = parse_audit_filters(request.args)
    zone = current_user.timezone_name
    return render_template(
        "accounts/audit.html", events=events_page(filters, zone, parse_id(request.args.get(
            "after"))), filters=filters, zone=zone,
        actions=distinct_values(AuditEvent.action),
        target_types=distinct_values(AuditEvent.target_type), describe=describe)


@bp.get("/admin/audit.csv")
@roles_required("admin")
def admin_audit_csv():
    filters = parse_audit_filters(request.args)
    zone = current_user.timezone_name
    return csv_response(_export_name(filters), export_header(zone), export_rows(filters, zone))
