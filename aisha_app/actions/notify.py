"""Telling a customer something on their own channel, inside or outside the 24-hour window."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from aisha_app.actions.ingest import open_conversation
from aisha_app.actions.outbound import Draft, send_message, window_open
from aisha_app.errors import AppError
from aisha_app.models import Contact, Conversation, Message, MessageTemplate, TemplateStatus
from aisha_app.services.messaging import phone_channels

log = logging.getLogger("aisha.notify")

# Outside the 24-hour window WhatsApp takes only approved templates: one named so, with a
# single variable ({{1}}), carries our updates there.
UPDATE_TEMPLATE = "aisha_update"


def conversation_for(session: Session, contact: Contact) -> Conversation | None:
    """Where the customer last wrote from; for a customer who never wrote, WhatsApp if connected."""
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.contact_id == contact.id)
        .order_by(col(Conversation.last_inbound_at).desc().nulls_last(), col(Conversation.id).desc())
    ).first()
    if conversation is not None or not contact.phone_e164:
        return conversation
    for channel in phone_channels():
        conversation = open_conversation(session, contact, channel)
        session.flush()
        return conversation
    return None


def notify(
    session: Session, contact: Contact, text: str, buttons: list[dict[str, str]] | None = None
) -> Message | None:
    """Send ``text`` (commits). Returns None, with a note for staff, when it cannot be sent."""
    conversation = conversation_for(session, contact)
    if conversation is None:
        log.info("contact %s: no channel to notify on", contact.id)
        return None
    try:
        if window_open(conversation):
            return send_message(session, conversation.id, Draft(text=text, buttons=buttons or []))
        template = session.exec(
            select(MessageTemplate).where(
                MessageTemplate.name == UPDATE_TEMPLATE,
                MessageTemplate.channel == conversation.channel,
                MessageTemplate.status == TemplateStatus.APPROVED,
            )
        ).first()
        if template is not None and len(template.variables) == 1:
            return send_message(session, conversation.id, Draft(template=UPDATE_TEMPLATE, variables=[text]))
        send_message(
            session,
            conversation.id,
            Draft(
                note=True,
                text=f"Not sent (the 24-hour window is closed and there is no approved "
                f"{UPDATE_TEMPLATE!r} template): {text}",
            ),
        )
    except AppError as exc:  # opted out, or the like: the change itself stands
        log.info("contact %s: not notified: %s", contact.id, exc.message)
    return None
