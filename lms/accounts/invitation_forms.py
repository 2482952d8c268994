"""The form of the invitation page: the password the invited person chooses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from lms.accounts.passwords import MAX_LENGTH


class AcceptInvitationForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(_l("Please choose a password.")), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A few words you will remember work well."))
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Please repeat the password.")),
        EqualTo("password", _l("The two passwords are different."))])
