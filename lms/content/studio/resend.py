"""An expired form token in the studio keeps what was typed: the text comes back in a
page that sends it again with a fresh token (a lesson may take an hour to write)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from lms.core.errors import csrf_recovery
from lms.core.forms import ActionForm

# The pages where a person types at length; buttons elsewhere simply ask to reload.
TYPED = ("studio.settings", "studio.lesson", "studio.question", "studio.new_question",
         "studio.quiz_settings", "studio.new_quiz")


def keep_typed_text():
    if not current_user.is_authenticated:
        return None
    kept = [(name, value) for name in request.form if name != "csrf_token"
            for value in request.form.getlist(name)]
    return render_template("studio/resend.html", kept=kept, action=request.full_path
                           .rstrip("?"), form=ActionForm()), 400


def register() -> None:
    for endpoint in TYPED:
        csrf_recovery[endpoint] = keep_typed_text
