"""Assessment: quizzes, attempts and grading."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.assessment import queries
    from lms.assessment.services import unmet_quiz_requirements
    from lms.assessment.views import bp
    from lms.learning.signals import completion_requirements

    completion_requirements.connect(unmet_quiz_requirements)
    app.register_blueprint(bp)
    app.jinja_env.globals["course_quizzes"] = queries.course_quizzes
    app.jinja_env.globals["best_quiz_scores"] = queries.best_scores
