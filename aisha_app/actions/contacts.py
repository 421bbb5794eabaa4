"""Editing a contact's details."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, or_, select

from aisha_app.actions import attributes, leads
from aisha_app.actions.audit import audit
from aisha_app.actions.ingest import find_or_create_contact
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.errors import AppError, Forbidden, NotFound
from aisha_app.models import Channel, Contact, ContactUpdate, Conversation, ConversationStatus, Role, User
from aisha_app.models.base import utcnow
from aisha_app.models.contact import MAX_ATTRIBUTES, ContactCreate, birthday_problem
from aisha_app.phones import normalize_phone
from aisha_app.realtime import events


def update_contact(session: Session, contact_id: int, change: ContactUpdate, actor: User) -> Contact:
    """Apply the fields sent (see ContactUpdate): attributes merge, a label goes through the leads'."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("Contact")
    if contact.deleted_at is not None:
        raise AppError("contact_deleted", "This contact was deleted; its details cannot change.", 409)
    values = change.model_dump(exclude_unset=True)
    added: list[str] = []
    if "tags" in values:
        values["tags"] = _clean_tags(values["tags"])
        added = [t for t in values["tags"] if t not in (contact.tags or [])]
    if "attributes" in values:
        values["attributes"] = _merged(
            contact.attributes or {}, attributes.checked(session, values["attributes"])
        )
    label_sent, label = "lead_label" in values, values.pop("lead_label", None)
    if values.get("opted_out") and not contact.opted_out:
        contact.opted_out_at = utcnow()
    for key, value in values.items():
        setattr(contact, key, value)
    problem = birthday_problem(contact.birthday_month, contact.birthday_day, contact.birthday_year)
    if problem:
        raise AppError(
            "invalid_birthday",
            f"The birthday cannot be: {problem}.",
            422,
            details=[{"field": "birthday_day", "message": problem}],
        )
    if label_sent:  # staff chose it (it sticks), or null handed it back to the score
        leads.apply_label(session, contact, label, actor)
    contact.updated_at = utcnow()
    session.add(contact)
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=contact.id)
    session.flush()
    _tags_added(session, contact, added)
    return contact


def _clean_tags(tags: list[str]) -> list[str]:
    return sorted({t.strip()[:40] for t in tags if t.strip()})


def _tags_added(session: Session, contact: Contact, tags: list[str]) -> None:
    emit(
        session,
        [TriggerEvent.occurrence(Event.TAG_ADDED, contact_id=contact.id, data={"name": t}) for t in tags],
    )


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


def create_contact(session: Session, data: ContactCreate, actor: User) -> Contact:
    """A new contact, its phone stored E.164; 409 naming the existing contact when the number is known."""
    phone = normalize_phone(data.phone_number)
    existing = by_phone(session, phone)
    if existing is not None:
        raise _known(phone, existing)
    values = data.model_dump(exclude={"phone_number"})
    values["tags"] = _clean_tags(values["tags"])
    values["attributes"] = attributes.checked(session, values["attributes"])
    contact = Contact(**values, phone_e164=phone, whatsapp_id=phone.lstrip("+"))
    try:
        with session.begin_nested():  # the same customer writing in this very moment
            session.add(contact)
    except IntegrityError as exc:
        raise _known(phone, by_phone(session, phone)) from exc
    audit(session, actor, "contact.created", contact)
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=contact.id)
    session.flush()
    _tags_added(session, contact, contact.tags)
    return contact


def by_phone(session: Session, phone: str) -> Contact | None:
    """The contact of this E.164 number (or its WhatsApp id), deleted ones included."""
    return session.exec(
        select(Contact).where(or_(Contact.phone_e164 == phone, Contact.whatsapp_id == phone.lstrip("+")))
    ).first()


def _known(phone: str, existing: Contact | None) -> AppError:
    return AppError(
        "contact_exists",
        f"{phone} is already a contact.",
        409,
        details={"id": existing.id if existing else None},
    )


def delete_contact(session: Session, contact_id: int, actor: User) -> None:
    """Admins only. What identifies the customer is erased and their conversations resolved;
    the history stays, shown as a deleted contact's. The same number writing again is new."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins delete contacts.")
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise NotFound("Contact")
    now = utcnow()
    for key in ERASED:
        setattr(contact, key, None)
    contact.tags, contact.attributes, contact.source_details = [], {}, {}
    contact.opted_out, contact.opted_out_at = True, contact.opted_out_at or now
    contact.deleted_at = contact.updated_at = now
    session.add(contact)
    open_ones = session.exec(
        select(Conversation).where(
            Conversation.contact_id == contact.id, Conversation.status != ConversationStatus.RESOLVED
        )
    ).all()
    for conversation in open_ones:
        conversation.status, conversation.ai_enabled, conversation.updated_at = (
            ConversationStatus.RESOLVED,
            False,
            now,
        )
        session.add(conversation)
        events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=conversation.id)
    audit(session, actor, "contact.deleted", contact)
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=contact.id)
    session.flush()


# What a deleted contact no longer holds.
ERASED = (
    "name",
    "phone_e164",
    "whatsapp_id",
    "messenger_psid",
    "email",
    "notes",
    "language",
    "timezone",
    "birthday_month",
    "birthday_day",
    "birthday_year",
    "lead_label",
)
