"""Certification: issuing, revoking, rendering and verifying certificates."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.certification.cli import certificates_cli
    from lms.certification.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(certificates_cli)
