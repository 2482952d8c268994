"""Forms of the catalogue pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.accounts.choices import COUNTRIES


class SupportContactForm(FlaskForm):
    country = SelectField(_l("Country"), choices=COUNTRIES)
    name = StringField(_l("Service name"), validators=[
        DataRequired(_l("Give the service's name.")), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[
        Optional(), Length(max=60),
        Regexp(r"^[0-9+()\-\s./]*$", message=_l("Use digits, spaces and + ( ) - only."))])
    hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=120)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
