"""The instructor studio: courses edited in the browser, as drafts, then published."""
from flask import Blueprint, Flask

bp = Blueprint("studio", __name__, url_prefix="/studio")


def init_app(app: Flask) -> None:
    # The view modules are imported for the routes they add to bp.
    from lms.content.studio import (  # noqa: F401
        course_views,
        instrument_views,
        outline_views,
        preview_views,
        question_views,
        resend,
        transfer_views,
        translation_views,
        version_views,
    )
    from lms.content.studio.question_editor import TYPE_NAMES
    from lms.core.requests import upload_limits

    # An image (re-encoded, capped by MEDIA_MAX_BYTES), a course zip, a Moodle bank.
    upload_limits.update({"studio.upload_image": 8 * 1024 * 1024,
                          "studio.import_course": 21 * 1024 * 1024,
                          "studio.import_draft": 21 * 1024 * 1024,
                          "studio.import_questions": 6 * 1024 * 1024})
    resend.register()
    app.register_blueprint(bp)
    app.jinja_env.globals["type_names"] = TYPE_NAMES
