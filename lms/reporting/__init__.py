"""Reporting, the top floor: cohort tracking, its exports and reminders (reads every domain)."""
from flask import Flask


def init_app(app: Flask) -> None:
    # reminder_views and tasks are imported for what they register: routes, the periodic task.
    from lms.reporting import me_export_views, me_views, permissions, reminder_views, tasks  # noqa: F401,E501
    from lms.reporting.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["can_send_reminders"] = permissions.can_send_reminders
    app.jinja_env.globals["can_track_cohort"] = permissions.can_track_cohort
