"""Catalogue: courses, modules, lessons, and who works on each course."""
from flask import Flask


def init_app(app: Flask) -> None:
    import lms.catalog.media_views  # noqa: F401 (its routes join bp before it registers)
    from lms.catalog import permissions
    from lms.catalog.translations import course_text, glossary_text, language_name
    from lms.catalog.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals.update(can_edit_course=permissions.can_edit_course,
                                 can_grade_course=permissions.can_grade_course,
                                 can_manage_staff=permissions.can_manage_staff,
                                 can_publish_course=permissions.can_publish_course,
                                 can_create_course=permissions.can_create_course,
                                 course_text=course_text, language_name=language_name,
                                 glossary_text=glossary_text)
