"""GET /healthz: 200 after a database round trip, 503 with a reason when it fails."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from lms.core.access import public
from lms.core.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except Exception as exc:  # any driver error means "not ready"
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", exc)
        return jsonify({"status": "error", "reason": "database unreachable"}), 503
    return jsonify({"status": "ok"})
