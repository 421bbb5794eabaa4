"""Editing a contact's details."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from aisha_app.actions import leads
from aisha_app.actions.ingest import find_or_create_contact
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.errors import AppError, NotFound
from aisha_app.models import Channel, Contact, ContactUpdate, User
from aisha_app.models.base import utcnow
from aisha_app.models.contact import MAX_ATTRIBUTES
from aisha_app.realtime import events


def update_contact(session: Session, contact_id: int, change: ContactUpdate, actor: User) -> Contact:
    """Apply the fields sent (see ContactUpdate): attributes merge, a label goes through the leads'."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("Contact")
    values = change.model_dump(exclude_unset=True)
    added: list[str] = []
    if "tags" in values:
        values["tags"] = sorted({t.strip()[:40] for t in values["tags"] if t.strip()})
        added = [t for t in values["tags"] if t not in (contact.tags or [])]
    if "attributes" in values:
        values["attributes"] = _merged(contact.attributes or {}, values["attributes"])
    label_sent, label = "lead_label" in values, values.pop("lead_label", None)
    if values.get("opted_out") and not contact.opted_out:
        contact.opted_out_at = utcnow()
    for key, value in values.items():
        setattr(contact, key, value)
    if label_sent:  # staff chose it (it sticks), or null handed it back to the score
        leads.apply_label(session, contact, label, actor)
    contact.updated_at = utcnow()
    session.add(contact)
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=contact.id)
    session.flush()
    emit(
        session,
        [TriggerEvent.occurrence(Event.TAG_ADDED, contact_id=contact.id, data={"name": t}) for t in added],
    )
    return contact


def _merged(attributes: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = dict(attributes)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_ATTRIBUTES:
        raise AppError("too_many_attributes", f"A contact keeps at most {MAX_ATTRIBUTES} attributes.", 422)
    return merged


def contact_for_phone(session: Session, phone: str, name: str | None) -> Contact:
    """The contact with this E.164 number, created if new (a name fills a missing one)."""
    # Keyed by phone number, like every phone channel; no provider id is invented.
    contact = find_or_create_contact(session, Channel.SIMULATOR, phone, (name or "").strip()[:200] or None)
    session.flush()
    return contact
