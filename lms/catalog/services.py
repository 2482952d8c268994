"""Catalogue services: course staff, and the support page's national contacts."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.catalog.models import STAFF_ROLES, Course, CourseStaff, SupportContact
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.page_cache import changed as pages_changed


def add_support_contact(*, country: str, name: str, phone: str, hours: str, note: str,
                        actor_id: int) -> SupportContact:
    contact = SupportContact(country=country, name=name.strip(), phone=phone.strip(),
                             hours=hours.strip(), note=note.strip())
    db.session.add(contact)
    db.session.flush()
    pages_changed()
    record_event("support_contact.added", actor_id=actor_id, target_type="support_contact",
                 target_id=contact.id, data={"name": contact.name, "country": country})
    return contact


def remove_support_contact(contact: SupportContact, *, actor_id: int) -> None:
    record_event("support_contact.removed", actor_id=actor_id, target_type="support_contact",
                 target_id=contact.id, data={"name": contact.name, "country": contact.country})
    db.session.delete(contact)
    db.session.flush()
    pages_changed()


def set_staff_role(course: Course, user: User, role: str, *, actor_id: int | None) -> None:
    """Make `user` the course's owner, editor or grader (or change their role); audited."""
    if role not in STAFF_ROLES:
        raise DomainError(_("Choose owner, editor or grader."))
    if user.role not in ("instructor", "admin") or not user.active:
        raise DomainError(_("%(name)s is not an active instructor: give them the "
                            "instructor role first.", name=user.name))
    staff = db.session.get(CourseStaff, (course.id, user.id))
    before = staff.role if staff else None
    if before == role:
        return
    if staff is None:
        db.session.add(CourseStaff(course_id=course.id, user_id=user.id, role=role,
                                   added_by_id=actor_id))
    else:
        staff.role = role
    db.session.flush()
    record_event("course.staff_changed", actor_id=actor_id, target_type="course",
                 target_id=course.id, data={"user_id": user.id, "email": user.email,
                                            "from": before, "to": role})


def remove_staff(course: Course, user: User, *, actor_id: int | None) -> None:
    staff = db.session.get(CourseStaff, (course.id, user.id))
    if staff is None:
        return
    owners = db.session.scalar(sa.select(sa.func.count()).where(
        CourseStaff.course_id == course.id, CourseStaff.role == "owner"))
    if staff.role == "owner" and owners == 1:
        raise DomainError(_("A course keeps at least one owner: name another first."))
    db.session.delete(staff)
    db.session.flush()
    record_event("course.staff_changed", actor_id=actor_id, target_type="course",
                 target_id=course.id, data={"user_id": user.id, "email": user.email,
                                            "from": staff.role, "to": None})
