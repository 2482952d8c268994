"""The feedback survey after the final test (Kirkpatrick level 1) and the follow-up on
use months later (level 3): who may answer, each answer kept once per enrolment, and the
follow-up emails with their sign-in-free link. Services flush; callers commit."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.catalog.surveys import survey_of
from lms.core.db import db, insert_ignore, utcnow
from lms.core.errors import DomainError
from lms.core.mail import link, send_mail
from lms.learning.models import Enrolment
from lms.learning.survey_models import SCALE, USED_ANSWERS, FeedbackResponse, FollowUpResponse

log = logging.getLogger(__name__)

TEXT_MAX = 2000
LINK_DAYS = 60  # how long the emailed link works after it was sent
LINK_SALT = "lms.follow-up-survey"  # a salt per purpose: no other signed value fits


class SurveyClosed(DomainError):
    """This enrolment may not answer this survey (yet, or at all)."""


class AlreadyAnswered(DomainError):
    """The enrolment has answered: the first answers are kept, nothing is added."""


class LinkRefused(Exception):
    """A follow-up link that is forged, damaged, for no enrolment, or too old."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.message, self.expired = message, expired


# --- who may answer -------------------------------------------------------------------


def has_final_attempt(enrolment: Enrolment) -> bool:
    """A finished final attempt, passed or not. Assessment keeps the best final score on
    the enrolment after every finished attempt (learning may not import assessment)."""
    return enrolment.final_score is not None


def follow_up_due_at(enrolment: Enrolment, course: Course) -> datetime | None:
    """When the follow-up on use opens: completion + the course's days (None: never)."""
    days = survey_of(course).follow_up_days
    if enrolment.completed_at is None or days <= 0:
        return None
    return enrolment.completed_at + timedelta(days=days)


def check_feedback_open(enrolment: Enrolment) -> None:
    if not has_final_attempt(enrolment):
        raise SurveyClosed(_("The feedback survey opens once you have finished the final "
                             "test of this course."))


def check_follow_up_open(enrolment: Enrolment, course: Course, now: datetime, *,
                         by_link: bool = False) -> None:
    """Signed in: once the follow-up is due. By the emailed link: once it was sent."""
    if by_link and enrolment.follow_up_sent_at is not None:
        return
    due = follow_up_due_at(enrolment, course)
    if due is None:
        raise SurveyClosed(_("This course has no follow-up survey for you: it is sent "
                             "only after you complete the course."))
    if due > now:
        raise SurveyClosed(_("The follow-up survey on this course opens on %(date)s.",
                             date=format_date(due, "long")))


@dataclass(frozen=True)
class Offers:
    feedback: bool = False
    follow_up: bool = False


def survey_offers(enrolment: Enrolment | None, course: Course,
                  now: datetime | None = None) -> Offers:
    """Which surveys the course page and the attempt result page offer: at most one
    query, and none while neither can be open (most visits)."""
    if enrolment is None:
        return Offers()
    feedback = has_final_attempt(enrolment)
    due = follow_up_due_at(enrolment, course)
    follow_up = due is not None and due <= (now or utcnow())
    if not (feedback or follow_up):
        return Offers()
    given, answered = db.session.execute(sa.select(
        sa.exists().where(FeedbackResponse.enrolment_id == enrolment.id),
        sa.exists().where(FollowUpResponse.enrolment_id == enrolment.id))).one()
    return Offers(feedback and not given, follow_up and not answered)


def has_feedback(enrolment: Enrolment) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        FeedbackResponse.enrolment_id == enrolment.id))) or False


def has_follow_up(enrolment: Enrolment) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        FollowUpResponse.enrolment_id == enrolment.id))) or False


# --- answers --------------------------------------------------------------------------


def _text(value: str | None, too_long: str) -> str:
    # Kept as typed (only the surrounding blank lines go); escaped wherever it is shown.
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(too_long)
    return text


def record_feedback(enrolment: Enrolment, *, relevance: int, clarity: int, confidence: int,
                    comment: str | None, at: datetime | None = None) -> None:
    """Keep one enrolment's feedback; a second one raises AlreadyAnswered (the unique
    enrolment_id settles a double submit from two tabs, too)."""
    check_feedback_open(enrolment)
    if any(value not in SCALE for value in (relevance, clarity, confidence)):
        raise DomainError(_("Choose an answer from 1 (not at all) to 5 (completely) for "
                            "each question."))
    text = _text(comment, _("Keep the comment to %(max)d characters or fewer.",
                            max=TEXT_MAX))
    added = insert_ignore(FeedbackResponse, dict(
        enrolment_id=enrolment.id, course_id=enrolment.course_id,
        submitted_at=at or utcnow(), relevance=relevance, clarity=clarity,
        confidence=confidence, comment=text))
    if not added:
        raise AlreadyAnswered(_("We had already received your feedback on this course; "
                                "your first answers are kept. Thank you."))


