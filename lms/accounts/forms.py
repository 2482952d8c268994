"""Forms for registration, sign-in, language and roles."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.accounts.account_forms import DemographicFields
from lms.accounts.choices import (
    CHOOSE,
    COUNTRIES,
    COUNTRY_UNDISCLOSED,
    SECTOR_UNDISCLOSED,
    SECTORS,
    SEXES,
)
from lms.accounts.demographics import WHY
from lms.accounts.passwords import MAX_LENGTH, password_problem
from lms.accounts.services import name_problem, normalise_name, password_message
from lms.core.access import ROLES


class RegisterForm(DemographicFields):
    name = StringField(
        _l("Full name, exactly as it should appear on your certificates"),
        validators=[DataRequired(_l("Please enter your name."))],
        description=_l("Any script: ไทย, ខ្មែរ, ລາວ, မြန်မာ, Tiếng Việt, Latin."),
    )
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter your email.")),
                                                Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Please choose a password."))],
        description=_l("At least 12 characters. A few words you will remember work well."),
    )
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Please repeat the password.")),
        EqualTo("password", _l("The two passwords are different.")),
    ])
    sex = SelectField(_l("Sex"), choices=[CHOOSE, *SEXES], description=WHY["sex"],
                      validators=[DataRequired(_l("Choose one; “Prefer not to say” is fine."))])
    country = SelectField(_l("Country where you work"),
                          choices=[CHOOSE, *COUNTRIES, COUNTRY_UNDISCLOSED],
                          description=WHY["country"],
                          validators=[DataRequired(_l("Choose one; “Prefer not to say” is "
                                                      "fine."))])
    sector = SelectField(_l("Sector"), choices=[CHOOSE, *SECTORS, SECTOR_UNDISCLOSED],
                         description=WHY["sector"],
                         validators=[DataRequired(_l("Choose one; “Prefer not to say” is "
                                                     "fine."))])
    organisation = StringField(_l("Organisation (optional)"), validators=[Length(max=200)],
                               description=WHY["organisation"])

    def validate_name(self, field):
        # Checked here as well as in the service so the message sits by the field.
        if problem := name_problem(normalise_name(field.data or "")):
            raise ValidationError(problem)

    def validate_password(self, field):
        if len(field.data or "") > MAX_LENGTH:
            raise ValidationError(password_message("long"))
        if problem := password_problem(field.data or "",
                                       (self.email.data or "", self.name.data or "")):
            raise ValidationError(password_message(problem))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter your email.")),
                                                Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Please enter your password.")), Length(max=MAX_LENGTH)])


class SettingsForm(FlaskForm):
    """The learner's own settings: language and time zone."""

    locale = SelectField(_l("Language"), choices=[])
    timezone = SelectField(_l("Time zone"), choices=[], description=_l(
        "Dates and times on every page, and the dates on your certificates, use it."))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[])


ROLE_LABELS = {"learner": _l("Learner"), "instructor": _l("Instructor"), "admin": _l("Admin"),
               "me_officer": _l("M&E officer")}


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])
