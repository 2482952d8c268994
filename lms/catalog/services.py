"""Catalogue services: the support page's national contacts (kept by admins)."""
from __future__ import annotations

from lms.catalog.models import SupportContact
from lms.core.audit import record_event
from lms.core.db import db
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
