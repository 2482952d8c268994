"""Forms of the tracking pages: a reminder to a filtered group, and a learner's choice."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

MESSAGE_LENGTH = 2000


class ReminderForm(FlaskForm):
    """Who gets it (a tracking filter), an optional note, and now or later."""

    audience = SelectField(_l("Send to"), validators=[DataRequired()])
    message = TextAreaField(
        _l("A note to add (optional)"), validators=[Optional(), Length(max=MESSAGE_LENGTH)],
        description=_l("Plain text, up to %(num)d characters. The email already names the "
                       "course, its due date and the link to it.", num=MESSAGE_LENGTH))
    when = RadioField(_l("When"), default="now",
                      choices=[("now", _l("Now")), ("later", _l("On a date before the due date"))])
    send_at = DateTimeLocalField(_l("Date and time (your time zone)"),
                                 format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                 validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() ends the field's chain when it is empty.
        valid = super().validate(extra_validators)
        if valid and self.when.data == "later" and self.send_at.data is None:
            self.send_at.errors = [*self.send_at.errors,
                                   _l("Choose the date and time to send it.")]
            return False
        return valid


class ReminderChoiceForm(FlaskForm):
    """A learner's own choice: reminders about their cohorts' courses, or none."""

    reminders = RadioField(_l("Reminders about my cohorts' courses"), default="on",
                           choices=[("on", _l("Send me reminders")),
                                    ("off", _l("Do not send me reminders"))])
