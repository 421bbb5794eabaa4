"""What customers send: webhooks stored, messages recorded once, delivery statuses applied."""

from __future__ import annotations

import logging
from datetime import timedelta

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
    SourceType,
    WebhookEvent,
)
from aisha_app.models.base import utcnow
from aisha_app.services.messaging.base import InboundMessage, ParsedWebhook, StatusUpdate

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


def _attribute(contact: Contact, referral: dict | None) -> None:
    """First touch wins: the ad or post that brought the customer is kept."""
    if not referral or contact.source_details:
        return
    contact.source_type = SourceType(referral.get("source_type") or "referral")
    contact.source_details = {k: v for k, v in referral.items() if v is not None and k != "source_type"}


def open_conversation(session: Session, contact: Contact, channel: Channel) -> Conversation:
    """The contact's conversation on this channel, reopened if it was resolved."""
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.channel == channel)
        .order_by(col(Conversation.id).desc())
    ).first()
    if conversation is None:
        conversation = Conversation(contact_id=contact.id, channel=channel)
        session.add(conversation)
        session.flush()
    elif conversation.status in (ConversationStatus.RESOLVED, ConversationStatus.SNOOZED):
        if conversation.status == ConversationStatus.RESOLVED:
            conversation.ai_enabled = True  # a handoff lasts until the conversation is resolved
        conversation.status = ConversationStatus.OPEN
    return conversation


def record_inbound(session: Session, inbound: InboundMessage) -> Message | None:
    """Store one customer message in its conversation; None if this provider id is known already."""
    exists = session.exec(
        select(Message.id).where(
            Message.channel == inbound.channel, Message.provider_message_id == inbound.provider_message_id
        )
    ).first()
    if exists is not None:
        return None
    contact = find_or_create_contact(session, inbound.channel, inbound.sender, inbound.sender_name)
    _attribute(contact, inbound.referral)
    now = utcnow()
    contact.last_seen_at = now
    session.add(contact)
    session.flush()
    if inbound.meta.get("referral_only"):
        publish_contact(session, contact)
        return None
    conversation = open_conversation(session, contact, inbound.channel)
    first_media = inbound.media[0] if inbound.media else None
    meta = dict(inbound.meta)
    if inbound.media:
        meta["media"] = [m.__dict__ for m in inbound.media]
    message = Message(
        conversation_id=conversation.id,
        channel=inbound.channel,
        direction=MessageDirection.INBOUND,
        type=inbound.type,
        body=inbound.body,
        provider_message_id=inbound.provider_message_id,
        media_url=first_media.url if first_media else None,
        media_content_type=first_media.content_type if first_media else None,
        status=MessageStatus.RECEIVED,
        meta=meta,
        created_at=now,
    )
    try:
        with session.begin_nested():  # the unique key, not this check, is what guarantees "once"
            session.add(message)
    except IntegrityError:
        return None
    conversation.last_inbound_at = now
    conversation.last_message_at = now
    conversation.updated_at = now
    session.add(conversation)
    if first_media and first_media.media_id:
        jobs.enqueue(session, "fetch_media", {"message_id": message.id})
    events.publish_on_commit(
        session, events.MESSAGE_CREATED, conversation_id=conversation.id, message_id=message.id
    )
    events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=conversation.id)
    return message


def publish_contact(session: Session, contact: Contact) -> None:
    events.publish_on_commit(session, events.CONTACT_UPDATED, contact_id=contact.id)


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


def apply_status(session: Session, update: StatusUpdate) -> bool:
    """Apply a provider's delivery report; False when the message is not (yet) known."""
    if update.recipient:
        return _apply_read_watermark(session, update)
    message = session.exec(
        select(Message).where(
            Message.channel == update.channel, Message.provider_message_id == update.provider_message_id
        )
    ).first()
    if message is None:
        return False
    if advance_status(message, update.status, update.error_code, update.error_text):
        session.add(message)
        events.publish_on_commit(
            session,
            events.MESSAGE_STATUS,
            conversation_id=message.conversation_id,
            message_id=message.id,
            status=message.status,
        )
    return True


