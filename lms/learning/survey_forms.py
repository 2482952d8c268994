"""Forms of the feedback survey (three 1–5 questions and a comment) and of the follow-up
on use (yes / partly / no, and how). The labels of the questions are the course's own
wording, set by the view; the scale's labels are the platform's, translated."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from lms.learning.survey_models import SCALE, USED_ANSWERS

TEXT_MAX = 2000  # the comment and the "how?"

SCALE_LABELS = {1: _l("1 – Not at all"), 2: _l("2 – A little"), 3: _l("3 – Somewhat"),
                4: _l("4 – Very much"), 5: _l("5 – Completely")}
USED_LABELS = {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")}
CHOOSE_SCALE = _l("Choose an answer from 1 (not at all) to 5 (completely).")
CHOOSE_USED = _l("Choose yes, partly or no.")


def _scale_value(value: Any) -> int | None:
    # A hand-made post ("9", "abc") must reach the validators, which say what to do,
    # rather than WTForms' "could not coerce".
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _scale() -> RadioField:
    return RadioField(choices=[(n, SCALE_LABELS[n]) for n in SCALE], coerce=_scale_value,
                      validate_choice=False,
                      validators=[InputRequired(CHOOSE_SCALE), AnyOf(SCALE, CHOOSE_SCALE)])


class FeedbackForm(FlaskForm):
    relevance = _scale()
    clarity = _scale()
    confidence = _scale()
    comment = TextAreaField(validators=[Length(max=TEXT_MAX, message=_l(
        "Keep the comment to %(max)d characters or fewer.", max=TEXT_MAX))])


class FollowUpForm(FlaskForm):
    used = RadioField(choices=[(key, USED_LABELS[key]) for key in USED_ANSWERS],
                      validate_choice=False,
                      validators=[InputRequired(CHOOSE_USED), AnyOf(USED_ANSWERS, CHOOSE_USED)])
    how = TextAreaField(_l("How? What did you do, or what stopped you? (optional)"),
                        validators=[Length(max=TEXT_MAX, message=_l(
                            "Keep the answer to %(max)d characters or fewer.", max=TEXT_MAX))])
