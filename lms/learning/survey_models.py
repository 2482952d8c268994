"""What learners tell the programme about a course: feedback after the final test
(Kirkpatrick level 1) and, months later, whether they used it (level 3)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow

# Answers on a five-point scale (1 = not at all … 5 = very); reports average them.
SCALE = (1, 2, 3, 4, 5)
USED_ANSWERS = ("yes", "partly", "no")


class FeedbackResponse(db.Model):
    """One learner's feedback on one course. Kept with the enrolment, so reports can
    disaggregate it, but no page or export ever shows who answered."""
    __tablename__ = "feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    relevance: Mapped[int]
    clarity: Mapped[int]
    confidence: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = tuple(
        sa.CheckConstraint(f"{measure} BETWEEN 1 AND 5", name=measure)
        for measure in ("relevance", "clarity", "confidence"))


class FollowUpResponse(db.Model):
    """The answer to "Have you used what you learned? How?", asked by email a set number
    of days after completion."""
    __tablename__ = "follow_up_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), unique=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    used: Mapped[str] = mapped_column(sa.String(10))
    how: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.CheckConstraint("used IN ('yes', 'partly', 'no')", name="used"),)
