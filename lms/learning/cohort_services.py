"""Cohorts: creating and editing one, its courses and instructors, and its members."""
# Enrolling a cohort in a course enrols every member in one INSERT … SELECT (no rows
# pulled into Python, so a cohort of 50,000 is one statement in the request's
# transaction); people added later are enrolled in the cohort's courses as they join.
# Removing a person or a course keeps the enrolments: learners keep their progress.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.choices import COUNTRIES
from lms.accounts.models import User
from lms.accounts.services import get_user_by_email
from lms.catalog.models import Course
from lms.core.audit import record_event, record_events
from lms.core.db import UTCDateTime, db, upsert_insert, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import LANGUAGES
from lms.learning.cohorts import Cohort, CohortCourse, CohortInstructor, CohortMember
from lms.learning.models import Enrolment

NAME_MAX = 200
AGENCY_MAX = 200
DESCRIPTION_MAX = 5000
COUNTRY_CODES = {code for code, _label in COUNTRIES}


CERTIFICATE_LANGUAGES = tuple(code for code in LANGUAGES if code != "en")


@dataclass(frozen=True)
class CohortDetails:
    """What an admin sets on a cohort (from the form, or the CLI)."""

    name: str
    description: str = ""
    starts_on: date | None = None
    due_on: date | None = None
    country: str | None = None
    agency: str | None = None
    certificate_language: str | None = None
    course_ids: tuple[int, ...] = ()
    instructor_ids: tuple[int, ...] = ()

    def cleaned(self) -> CohortDetails:
        return CohortDetails(
            name=" ".join(self.name.split()), description=self.description.strip(),
            starts_on=self.starts_on, due_on=self.due_on, country=self.country or None,
            agency=" ".join((self.agency or "").split()) or None,
            certificate_language=self.certificate_language or None,
            course_ids=tuple(sorted(set(self.course_ids))),
            instructor_ids=tuple(sorted(set(self.instructor_ids))))


def _check(details: CohortDetails, cohort_id: int | None) -> None:
    if not details.name:
        raise DomainError(_("Give the cohort a name."))
    if len(details.name) > NAME_MAX or len(details.agency or "") > AGENCY_MAX:
        raise DomainError(_("The name and the agency can be at most %(max)d characters.",
                            max=NAME_MAX))
    if details.certificate_language not in (None, *CERTIFICATE_LANGUAGES):
        raise DomainError(_("Choose the certificates' second language from the list."))
    if len(details.description) > DESCRIPTION_MAX:
        raise DomainError(_("The description can be at most %(max)d characters.",
                            max=DESCRIPTION_MAX))
    if details.starts_on and details.due_on and details.due_on < details.starts_on:
        raise DomainError(_("The due date is before the start date."))
    if details.country is not None and details.country not in COUNTRY_CODES:
        raise DomainError(_("Choose one of the listed countries."))
    taken = db.session.scalar(sa.select(Cohort.id).where(
        sa.func.lower(Cohort.name) == details.name.lower(), Cohort.id != (cohort_id or 0)))
    if taken is not None:
        raise DomainError(_("Another cohort is called “%(name)s”. Choose another name.",
                            name=details.name))
    live = set(db.session.scalars(sa.select(Course.id).where(
        Course.id.in_(details.course_ids), Course.archived_at.is_(None))))
    if live != set(details.course_ids):
        raise DomainError(_("Choose courses that are offered now."))
    staff = set(db.session.scalars(sa.select(User.id).where(
        User.id.in_(details.instructor_ids), User.role.in_(("instructor", "admin")))))
    if staff != set(details.instructor_ids):
        raise DomainError(_("Instructors must have the instructor or admin role."))


def course_ids_of(cohort_id: int) -> list[int]:
    """The courses the cohort takes."""
    return list(db.session.scalars(sa.select(CohortCourse.course_id).where(
        CohortCourse.cohort_id == cohort_id)))


def instructor_ids_of(cohort_id: int) -> list[int]:
    """The cohort's instructors."""
    return list(db.session.scalars(sa.select(CohortInstructor.user_id).where(
        CohortInstructor.cohort_id == cohort_id)))


def enrol_members(cohort_id: int, course: Course, user_ids: list[int] | None = None) -> int:
    """Enrol the cohort's members (or only `user_ids` of them) in `course`, in one
    statement; those enrolled already are left as they are. Returns how many."""
    members = sa.select(
        CohortMember.user_id, sa.literal(course.id), sa.literal("active"),
        sa.bindparam("now", utcnow(), type_=UTCDateTime()), sa.literal(course.version),
    ).where(CohortMember.cohort_id == cohort_id)
    if user_ids is not None:
        members = members.where(CohortMember.user_id.in_(user_ids))
    statement = upsert_insert(Enrolment).from_select(
        ["user_id", "course_id", "status", "enrolled_at", "course_version"], members,
    ).on_conflict_do_nothing().execution_options(preserve_rowcount=True)  # an INSERT's count
    return max(db.session.execute(statement).rowcount or 0, 0)


def _set_courses(cohort: Cohort, wanted: tuple[int, ...]) -> dict[str, Any]:
    current = set(course_ids_of(cohort.id))
    added, removed = sorted(set(wanted) - current), sorted(current - set(wanted))
    if removed:
        db.session.execute(sa.delete(CohortCourse).where(
            CohortCourse.cohort_id == cohort.id, CohortCourse.course_id.in_(removed)))
    enrolled = 0
    for course in db.session.scalars(sa.select(Course).where(Course.id.in_(added))):
        db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course.id))
        enrolled += enrol_members(cohort.id, course)
    db.session.flush()
    return {"courses_added": added, "courses_removed": removed, "enrolled": enrolled}


