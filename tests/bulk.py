"""Many learners at once, straight into the database (for job and load tests)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.core.db import db, utcnow
from lms.learning.models import Enrolment

NAMES = ["สมหญิง รักษ์ความยุติธรรม", "សុខ សុភា", "ສົມພອນ ວົງສາ", "အောင် ကျော်",
         "Nguyễn Thị Hoa", "Siti Nurhaliza binti Abdullah", "Maria Clara Dela Cruz"]


def completed_learners(course: Course, count: int, *, prefix: str = "bulk") -> list[int]:
    """`count` learners who completed `course` an hour ago; returns their ids (commits)."""
    now = utcnow()
    rows = [{"email": f"{prefix}{n}@example.org", "name": f"{NAMES[n % len(NAMES)]} {n}",
             "role": "learner", "password_hash": "not-a-hash", "country": "TH",
             "sector": "judiciary", "sex": "female", "active": True, "session_version": 1,
             "created_at": now} for n in range(count)]
    for start in range(0, count, 1000):
        db.session.execute(sa.insert(User), rows[start:start + 1000])
    ids = list(db.session.scalars(sa.select(User.id).where(User.email.like(f"{prefix}%"))))
    done = now - timedelta(hours=1)
    enrolments = [{"user_id": user_id, "course_id": course.id, "status": "completed",
                   "enrolled_at": done, "completed_at": done,
                   "course_version": course.version} for user_id in ids]
    for start in range(0, len(enrolments), 1000):
        db.session.execute(sa.insert(Enrolment), enrolments[start:start + 1000])
    db.session.commit()
    return ids
