"""What customers send: webhooks stored, messages recorded once, delivery statuses applied."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from aisha_app.background.handlers import JobKind, handler
from aisha_app.errors import WorkError
from aisha_app.models import (
    Contact,
    Conversation,
    Message,
    MessageDirection,
    MessageStatus,
    MessageType,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from aisha_app.services.messaging import capabilities
from aisha_app.services.messaging.base import StatusUpdate

log = logging.getLogger("aisha.inbound")

# Delivery only moves forward: a late "delivered" after "read" leaves the message read.
# Any report on a send of unknown outcome, even Twilio's "queued", says the provider has it.
STATUS_RANK = {
    MessageStatus.PENDING: 0,
    MessageStatus.UNKNOWN: 1,
    MessageStatus.QUEUED: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.READ: 5,
}
NOT_YET_DELIVERED = (MessageStatus.PENDING, MessageStatus.UNKNOWN, MessageStatus.QUEUED, MessageStatus.SENT)
STATUS_TIMES = {
    MessageStatus.SENT: "sent_at",
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.READ: "read_at",
    MessageStatus.FAILED: "failed_at",
}


def advance_status(
    message: Message, status: MessageStatus, code: str | None = None, text: str | None = None
) -> bool:
    """Move a message's delivery status forward; False if that would be a step back."""
    current = MessageStatus(message.status)
    if current == MessageStatus.FAILED and message.error_code == "unknown_outcome":
        current = MessageStatus.UNKNOWN  # we gave up for want of news; news came after all
    if status == MessageStatus.FAILED:
        if current not in NOT_YET_DELIVERED:
            return False
        message.error_code, message.error_text = code, text
    elif current == MessageStatus.FAILED or STATUS_RANK.get(status, -1) <= STATUS_RANK.get(current, -1):
        return False
    if current == MessageStatus.UNKNOWN and status != MessageStatus.FAILED:
        message.error_code = message.error_text = message.failed_at = None
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
    if message is None and update.reference:
        message = _by_reference(session, update)
    if message is None:
        return False
    if message.provider_message_id != update.provider_message_id:
        log.info("message %s: a status for another copy of it (%s)", message.id, update.provider_message_id)
        return True  # known, and nothing to change: its first copy is the one we track
    move_status(session, message, update.status, update.error_code, update.error_text)
    return True


def send_reference(message: Message, nonce: str) -> str:
    """Our name for a send, given to the provider to echo: the message id, and a nonce so a
    report for another database's message of the same id never matches."""
    return f"{message.id}.{nonce}"


def _by_reference(session: Session, update: StatusUpdate) -> Message | None:
    """The send a report names by our reference: how a send whose answer was lost gets its id."""
    head = update.reference.split(".", 1)[0]
    if not head.isdigit() or len(head) > 18:
        return None
    message = session.get(Message, int(head), with_for_update=True, populate_existing=True)
    if (
        message is None
        or message.channel != update.channel
        or message.direction != MessageDirection.OUTBOUND
        or (message.meta or {}).get("send_ref") != update.reference
    ):
        return None
    if message.provider_message_id is None:  # its send timed out, or is still waiting for an answer
        message.provider_message_id = update.provider_message_id
        session.add(message)
    return message


def _apply_watermark(session: Session, update: StatusUpdate) -> bool:
    rows = session.exec(
        select(Message)
        .with_for_update(of=Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            getattr(Contact, capabilities(update.channel).identity.value) == update.recipient,
            Message.channel == update.channel,
            Message.direction == MessageDirection.OUTBOUND,
            col(Message.status).in_([MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED]),
            Message.created_at <= (update.timestamp or utcnow()),
        )
    ).all()
    for message in rows:
        move_status(session, message, update.status)  # delivered or read; never a step back
    return True


@handler(JobKind.APPLY_STATUS)
def _retry_status(session: Session, job) -> None:
    update = StatusUpdate(**job.payload["update"])
    if not apply_status(session, update):
        raise WorkError(f"no message with provider id {update.provider_message_id}")
    session.flush()


def mark_read_by_customer(session: Session, conversation_id: int) -> int:
    """The simulated phone showed our messages: they are read. Returns how many changed."""
    rows = session.exec(
        select(Message).where(
            Message.conversation_id == conversation_id,
            Message.direction == MessageDirection.OUTBOUND,
            Message.type != MessageType.NOTE,  # staff's, never shown to the customer
            col(Message.status).in_([MessageStatus.SENT, MessageStatus.DELIVERED]),
        )
    ).all()
    for message in rows:
        move_status(session, message, MessageStatus.READ)
    if rows:
        session.flush()
    return len(rows)