def _apply_read_watermark(session: Session, update: StatusUpdate) -> bool:
    rows = session.exec(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            Contact.messenger_psid == update.recipient,
            Message.channel == update.channel,
            Message.direction == MessageDirection.OUTBOUND,
            col(Message.status).in_([MessageStatus.SENT, MessageStatus.DELIVERED]),
            Message.created_at <= (update.timestamp or utcnow()),
        )
    ).all()
    for message in rows:
        advance_status(message, MessageStatus.READ)
        session.add(message)
        events.publish_on_commit(
            session,
            events.MESSAGE_STATUS,
            conversation_id=message.conversation_id,
            message_id=message.id,
            status=message.status,
        )
    return True


def _process(session: Session, provider: str, parsed: ParsedWebhook) -> None:
    for inbound in parsed.messages:
        record_inbound(session, inbound)
    for update in parsed.statuses:
        if not apply_status(session, update):
            # The send that produced this id may not have committed yet: try again shortly.
            jobs.enqueue(
                session,
                "apply_status",
                {"update": _status_payload(update)},
                delay=timedelta(seconds=5),
                max_attempts=6,
            )
    if parsed.ignored:
        log.info("%s webhook: acknowledged and skipped %s", provider, ", ".join(parsed.ignored))


def ingest_webhook(
    session: Session, provider: str, parsed: ParsedWebhook, body: str, headers: dict[str, str]
) -> WebhookEvent:
    """Store a verified webhook and everything in it, in one transaction."""
    kinds = (["message"] if parsed.messages else []) + (["status"] if parsed.statuses else [])
    event = WebhookEvent(
        provider=provider,
        event_type=",".join(kinds + parsed.ignored)[:64] or None,
        headers=headers,
        body=body,
        status="processed",
        processed_at=utcnow(),
    )
    session.add(event)
    _process(session, provider, parsed)
    session.commit()
    return event


def park_webhook(
    session: Session, provider: str, body: str, headers: dict[str, str], error: str
) -> WebhookEvent:
    """Processing failed unexpectedly: keep the raw webhook and let a worker try again."""
    session.rollback()
    event = WebhookEvent(provider=provider, headers=headers, body=body, status="failed", error=error[:2000])
    session.add(event)
    session.flush()
    jobs.enqueue(session, "process_webhook", {"event_id": event.id})
    session.commit()
    return event


def reprocess_webhook(session: Session, event: WebhookEvent, parsed: ParsedWebhook) -> None:
    _process(session, event.provider, parsed)
    event.status, event.error, event.processed_at = "processed", None, utcnow()
    session.add(event)
    session.commit()


def _status_payload(update: StatusUpdate) -> dict:
    return {
        "channel": update.channel,
        "provider_message_id": update.provider_message_id,
        "status": update.status,
        "error_code": update.error_code,
        "error_text": update.error_text,
    }


@jobs.handler("apply_status")
def _retry_status(session: Session, job) -> None:
    update = StatusUpdate(**job.payload["update"])
    if not apply_status(session, update):
        raise jobs.RetryableJobError(f"no message with provider id {update.provider_message_id}")
    session.commit()


def receive_simulated(
    session: Session,
    phone: str,
    name: str | None,
    body: str | None,
    *,
    reply_id: str | None = None,
    media: tuple[bytes, str] | None = None,
) -> Message | None:
    """A message typed (or a button tapped, or a picture sent) on the /simulator page."""
    import uuid

    from aisha_app.actions.media import media_path
    from aisha_app.models import MessageType

    kind = MessageType.INTERACTIVE if reply_id else MessageType.IMAGE if media else MessageType.TEXT
    inbound = InboundMessage(
        channel=Channel.SIMULATOR,
        provider_message_id=f"sim-in-{uuid.uuid4().hex}",
        sender=phone,
        sender_name=name,
        type=kind,
        body=body or None,
        meta={"reply_id": reply_id} if reply_id else {},
    )
    message = record_inbound(session, inbound)
    if message is not None and media is not None:
        content, content_type = media
        path = media_path(message.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        message.media_url, message.media_content_type = f"/media/{message.id}", content_type
        session.add(message)
    session.commit()
    return message


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
        advance_status(message, MessageStatus.READ)
        session.add(message)
        events.publish_on_commit(
            session,
            events.MESSAGE_STATUS,
            conversation_id=conversation_id,
            message_id=message.id,
            status=message.status,
        )
    if rows:
        session.commit()
    return len(rows)
