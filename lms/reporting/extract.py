"""What leaves the reports as words or rows: feedback comments (anonymous, only from
enough people) and the learner-level extract (admins only, never suppressed)."""
from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.certification.models import Certificate
from lms.core.db import db
from lms.learning.models import Enrolment
from lms.learning.survey_models import FeedbackResponse, FollowUpResponse
from lms.reporting.cube import filtered, joined
from lms.reporting.filters import Filters

MAX_COMMENTS = 200
EXTRACT_BATCH = 2000  # rows fetched at a time: the extract's memory stays flat


def in_period(query: sa.Select, filters: Filters) -> sa.Select:
    period = filters.period
    if period.start is None:
        return query
    return query.where(Enrolment.enrolled_at >= period.start,
                       Enrolment.enrolled_at < period.end)


def comments(filters: Filters, threshold: int) -> list[str]:
    """Feedback comments, newest first, with nothing that says who wrote them; none when
    fewer than `threshold` people wrote one (a lone comment may identify its writer).
    One statement: the window count is taken over every comment before the limit."""
    written = sa.func.length(sa.func.trim(FeedbackResponse.comment)) > 0
    query = in_period(filtered(joined(sa.select(
        FeedbackResponse.comment, sa.func.count().over().label("written"))), filters), filters)
    found = db.session.execute(
        query.where(written)
        .order_by(FeedbackResponse.submitted_at.desc(), FeedbackResponse.id.desc())
        .limit(MAX_COMMENTS)).all()
    if not found or found[0].written < threshold:
        return []
    return [row.comment.strip() for row in found]


EXTRACT_COLUMNS = [
    ("enrolment", _l("Enrolment"), Enrolment.id),
    ("name", _l("Name"), User.name),
    ("email", _l("Email"), User.email),
    ("sex", _l("Sex"), User.sex),
    ("country", _l("Country"), User.country),
    ("sector", _l("Sector"), User.sector),
    ("organisation", _l("Organisation"), User.organisation),
    ("agency_level", _l("Agency level"), User.agency_level),
    ("age_band", _l("Age band"), User.age_band),
    ("disability", _l("Disability"), User.disability),
    ("course", _l("Course"), Course.slug),
    ("enrolled_at", _l("Enrolled"), Enrolment.enrolled_at),
    ("started_at", _l("Started"), Enrolment.started_at),
    ("completed_at", _l("Completed"), Enrolment.completed_at),
    ("passed_at", _l("Passed the final test"), Enrolment.passed_at),
    ("pre_score", _l("Pre-test score"), Enrolment.pre_score),
    ("final_score", _l("Final-test score"), Enrolment.final_score),
    ("knowledge_gain", _l("Knowledge gain"), Enrolment.knowledge_gain),
    ("cpd_hours", _l("CPD hours"), sa.case((Enrolment.completed_at.is_not(None),
                                            Course.cpd_hours))),
    ("certificate", _l("Certificate"), Certificate.serial),
    ("relevance", _l("Feedback: relevance"), FeedbackResponse.relevance),
    ("clarity", _l("Feedback: clarity"), FeedbackResponse.clarity),
    ("confidence", _l("Feedback: confidence to apply"), FeedbackResponse.confidence),
    ("follow_up_used", _l("Follow-up: used"), FollowUpResponse.used),
]


def extract_header() -> list[str]:
    return [str(label) for _key, label, _column in EXTRACT_COLUMNS]


def extract_rows(filters: Filters) -> Iterator[tuple]:
    """One row per enrolment, in enrolment order, streamed from the database."""
    query = in_period(filtered(joined(sa.select(
        *(column for _key, _label, column in EXTRACT_COLUMNS))), filters), filters)
    result = db.session.execute(query.order_by(Enrolment.id).execution_options(
        yield_per=EXTRACT_BATCH))
    for row in result:
        yield tuple(row)
