"""Forms for issuing and revoking certificates."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class IssueForm(FlaskForm):
    enrolment_id = HiddenField(validators=[DataRequired()])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[
        DataRequired(_l("Give a reason for revoking; it is kept in the audit log.")),
        Length(max=1000)])


class ReissueForm(FlaskForm):
    reason = TextAreaField(_l("Reason for re-issuing"), validators=[
        DataRequired(_l("Give a reason for re-issuing; it is kept in the audit log.")),
        Length(max=1000)])


class VerifyUploadForm(FlaskForm):
    file = FileField(_l("Certificate PDF or credential file"), validators=[
        FileRequired(_l("Choose the certificate's PDF, or its credential (.json or .jwt)."))],
        render_kw={"accept": ".pdf,.json,.jwt,application/pdf,application/json"})


class EmailAllForm(FlaskForm):
    delivery = RadioField(_l("Send"), choices=[
        ("attach", _l("The PDF attached")), ("link", _l("A link to download it"))],
        default="attach", validators=[DataRequired()])


class SignerForm(FlaskForm):
    institution = StringField(_l("Institution"), validators=[
        DataRequired(_l("Give the institution.")), Length(max=200)])
    name = StringField(_l("Signatory's name"), validators=[
        DataRequired(_l("Give the signatory's name.")), Length(max=200)])
    title = StringField(_l("Signatory's title"), validators=[Length(max=200)])
    logo = FileField(_l("Logo (PNG, JPEG or WebP; optional)"),
                     render_kw={"accept": "image/png,image/jpeg,image/webp"})
    signature = FileField(_l("Signature image (optional; a transparent PNG looks best)"),
                          render_kw={"accept": "image/png,image/jpeg,image/webp"})
