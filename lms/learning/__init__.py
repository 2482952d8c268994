"""Learning: enrolments, lesson progress and course completion."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.learning import (  # noqa: F401  (models, routes on bp, the import's job kind)
        cohort_views,
        cohorts,
        import_models,
        import_tasks,
        import_views,
        people,
        survey_models,
        survey_views,
        tasks,
    )
    from lms.learning.cli import cohorts_cli
    from lms.learning.permissions import can_manage_cohorts, can_view_cohort
    from lms.learning.surveys import survey_offers
    from lms.learning.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(cohorts_cli)
    app.jinja_env.globals.update(can_manage_cohorts=can_manage_cohorts,
                                 can_view_cohort=can_view_cohort,
                                 survey_offers=survey_offers)  # course and result pages
    people.init_app(app)  # the cohort filter of the admin people list
