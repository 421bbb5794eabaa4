"""What customers send: webhooks stored, messages recorded once, delivery statuses applied."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from aisha_app import events, jobs
from aisha_app.models import (
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    MessageStatus,
)
from aisha_app.models.base import utcnow
from aisha_app.services.messaging.base import StatusUpdate

log = logging.getLogger("aisha.inbound")

# Delivery only moves forward: a late "delivered" after "read" leaves the message read.
STATUS_RANK = {
    MessageStatus.PENDING: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}
STATUS_TIMES = {
    MessageStatus.SENT: "sent_at",
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.READ: "read_at",
    MessageStatus.FAILED: "failed_at",
}


def _contact_key(channel: Channel):
    return Contact.messenger_psid if channel == Channel.MESSENGER else Contact.phone_e164


def find_or_create_contact(session: Session, channel: Channel, sender: str, name: str | None) -> Contact:
    key = _contact_key(channel)
    contact = session.exec(select(Contact).where(key == sender)).first()
    if contact is None:
        fields = {"messenger_psid": sender} if channel == Channel.MESSENGER else {"phone_e164": sender}
        if channel in (Channel.WHATSAPP_CLOUD, Channel.TWILIO_WHATSAPP):
            fields["whatsapp_id"] = sender.lstrip("+")
        contact = Contact(name=name, **fields)
        try:
            with session.begin_nested():  # another request may be creating the same person
                session.add(contact)
        except IntegrityError:
            contact = session.exec(select(Contact).where(key == sender)).one()
    if name and not contact.name:
        contact.name = name
    return contact


def open_conversation(session: Session, contact: Contact, channel: Channel) -> Conversation:
    """The contact's conversation on this channel, reopened if it was resolved."""
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.channel == channel)
        .order_by(col(Conversation.id).desc())
    ).first()
    if conversation is None:
        conversation = Conversation(contact_id=contact.id, channel=channel)
        try:
            with session.begin_nested():  # the webhook writer may be creating it right now
                session.add(conversation)
        except IntegrityError:
            return open_conversation(session, contact, channel)
    elif conversation.status in (ConversationStatus.RESOLVED, ConversationStatus.SNOOZED):
        if conversation.status == ConversationStatus.RESOLVED:
            conversation.ai_enabled = True  # a handoff lasts until the conversation is resolved
        conversation.status = ConversationStatus.OPEN
    return conversation


def advance_status(
    message: Message, status: MessageStatus, code: str | None = None, text: str | None = None
) -> bool:
    """Move a message's delivery status forward; False if that would be a step back."""
    current = MessageStatus(message.status)
    if status == MessageStatus.FAILED:
        if current not in (MessageStatus.PENDING, MessageStatus.QUEUED, MessageStatus.SENT):
            return False
        message.error_code, message.error_text = code, text
    elif current == MessageStatus.FAILED or STATUS_RANK.get(status, -1) <= STATUS_RANK.get(current, -1):
        return False
    message.status = status
    if status in STATUS_TIMES:
        setattr(message, STATUS_TIMES[status], utcnow())
    return True


def publish_status(session: Session, message: Message) -> None:
    """Tell open pages a message's delivery status changed (once the transaction commits)."""
    session.add(message)
    events.publish_on_commit(
        session,
        events.MESSAGE_STATUS,
        conversation_id=message.conversation_id,
        message_id=message.id,
        status=message.status,
    )


def move_status(
    session: Session,
    message: Message,
    status: MessageStatus,
    code: str | None = None,
    text: str | None = None,
) -> bool:
    """Advance the status and publish it; False (and nothing published) if it would go back."""
    if not advance_status(message, status, code, text):
        return False
    publish_status(session, message)
    return True


def apply_status(session: Session, update: StatusUpdate) -> bool:
    """Apply a provider's delivery report; False when the message is not (yet) known."""
    if update.recipient:
        return _apply_watermark(session, update)
    message = session.exec(
        select(Message)
        .with_for_update()
        .where(Message.channel == update.channel, Message.provider_message_id == update.provider_message_id)
    ).first()
    if message is None:
        return False
    move_status(session, message, update.status, update.error_code, update.error_text)
    return True


def _apply_watermark(session: Session, update: StatusUpdate) -> bool:
    rows = session.exec(
        select(Message)
        .with_for_update(of=Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            Contact.messenger_psid == update.recipient,
            Message.channel == update.channel,
            Message.direction == MessageDirection.OUTBOUND,
            col(Message.status).in_([MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED]),
            Message.created_at <= (update.timestamp or utcnow()),
        )
    ).all()
    for message in rows:
        move_status(session, message, update.status)  # delivered or read; never a step back
    return True


@jobs.handler("apply_status")
def _retry_status(session: Session, job) -> None:
    update = StatusUpdate(**job.payload["update"])
    if not apply_status(session, update):
        raise jobs.RetryableJobError(f"no message with provider id {update.provider_message_id}")
    session.commit()


def mark_read_by_customer(session: Session, conversation_id: int) -> int:
    """The simulated phone showed our messages: they are read. Returns how many changed."""
    rows = session.exec(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.direction == MessageDirection.OUTBOUND,
            col(Message.status).in_([MessageStatus.SENT, MessageStatus.DELIVERED]),
        )
    ).all()
    for message in rows:
        move_status(session, message, MessageStatus.READ)
    if rows:
        session.commit()
    return len(rows)
