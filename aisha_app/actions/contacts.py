"""Editing a contact's details."""

from __future__ import annotations

from sqlmodel import Session

from aisha_app import events
from aisha_app.actions.inbound import find_or_create_contact
from aisha_app.errors import NotFound
from aisha_app.models import Channel, Contact, ContactUpdate, User
from aisha_app.models.base import utcnow


def update_contact(session: Session, contact_id: int, change: ContactUpdate, actor: User) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("Contact")
    values = change.model_dump(exclude_unset=True)
    if "tags" in values and values["tags"] is not None:
        values["tags"] = sorted({t.strip()[:40] for t in values["tags"] if t.strip()})
    if values.get("opted_out") and not contact.opted_out:
        contact.opted_out_at = utcnow()
    for key, value in values.items():
        setattr(contact, key, value)
    contact.updated_at = utcnow()
    session.add(contact)
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=contact.id)
    session.flush()
    return contact


def contact_for_phone(session: Session, phone: str, name: str | None) -> Contact:
    """The contact with this E.164 number, created if new (a name fills a missing one)."""
    # Keyed by phone number, like every phone channel; no provider id is invented.
    contact = find_or_create_contact(session, Channel.SIMULATOR, phone, (name or "").strip()[:200] or None)
    session.flush()
    return contact
