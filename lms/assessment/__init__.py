"""Assessment: quizzes, question types, attempts, grading, statistics and regrading."""
from flask import Flask


def init_app(app: Flask) -> None:
    # teach_views and tasks are imported for what they register: routes and job kinds.
    from lms.assessment import gradebook_views, permissions, queries, tasks, teach_views  # noqa: F401
    from lms.assessment.cli import attempts_cli
    from lms.assessment.services import unmet_quiz_requirements
    from lms.assessment.views import bp, csrf_recovery
    from lms.core.errors import csrf_recovery as recovery_handlers
    from lms.learning.signals import completion_requirements

    completion_requirements.connect(unmet_quiz_requirements)
    recovery_handlers["assessment.save"] = csrf_recovery
    recovery_handlers["assessment.autosave"] = csrf_recovery
    app.register_blueprint(bp)
    app.cli.add_command(attempts_cli)
    app.jinja_env.globals["course_quizzes"] = queries.published_quizzes
    app.jinja_env.globals["quizzes_by_course"] = queries.quizzes_by_course
    app.jinja_env.globals["best_quiz_scores"] = queries.best_scores
    app.jinja_env.globals["can_regrade"] = permissions.can_regrade
    app.jinja_env.globals["warns_of_distress"] = queries.warns_of_distress
