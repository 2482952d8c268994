"""Forms of the profile, the password reset and the registration settings."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from lms.accounts.choices import (
    CHOOSE,
    COUNTRIES,
    COUNTRY_UNDISCLOSED,
    SECTOR_UNDISCLOSED,
    SECTORS,
    SEXES,
)
from lms.accounts.demographics import (
    AGE_BANDS,
    AGENCY_LEVELS,
    FIELDS,
    WG_ANSWERS,
    WG_COLUMNS,
    WG_QUESTIONS,
    WHY,
    consent_text,
)
from lms.accounts.passwords import MAX_LENGTH, password_problem
from lms.accounts.registration import MODES
from lms.accounts.services import name_problem, normalise_name, password_message


def password_error(password: str, user_inputs: tuple[str, ...]) -> str | None:
    """Registration's rules, as a message for the field."""
    if len(password) > MAX_LENGTH:
        return password_message("long")
    problem = password_problem(password, user_inputs)
    return password_message(problem) if problem else None


class NewPasswordFields(FlaskForm):
    """A new password twice; the person's name and email are not a password."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Please choose a password."))],
        description=_l("At least 12 characters. A few words you will remember work well."))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Please repeat the password.")),
        EqualTo("password", _l("The two passwords are different."))])

    user_inputs: tuple[str, ...] = ()

    def validate_password(self, field):
        if message := password_error(field.data or "", self.user_inputs):
            raise ValidationError(message)


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter your email.")),
                                                Length(max=254)])


class ResetPasswordForm(NewPasswordFields):
    pass


class PasswordChangeForm(NewPasswordFields):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=MAX_LENGTH)])


class EmailChangeForm(FlaskForm):
    # Names unlike the password form's: both are on the profile page, and ids are unique.
    new_email = EmailField(_l("New email address"), validators=[
        DataRequired(_l("Please enter your email.")), Length(max=254)],
        description=_l("We send a link to it; the change happens when you open the link."))
    email_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Please enter your current password.")), Length(max=MAX_LENGTH)])


def listed_answer(form, field):
    """Empty (not answered) or one of the field's own choices; anything else is refused
    with a message a person can act on, not WTForms' "Not a valid choice"."""
    if field.data and field.data not in {value for value, _label in field.choices}:
        raise ValidationError(_l("Choose one of the listed answers; “Prefer not to say” "
                                 "is fine."))


def _optional_select(label, choices, why):
    # "Choose…" first and nothing preselected: a default answer would skew the reports.
    return SelectField(label, choices=[CHOOSE, *choices], description=why,
                       validate_choice=False, validators=[listed_answer])


_WG = dict(WG_QUESTIONS)


def _wg_question(column):
    return RadioField(_WG[column], choices=WG_ANSWERS, validate_choice=False,
                      validators=[listed_answer])


class DemographicFields(FlaskForm):
    """The optional answers for the programme's reports, shared by registration and the
    profile (templates/accounts/_about_you.html renders them with why each is asked)."""

    agency_level = _optional_select(_l("Level of the agency you work for"), AGENCY_LEVELS,
                                    WHY["agency_level"])
    age_band = _optional_select(_l("Age"), AGE_BANDS, WHY["age_band"])
    wg_seeing = _wg_question("wg_seeing")
    wg_hearing = _wg_question("wg_hearing")
    wg_walking = _wg_question("wg_walking")
    wg_remembering = _wg_question("wg_remembering")
    wg_selfcare = _wg_question("wg_selfcare")
    wg_communicating = _wg_question("wg_communicating")

    disability_why = WHY["disability"]

    def answers(self) -> dict[str, str | None]:
        return {name: self[name].data for name in FIELDS}

    def wg_fields(self) -> list:
        return [self[column] for column in WG_COLUMNS]

    def consent(self) -> str:
        return consent_text(current_app.config.get("REPORT_MIN_CELL", 5))


class ProfileForm(DemographicFields):
    name = StringField(
        _l("Full name, exactly as it should appear on your certificates"),
        validators=[DataRequired(_l("Please enter your name."))])
    organisation = StringField(_l("Organisation (optional)"), validators=[Length(max=200)],
                               description=WHY["organisation"])
    country = SelectField(_l("Country where you work"),
                          choices=[*COUNTRIES, COUNTRY_UNDISCLOSED], description=WHY["country"])
    sector = SelectField(_l("Sector"), choices=[*SECTORS, SECTOR_UNDISCLOSED],
                         description=WHY["sector"])
    sex = SelectField(_l("Sex"), choices=SEXES, description=WHY["sex"])

    def validate_name(self, field):
        if problem := name_problem(normalise_name(field.data or "")):
            raise ValidationError(problem)


class RegistrationModeForm(FlaskForm):
    mode = RadioField(_l("Who can create an account"), choices=list(MODES.items()),
                      validators=[DataRequired(_l("Choose one of the listed ways to "
                                                  "register."))])
