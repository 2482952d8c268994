"""Forms of the admin people pages: correcting a person's details, with a reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.accounts.choices import (
    COUNTRIES,
    COUNTRY_UNDISCLOSED,
    SECTOR_UNDISCLOSED,
    SECTORS,
    SEXES,
)
from lms.accounts.people_services import ORGANISATION_MAX, REASON_MAX
from lms.accounts.services import name_problem, normalise_name

NOT_GIVEN = ("", _l("Not given"))


class PersonForm(FlaskForm):
    name = StringField(_l("Name, exactly as printed on certificates"),
                       validators=[DataRequired(_l("Please enter the name."))],
                       description=_l("Certificates already issued keep the name they "
                                      "were issued with."))
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please enter the email.")),
                                                Length(max=254)])
    organisation = StringField(_l("Organisation"),
                               validators=[Length(max=ORGANISATION_MAX)])
    country = SelectField(_l("Country"), choices=[NOT_GIVEN, *COUNTRIES, COUNTRY_UNDISCLOSED])
    sector = SelectField(_l("Sector"), choices=[NOT_GIVEN, *SECTORS, SECTOR_UNDISCLOSED])
    sex = SelectField(_l("Sex"), choices=[NOT_GIVEN, *SEXES])
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[DataRequired(_l("Say why you are changing these details: the reason "
                                    "is kept in the audit log.")),
                    Length(max=REASON_MAX)],
        description=_l("Kept in the audit log with the old and new values."))

    def validate_name(self, field):
        if problem := name_problem(normalise_name(field.data or "")):
            raise ValidationError(problem)
