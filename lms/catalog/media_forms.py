"""The form that uploads an image to a course (the studio's pages show it)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lms.catalog.media import ALT_MAX


def _stripped(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ImageUploadForm(FlaskForm):
    """An image and its description; the type is judged from the bytes by store_image,
    `accept` only helps the browser's file picker."""

    image = FileField(_l("Image"), validators=[FileRequired(_l("Choose an image to upload."))],
                      render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"})
    alt_text = StringField(
        _l("Description (alt text)"),
        description=_l("Say what the image shows, as you would to someone who cannot see it."),
        filters=[_stripped],
        validators=[
            DataRequired(_l("Describe the image in a few words (alt text) for people who "
                            "cannot see it.")),
            Length(max=ALT_MAX, message=_l("Keep the description to %(max)d characters or "
                                           "fewer."))])
