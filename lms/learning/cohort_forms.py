"""Forms of the cohort pages: a cohort's details, adding a member, importing a CSV."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.choices import COUNTRIES
from lms.core.csv_text import ENCODINGS
from lms.core.i18n import LANGUAGES
from lms.learning.cohort_services import (
    AGENCY_MAX,
    CERTIFICATE_LANGUAGES,
    DESCRIPTION_MAX,
    NAME_MAX,
)


class BlankableSelectField(SelectField):
    """A choice whose "none" (a cohort without a country) is the empty choice."""

    def process_data(self, value: object) -> None:
        super().process_data(value)
        if self.data is None:
            self.data = ""


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (works without scripts)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the cohort a name.")),
                                               Length(max=NAME_MAX)],
                       description=_l("For example: Thai judges, 2027, cohort 1"))
    description = TextAreaField(_l("Description"), validators=[Length(max=DESCRIPTION_MAX)])
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()],
                       description=_l("Members who have not completed by then are overdue."))
    country = BlankableSelectField(_l("Country (optional)"),
                                   choices=[("", _l("Any")), *COUNTRIES])
    agency = StringField(_l("Agency (optional)"), validators=[Length(max=AGENCY_MAX)])
    certificate_language = BlankableSelectField(
        _l("Second language on certificates (optional)"),
        choices=[("", _l("The course's choice")),
                 *((code, LANGUAGES[code]) for code in CERTIFICATE_LANGUAGES)],
        description=_l("Printed beside English on the certificates the members earn."))
    courses = CheckboxesField(_l("Courses"), coerce=int, choices=[], description=_l(
        "Adding a course enrols every member in it. Removing one keeps the enrolments."))
    instructors = CheckboxesField(_l("Instructors"), coerce=int, choices=[])


class MemberForm(FlaskForm):
    email = EmailField(_l("Email of a person with an account"),
                       validators=[DataRequired(_l("Please enter the email.")),
                                   Length(max=254)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    text = TextAreaField(_l("Or paste the rows here, with the header row first"))
    encoding = SelectField(_l("Encoding"), choices=[
        ("", _l("Find it from the file")), *ENCODINGS.items()], validators=[Optional()],
        description=_l("Change it only if names look wrong on the preview."))
