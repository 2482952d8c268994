"""Forms of the learning pages (buttons that change state carry a CSRF token)."""
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A POST button with nothing but its CSRF token."""