def _set_instructors(cohort: Cohort, wanted: tuple[int, ...]) -> dict[str, Any]:
    current = set(instructor_ids_of(cohort.id))
    added, removed = sorted(set(wanted) - current), sorted(current - set(wanted))
    if removed:
        db.session.execute(sa.delete(CohortInstructor).where(
            CohortInstructor.cohort_id == cohort.id, CohortInstructor.user_id.in_(removed)))
    db.session.add_all(CohortInstructor(cohort_id=cohort.id, user_id=uid) for uid in added)
    db.session.flush()
    return {"instructors_added": added, "instructors_removed": removed}


_FIELDS = ("name", "description", "starts_on", "due_on", "country", "agency",
           "certificate_language")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def create_cohort(details: CohortDetails, *, actor_id: int | None,
                  ip: str | None = None) -> Cohort:
    """A new cohort with its courses and instructors (flushes; audited)."""
    details = details.cleaned()
    _check(details, None)
    cohort = Cohort(created_by_id=actor_id, **{f: getattr(details, f) for f in _FIELDS})
    db.session.add(cohort)
    db.session.flush()
    changes = {**_set_courses(cohort, details.course_ids),
               **_set_instructors(cohort, details.instructor_ids)}
    record_event("cohort.created", actor_id=actor_id, target_type="cohort",
                 target_id=cohort.id, ip=ip, data={
                     **{f: _plain(getattr(details, f)) for f in _FIELDS}, **changes})
    return cohort


def update_cohort(cohort: Cohort, details: CohortDetails, *, actor_id: int | None,
                  ip: str | None = None) -> dict[str, Any]:
    """Change a cohort; a course added enrols every member. Returns what changed."""
    details = details.cleaned()
    _check(details, cohort.id)
    changes: dict[str, Any] = {}
    for name in _FIELDS:
        old, new = getattr(cohort, name), getattr(details, name)
        if old != new:
            changes[name] = {"from": _plain(old), "to": _plain(new)}
            setattr(cohort, name, new)
    db.session.flush()
    for key, value in {**_set_courses(cohort, details.course_ids),
                       **_set_instructors(cohort, details.instructor_ids)}.items():
        if value:
            changes[key] = value
    if changes:
        record_event("cohort.updated", actor_id=actor_id, target_type="cohort",
                     target_id=cohort.id, ip=ip, data=changes)
    return changes


def add_members(cohort: Cohort, user_ids: list[int], *, actor_id: int | None,
                ip: str | None = None, source: str = "added",
                unaudited: frozenset[int] = frozenset()) -> list[int]:
    """Make these people members (those already in are skipped) and enrol them in the
    cohort's courses; one audit event per person added (but `unaudited`: people whose
    own event names the cohort already). Returns who was added."""
    if not user_ids:
        return []
    already = set()
    for start in range(0, len(user_ids), 1000):  # a parameter list SQLite takes
        already |= set(db.session.scalars(sa.select(CohortMember.user_id).where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.user_id.in_(user_ids[start:start + 1000]))))
    added = [uid for uid in dict.fromkeys(user_ids) if uid not in already]
    now = utcnow()
    for start in range(0, len(added), 1000):
        db.session.execute(upsert_insert(CohortMember).on_conflict_do_nothing(), [
            {"cohort_id": cohort.id, "user_id": uid, "added_at": now, "added_by_id": actor_id}
            for uid in added[start:start + 1000]])
    for course in db.session.scalars(sa.select(Course).join(
            CohortCourse, CohortCourse.course_id == Course.id).where(
            CohortCourse.cohort_id == cohort.id, Course.archived_at.is_(None))):
        for start in range(0, len(added), 1000):
            enrol_members(cohort.id, course, added[start:start + 1000])
    record_events("cohort.member_added", [
        {"target_id": uid, "data": {"cohort_id": cohort.id, "cohort": cohort.name,
                                    "how": source}} for uid in added if uid not in unaudited],
        actor_id=actor_id, target_type="user", ip=ip)
    db.session.flush()
    return added


def add_member_by_email(cohort: Cohort, email: str, *, actor_id: int | None,
                        ip: str | None = None) -> User:
    """Add one person who has an account; new people come in through an import."""
    user = get_user_by_email(email)
    if user is None:
        raise DomainError(_("Nobody has an account with this email. To invite new people, "
                            "import them from a CSV file."))
    if not add_members(cohort, [user.id], actor_id=actor_id, ip=ip):
        raise DomainError(_("%(name)s is in this cohort already.", name=user.name))
    return user


def remove_member(cohort: Cohort, user: User, *, actor_id: int | None,
                  ip: str | None = None) -> None:
    """Take a person out of the cohort; their enrolments and progress stay."""
    removed = db.session.execute(sa.delete(CohortMember).where(
        CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id)).rowcount
    if not removed:
        raise DomainError(_("%(name)s is not in this cohort.", name=user.name))
    record_event("cohort.member_removed", actor_id=actor_id, target_type="user",
                 target_id=user.id, ip=ip, data={"cohort_id": cohort.id,
                                                 "cohort": cohort.name})