def record_follow_up(enrolment: Enrolment, course: Course, *, used: str, how: str | None,
                     by_link: bool = False, at: datetime | None = None) -> None:
    """Keep one enrolment's answer to the follow-up on use; once only."""
    now = at or utcnow()
    check_follow_up_open(enrolment, course, now, by_link=by_link)
    if used not in USED_ANSWERS:
        raise DomainError(_("Choose yes, partly or no."))
    text = _text(how, _("Keep the answer to %(max)d characters or fewer.", max=TEXT_MAX))
    added = insert_ignore(FollowUpResponse, dict(
        enrolment_id=enrolment.id, course_id=enrolment.course_id, submitted_at=now,
        used=used, how=text))
    if not added:
        raise AlreadyAnswered(_("We had already received your answer about using this "
                                "course; your first answer is kept. Thank you."))


# --- the emailed link -----------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def follow_up_token(enrolment: Enrolment, issued_at: datetime) -> str:
    """A signed link for this one purpose: it names the enrolment and its learner and
    carries its own date, so it expires without a row (the unique answer per enrolment,
    not the link, is what makes it once only)."""
    return _serializer().dumps([enrolment.id, enrolment.user_id,
                                int(issued_at.timestamp())])


def enrolment_from_token(token: str, now: datetime | None = None) -> Enrolment:
    """The enrolment a follow-up link was sent for; LinkRefused when it is not valid."""
    bad = LinkRefused(_("This link is not valid. Copy the whole address from the email, "
                        "or sign in and open the course page."))
    if not token or len(token) > 200:
        raise bad
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise bad from None
    if not (isinstance(payload, list) and len(payload) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) for v in payload)):
        raise bad
    enrolment_id, user_id, issued = payload
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user_id:
        raise bad
    person = db.session.get(User, user_id)
    if person is None or not person.active:  # a closed account answers nothing
        raise bad
    if issued + LINK_DAYS * 86400 < (now or utcnow()).timestamp():
        raise LinkRefused(_("This link has expired. Sign in and open the course page to "
                            "answer the follow-up survey."), expired=True)
    return enrolment


# --- sending the follow-up ------------------------------------------------------------


def follow_up_plan() -> list[tuple[int, int]]:
    """(course id, days) of every course whose follow-up is on (a few dozen courses; the
    days live in the course's JSON, read the same way on SQLite and PostgreSQL here)."""
    courses = db.session.scalars(sa.select(Course)).all()
    return [(c.id, days) for c in courses if (days := survey_of(c).follow_up_days) > 0]


def due_follow_up_ids(course_id: int, since: datetime, cutoff: datetime,
                      limit: int) -> list[int]:
    """Completions of a course after `since` and on or before `cutoff` whose follow-up
    was not sent, by active accounts, oldest first (the partial index
    ix_enrolment_follow_up_due)."""
    return list(db.session.scalars(
        sa.select(Enrolment.id).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course_id, Enrolment.completed_at.is_not(None),
               Enrolment.follow_up_sent_at.is_(None), Enrolment.completed_at <= cutoff,
               Enrolment.completed_at > since, User.active.is_(True))
        .order_by(Enrolment.completed_at, Enrolment.id).limit(limit)))


def send_follow_up(enrolment_id: int, now: datetime) -> bool:
    """Mark the follow-up sent and queue its email (it leaves when the caller commits);
    False when another worker marked it first, so nobody gets it twice."""
    claimed = db.session.execute(
        sa.update(Enrolment).where(Enrolment.id == enrolment_id,
                                   Enrolment.follow_up_sent_at.is_(None))
        .values(follow_up_sent_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return False
    enrolment = db.session.get(Enrolment, enrolment_id)
    db.session.refresh(enrolment)
    person = db.session.get(User, enrolment.user_id)
    course = db.session.get(Course, enrolment.course_id)
    with force_locale(person.locale or "en"):
        question = survey_of(course).follow_up  # the platform's wording in their language
    try:
        send_mail(to=person.email, template="follow_up", locale=person.locale, context={
            "name": person.name, "course_title": course.title, "question": question,
            "form_url": link("learning.follow_up_by_link",
                             token=follow_up_token(enrolment, now)),
            "course_url": link("learning.follow_up", slug=course.slug),
            "link_days": LINK_DAYS})
    except ValueError as error:  # an address no mail server would take: never retried
        log.warning("follow-up for enrolment %s not sent: %s", enrolment_id, error)
    db.session.flush()
    return True
