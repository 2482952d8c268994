"""Certification: issuing, revoking, rendering and verifying certificates."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.certification import (  # noqa: F401  (the job; the person page's route)
        permissions,
        person_views,
        tasks,
    )
    from lms.certification.cli import certificates_cli
    from lms.certification.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(certificates_cli)
    app.jinja_env.globals["can_issue_certificates"] = permissions.can_issue_certificates
