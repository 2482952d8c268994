"""Importing people into a cohort from a CSV: upload or paste, preview, confirm."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.access import roles_required
from lms.core.csv_text import ENCODINGS
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.requests import form_limits, upload_limits
from lms.learning import import_services, import_tasks
from lms.learning.cohort_forms import ImportForm
from lms.learning.cohort_import import MAX_BYTES, MAX_ROWS
from lms.learning.cohort_views import cohort_or_404
from lms.learning.cohorts import Cohort
from lms.learning.import_columns import HEADER_ALIASES
from lms.learning.import_models import CohortImport
from lms.learning.views import bp

PAGE_SIZE = 200  # preview lines per page
KINDS = ("error", "new", "existing", "member")

# The body may hold the file and the form around it; the cap itself is checked on the
# bytes, with a message that says it.
upload_limits["learning.cohort_import"] = MAX_BYTES + 1024 * 1024
form_limits["learning.cohort_import"] = MAX_BYTES + 1024 * 1024


def _separators() -> dict[str, str]:
    return {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("vertical bar")}


def _caps() -> dict:
    return {"max_mb": MAX_BYTES // (1024 * 1024), "max_rows": MAX_ROWS,
            "aliases": HEADER_ALIASES}


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roles_required("admin")
def cohort_import(cohort_id: int) -> ResponseReturnValue:
    cohort = cohort_or_404(cohort_id)
    form = ImportForm()
    if request.method == "GET":
        return render_template("learning/cohort_import.html", cohort=cohort, form=form,
                               **_caps())
    if not form.validate_on_submit():
        return render_template("learning/cohort_import.html", cohort=cohort, form=form,
                               **_caps()), 422
    data, source, encoding = b"", "", form.encoding.data or None
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        data, source = upload.read(MAX_BYTES + 1), upload.filename
    elif (form.text.data or "").strip():
        # Pasted text arrives as Unicode whatever the page's encoding: store it as UTF-8.
        data, source, encoding = form.text.data.encode("utf-8"), _("pasted text"), "utf-8"
    if not data.strip():
        flash(_("Choose a CSV file, or paste the rows."), "error")
        return render_template("learning/cohort_import.html", cohort=cohort, form=form,
                               **_caps()), 400
    pending = import_services.stage_import(cohort, data, source=source, encoding=encoding,
                                           rows=0, actor_id=current_user.id)
    db.session.commit()
    return redirect(url_for("learning.cohort_import_preview", cohort_id=cohort.id,
                            import_id=pending.id))


def _pending_or_404(cohort_id: int, import_id: int) -> tuple[Cohort, CohortImport]:
    cohort = cohort_or_404(cohort_id)
    pending = db.session.get(CohortImport, import_id)
    # Another admin's upload is theirs to confirm; it is answered like a missing one.
    if pending is None or pending.cohort_id != cohort.id \
            or pending.created_by_id != current_user.id:
        abort(404)
    return cohort, pending


def _page_number() -> int:
    text = request.args.get("page", "1")
    return max(1, min(int(text), 10_000)) if text.isascii() and text.isdigit() else 1


@bp.get("/cohorts/<int:cohort_id>/imports/<int:import_id>")
@roles_required("admin")
def cohort_import_preview(cohort_id: int, import_id: int) -> ResponseReturnValue:
    cohort, pending = _pending_or_404(cohort_id, import_id)
    if pending.applied_at is not None:
        flash(_("This file was imported already."), "info")
        return redirect(url_for("learning.cohort", cohort_id=cohort.id))
    checked = import_services.preview(cohort.id, pending.content, encoding=pending.encoding)
    show = request.args.get("show", "")
    lines = [line for line in checked.lines if line.kind == show] if show in KINDS \
        else checked.lines
    number = _page_number()
    start = (number - 1) * PAGE_SIZE
    return render_template(
        "learning/cohort_import_preview.html", cohort=cohort, pending=pending,
        checked=checked, counts=checked.counts, lines=lines[start:start + PAGE_SIZE],
        shown_from=start + 1, shown_total=len(lines), show=show if show in KINDS else "",
        page=number, more=start + PAGE_SIZE < len(lines), form=ActionForm(),
        encodings=ENCODINGS, separators=_separators())


@bp.post("/cohorts/<int:cohort_id>/imports/<int:import_id>/confirm")
@roles_required("admin")
def cohort_import_confirm(cohort_id: int, import_id: int) -> ResponseReturnValue:
    cohort, pending = _pending_or_404(cohort_id, import_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("learning.cohort_import_preview", cohort_id=cohort.id, import_id=pending.id)
    if pending.applied_at is not None:
        flash(_("This file was imported already."), "info")
        return redirect(url_for("learning.cohort", cohort_id=cohort.id))
    checked = import_services.preview(cohort.id, pending.content, encoding=pending.encoding)
    if not checked.ok:
        flash(_("The file has problems. Fix them in the spreadsheet and upload it again: "
                "nothing was imported."), "error")
        return redirect(back)
    pending.rows = len(checked.lines)
    job = import_tasks.start_import(pending, current_user.id)
    db.session.commit()
    return redirect(url_for("jobs.job", job_id=job.id))
