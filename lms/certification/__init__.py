"""Certification: issuing, revoking, rendering and verifying certificates."""
from datetime import date

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.certification import (  # noqa: F401  (the job; the routes in other files)
        admin_views,
        credential_views,
        permissions,
        person_views,
        signers,
        tasks,
        verify_views,
    )
    from lms.certification.cli import certificates_cli
    from lms.certification.lifetime import renew_after_refresher
    from lms.certification.models import current_status
    from lms.certification.views import bp
    from lms.core.db import utcnow
    from lms.learning.signals import course_completed

    app.register_blueprint(bp)
    app.cli.add_command(certificates_cli)
    # weak=False: the receiver is a module function, but blinker must not drop it.
    course_completed.connect(renew_after_refresher, weak=False)
    app.jinja_env.filters["as_date"] = date.fromisoformat
    app.jinja_env.globals["cert_status"] = lambda c: current_status(c, utcnow())
    app.jinja_env.globals["can_issue_certificates"] = permissions.can_issue_certificates
