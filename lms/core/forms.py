"""Forms every domain uses."""
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A POST button with nothing but its CSRF token."""
