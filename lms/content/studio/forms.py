"""Studio forms: the fields a person types; the file validators judge the result."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.content.certificate_settings import (
    DEFAULT_REMIND_DAYS,
    MAX_REMIND_DAYS,
    MAX_VALIDITY_MONTHS,
)
from lms.content.surveys import DEFAULT_FOLLOW_UP_DAYS, MAX_FOLLOW_UP_DAYS
from lms.content.surveys import MAX_TEXT as MAX_SURVEY_TEXT
from lms.core.i18n import LANGUAGES

SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
              message=_l("Use lower-case letters, digits and hyphens, e.g. labour-law-101."))
MAX_MARKDOWN = 512 * 1024


class NewCourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Address"), description=_l("Part of the course's web address; "
                                                    "it cannot change later."),
                       validators=[DataRequired(), Length(max=80), SLUG])
    owner_email = EmailField(_l("First owner's email"), validators=[Optional(),
                                                                     Length(max=254)],
                             description=_l("An instructor who will own the course. "
                                            "Empty: you."))


class CourseSettingsForm(FlaskForm):
    revision = HiddenField()
    references_revision = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=5000)])
    audience = TextAreaField(_l("Audience"), validators=[Length(max=2000)])
    objectives = TextAreaField(_l("Objectives"), validators=[Length(max=10000)],
                               description=_l("One per line: what a learner can do "
                                              "afterwards."))
    cpd_hours = DecimalField(_l("CPD hours"), places=None,
                             validators=[DataRequired(), NumberRange(min=0.1, max=100)])
    language = SelectField(_l("Language of the course"), choices=[
        ("en", "English"), ("th", "ไทย"), ("km", "ខ្មែរ"), ("lo", "ລາວ"), ("my", "မြန်မာ"),
        ("vi", "Tiếng Việt"), ("id", "Bahasa Indonesia"), ("ms", "Bahasa Melayu"),
        ("fil", "Filipino")])
    references = TextAreaField(_l("References page (Markdown)"),
                               validators=[Length(max=MAX_MARKDOWN)])
    # The [feedback] table: an empty field keeps the platform's wording (translated).
    feedback_relevance = StringField(_l("Question on relevance"),
                                     validators=[Length(max=MAX_SURVEY_TEXT)])
    feedback_clarity = StringField(_l("Question on clarity"),
                                   validators=[Length(max=MAX_SURVEY_TEXT)])
    feedback_confidence = StringField(_l("Question on confidence to apply"),
                                      validators=[Length(max=MAX_SURVEY_TEXT)])
    feedback_comment = StringField(_l("Invitation to comment"),
                                   validators=[Length(max=MAX_SURVEY_TEXT)])
    feedback_follow_up_days = IntegerField(
        _l("Days after completion to send the follow-up"),
        validators=[Optional(), NumberRange(min=0, max=MAX_FOLLOW_UP_DAYS)],
        description=_l("From 0 to 365; 0 turns the follow-up off. Empty: %(days)s days.",
                       days=DEFAULT_FOLLOW_UP_DAYS))
    feedback_follow_up = StringField(_l("Follow-up question on use"),
                                     validators=[Length(max=MAX_SURVEY_TEXT)])
    # The [certificate] table (lms.content.certificate_settings); empty = left out.
    certificate_validity_months = IntegerField(
        _l("Certificates are valid for (months)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_VALIDITY_MONTHS)],
        description=_l("Empty: certificates do not expire."))
    certificate_remind_days = IntegerField(
        _l("Remind holders this many days before expiry"),
        validators=[Optional(), NumberRange(min=0, max=MAX_REMIND_DAYS)],
        description=_l("Empty: %(days)s days; 0: no reminder.", days=DEFAULT_REMIND_DAYS))
    certificate_second_language = SelectField(
        _l("Second language on certificates"), choices=[
            ("", _l("None: English only")), ("learner", _l("Each learner's own language")),
            *((code, name) for code, name in LANGUAGES.items() if code != "en")], default="")
    certificate_renews = StringField(
        _l("This is the refresher of the course (its address)"),
        validators=[Optional(), Length(max=80), SLUG],
        description=_l("Completing this course then renews that course's certificates."))
    certificate_template = StringField(
        _l("Certificate template"), validators=[Optional(), Length(max=40), SLUG],
        description=_l("A folder of certificates/ on the server; empty: the default."))


class ModuleForm(FlaskForm):
    revision = HiddenField()
    title = StringField(_l("Module title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Module address"), validators=[Optional(), Length(max=80), SLUG])


class LessonForm(FlaskForm):
    revision = HiddenField()
    slug = StringField(_l("Lesson address"), validators=[Optional(), Length(max=80), SLUG])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(_l("Reading time (minutes)"), default=10,
                           validators=[NumberRange(min=0, max=600)])
    content_note = StringField(_l("Content note"), validators=[Length(max=500)],
                               description=_l("Required when the lesson describes sexual "
                                              "violence, child abuse or torture: say what "
                                              "follows."))
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=MAX_MARKDOWN)])


class QuizForm(FlaskForm):
    revision = HiddenField()
    key = StringField(_l("Test address"), validators=[Optional(), Length(max=80), SLUG])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[("final", _l("Final test (counts for "
                                                         "completion)")),
                                            ("pre", _l("Pre-test (does not count)"))])
    pass_mark = IntegerField(_l("Pass mark (%)"), default=70,
                             validators=[DataRequired(), NumberRange(min=1, max=100)])
    attempts_allowed = IntegerField(_l("Attempts allowed (0 = unlimited)"), default=0,
                                    validators=[NumberRange(min=0, max=100)])
    cooldown_minutes = IntegerField(_l("Wait between attempts (minutes)"), default=0,
                                    validators=[NumberRange(min=0, max=30 * 24 * 60)])
    time_limit_minutes = IntegerField(_l("Time limit (minutes, 0 = none)"), default=0,
                                      validators=[NumberRange(min=0, max=24 * 60)])
    available_from = StringField(_l("Open from"), validators=[Optional(), Length(max=40)],
                                 description=_l("Optional: 2027-01-10 or "
                                                "2027-01-10T08:00:00+07:00"))
    available_until = StringField(_l("Open until"), validators=[Optional(), Length(max=40)])
    show_answers = SelectField(_l("Show the answers"), choices=[
        ("after_attempt", _l("after each attempt")), ("after_pass", _l("once passed")),
        ("after_last", _l("after the last attempt")), ("never", _l("never"))])
    questions_per_page = IntegerField(_l("Questions per page (0 = all)"), default=0,
                                      validators=[NumberRange(min=0, max=500)])
    draw = TextAreaField(_l("Draw from the banks"), validators=[Length(max=5000)],
                         description=_l("One rule per line: topic, then how many, e.g. "
                                        "“legal-sources 3”."))


class BankForm(FlaskForm):
    name = StringField(_l("Bank name"), validators=[DataRequired(), Length(max=80), SLUG])


class PublishForm(FlaskForm):
    note = StringField(_l("What changed"), validators=[DataRequired(), Length(max=500)])


class ImageForm(FlaskForm):
    image = FileField(_l("Image"), validators=[FileRequired()])
    alt_text = StringField(_l("Describe the image for someone who cannot see it"),
                           validators=[DataRequired(), Length(max=300)])


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    topic = StringField(_l("Topic for questions without a category"),
                        validators=[Optional(), Length(max=80), SLUG])


class StaffForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[("owner", _l("Owner: edits, publishes, "
                                                         "manages staff")),
                                            ("editor", _l("Editor: edits, cannot publish")),
                                            ("grader", _l("Grader: sees learners and "
                                                          "results"))])
