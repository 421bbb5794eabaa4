"""What the business sends: staff replies, notes and templates, queued and sent by workers."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from aisha_app.actions.inbound import move_status, publish_status, send_reference
from aisha_app.actions.templates import refused_reason
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind, handler
from aisha_app.config import get_settings
from aisha_app.db import commit
from aisha_app.errors import AppError, Conflict, NotFound
from aisha_app.models import (
    Contact,
    Conversation,
    Job,
    Message,
    MessageDirection,
    MessageStatus,
    MessageTemplate,
    MessageType,
    TemplateStatus,
    User,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from aisha_app.services.messaging import adapter_for, capabilities
from aisha_app.services.messaging.base import Capabilities, Outbound, SendError

log = logging.getLogger("aisha.outbound")


class OutsideWindow(AppError):
    """Free text refused: the customer last wrote too long ago for this channel's rules."""

    def __init__(self, caps: Capabilities, *, staff: bool = False) -> None:
        window = (caps.staff_window or caps.service_window) if staff else caps.service_window
        ago = _span(window)
        if caps.templates:
            text = (
                f"The customer last wrote more than {ago} ago, so {caps.label} only allows an "
                "approved template message now. Choose a template instead of free text."
            )
        else:
            text = (
                f"The customer last wrote more than {ago} ago, and {caps.label} allows no message "
                "until they write again."
            )
            if caps.staff_window and not staff:
                text += f" A person may still reply within {_span(caps.staff_window)}."
        super().__init__("outside_window", text, 409)


def _span(window: timedelta | None) -> str:
    hours = int(window.total_seconds() // 3600) if window else 24
    return f"{hours // 24} days" if hours >= 48 and hours % 24 == 0 else f"{hours} hours"


@dataclass
class Draft:
    """What a staff member (or the API) wants to send."""

    text: str | None = None
    media_url: str | None = None
    media_type: MessageType | None = None
    template: str | None = None  # a MessageTemplate's name
    template_language: str | None = None
    variables: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    note: bool = False


def window_open(conversation: Conversation, *, staff: bool = False) -> bool:
    """May free text be sent now (``staff``: by a person, who may have longer)? Each channel
    has its own rule."""
    return capabilities(conversation.channel).window_open(conversation.last_inbound_at, staff=staff)


def render_template(body: str, variables: list[str]) -> str:
    return re.sub(
        r"\{\{(\d+)\}\}", lambda m: variables[int(m[1]) - 1] if int(m[1]) <= len(variables) else m[0], body
    )


def _template(session: Session, conversation: Conversation, draft: Draft) -> MessageTemplate:
    query = select(MessageTemplate).where(
        MessageTemplate.name == draft.template, MessageTemplate.channel == conversation.channel
    )
    if draft.template_language:
        query = query.where(MessageTemplate.language == draft.template_language)
    approved_first = sa.case((MessageTemplate.status == TemplateStatus.APPROVED, 0), else_=1)
    template = session.exec(query.order_by(approved_first, col(MessageTemplate.id))).first()
    if template is None:
        raise AppError(
            "unknown_template", f"No template named {draft.template!r} for {conversation.channel}.", 400
        )
    refused = refused_reason(template)
    if refused:
        raise AppError("template_not_approved", refused, 409)
    if len(draft.variables) != len(template.variables):
        raise AppError(
            "template_variables",
            f"Template {template.name!r} takes {len(template.variables)} "
            f"variable(s) ({', '.join(template.variables)}); {len(draft.variables)} given.",
            400,
        )
    return template


def send_message(
    session: Session,
    conversation_id: int,
    draft: Draft,
    *,
    sender: User | None = None,
    from_assistant: bool = False,
) -> Message:
    """Store an outgoing message as pending and queue its send; notes are stored only."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("Conversation")
    contact = session.get(Contact, conversation.contact_id)
    message = Message(
        conversation_id=conversation.id,
        channel=conversation.channel,
        direction=MessageDirection.OUTBOUND,
        sender_id=sender.id if sender else None,
        from_assistant=from_assistant,
    )
    if draft.note:
        if not (draft.text or "").strip():
            raise AppError("empty_message", "A note needs some text.", 400)
        message.type, message.body, message.status = MessageType.NOTE, draft.text.strip(), MessageStatus.SENT
    else:
        if contact.opted_out:
            raise Conflict("This customer has opted out of messages.")
        if draft.template:
            can = capabilities(conversation.channel)
            if not can.templates:
                raise AppError(
                    "no_templates",
                    f"{can.label} has no message templates; reply within "
                    f"{can.service_window.total_seconds() / 3600:.0f} hours of the customer's last message.",
                    400,
                )
            template = _template(session, conversation, draft)
            message.type = MessageType.TEMPLATE
            message.body = render_template(template.body, draft.variables)
            message.meta = {
                "template": {
                    "name": template.name,
                    "language": template.language,
                    "provider_id": adapter_for(template.channel).template_api.send_id(template),
                    "variables": draft.variables,
                }
            }
        else:
            if not ((draft.text or "").strip() or draft.media_url):
                raise AppError("empty_message", "Write a message or attach a file.", 400)
            by_person = sender is not None and not from_assistant
            if not window_open(conversation, staff=by_person):
                raise OutsideWindow(capabilities(conversation.channel), staff=by_person)
            message.type = draft.media_type or (MessageType.IMAGE if draft.media_url else MessageType.TEXT)
            message.body, message.media_url = (draft.text or "").strip() or None, draft.media_url
            if draft.buttons:
                message.meta = {"buttons": draft.buttons}
            if by_person and capabilities(conversation.channel).human_agent_only(
                conversation.last_inbound_at
            ):
                message.meta = {**message.meta, "human_agent": True}
        message.status = MessageStatus.PENDING
    session.add(message)
    now = utcnow()
    conversation.last_message_at = conversation.updated_at = now
    if sender is not None and not draft.note:
        # A person answered: the assistant steps back until the conversation is resolved.
        if conversation.ai_enabled:
            conversation.ai_enabled, conversation.handed_off_at = False, now
        conversation.assignee_id = conversation.assignee_id or sender.id
    session.add(conversation)
    session.flush()
    if message.status == MessageStatus.PENDING:
        jobs.enqueue(session, JobKind.SEND_MESSAGE, {"message_id": message.id})
    events.publish_on_commit(
        session, events.MESSAGE_CREATED, conversation_id=conversation.id, message_id=message.id
    )
    events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=conversation.id)
    session.flush()
    return message


def retry_message(session: Session, message_id: int, actor: User) -> Message:
    """Queue a failed message again (the inbox's retry button)."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound("Message")
    if message.status != MessageStatus.FAILED:
        raise Conflict("Only failed messages can be retried.")
    conversation = session.get(Conversation, message.conversation_id)
    by_person = message.sender_id is not None and not message.from_assistant
    if message.type != MessageType.TEMPLATE and not window_open(conversation, staff=by_person):
        raise OutsideWindow(capabilities(conversation.channel), staff=by_person)
    if by_person and capabilities(conversation.channel).human_agent_only(conversation.last_inbound_at):
        message.meta = {**message.meta, "human_agent": True}
    _make_pending(session, message)
    jobs.enqueue(session, JobKind.SEND_MESSAGE, {"message_id": message.id})
    session.flush()
    return message


def _make_pending(session: Session, message: Message) -> None:
    """A failed message goes back to pending: the only status change that is not forward."""
    message.status, message.error_code, message.error_text, message.failed_at = (
        MessageStatus.PENDING,
        None,
        None,
        None,
    )
    # A staff retry of an unconfirmed send earns it one more automatic resend.
    message.meta = {k: v for k, v in message.meta.items() if k != "resent_unconfirmed"}
    publish_status(session, message)


def _outbound(message: Message, contact: Contact) -> Outbound:
    to = getattr(contact, capabilities(message.channel).identity.value)
    template = message.meta.get("template")
    return Outbound(
        to=to or "",
        text=message.body,
        media_url=message.media_url,
        media_type=message.type if message.media_url else None,
        template_id=template["provider_id"] if template else None,
        template_language=template["language"] if template else "en",
        template_variables=template["variables"] if template else [],
        buttons=message.meta.get("buttons", []),
        human_agent=bool(message.meta.get("human_agent")),
        reference=message.meta.get("send_ref"),
    )


def _mark_failed(session: Session, message: Message, code: str, text: str) -> None:
    move_status(session, message, MessageStatus.FAILED, code, text)
    session.flush()


def _gave_up(session: Session, job: Job, error: str) -> None:
    message = session.get(Message, job.payload["message_id"])
    if message is not None:
        _mark_failed(
            session,
            message,
            message.error_code or "retries_exhausted",
            f"Gave up after {job.attempts} attempts: {message.error_text or error}",
        )


def _replayed(session: Session, job: Job) -> None:
    """An admin replays a dead send: the message is pending again (nothing else touched it)."""
    message = session.get(Message, job.payload["message_id"])
    if message is not None:
        _make_pending(session, message)


@handler(JobKind.SEND_MESSAGE, on_dead=_gave_up, on_replay=_replayed)
def _send(session: Session, job: Job) -> None:
    message = session.get(Message, job.payload["message_id"])
    if message is None or message.type == MessageType.NOTE:
        return  # a note is staff's own: never sent, whatever queued it
    # This job's own earlier attempt died mid-send (its worker vanished): it may finish the send.
    # Its worker was silent for jobs.STALE_AFTER first, time for a status naming its reference to
    # arrive and give it the provider's id, which stops this.
    resumed = (
        message.status == MessageStatus.QUEUED and message.provider_message_id is None and job.attempts > 1
    )
    if not resumed and not _claim(session, message):
        return  # sent, failed, or held by another job: never send twice
    commit(session)  # the claim and its reference are stored before the request leaves
    conversation = session.get(Conversation, message.conversation_id)
    contact = session.get(Contact, conversation.contact_id)
    try:
        provider_id = adapter_for(message.channel).send(_outbound(message, contact))
    except SendError as exc:
        if exc.outcome_unknown:
            _await_status(session, message, exc)
            return
        if exc.permanent:
            log.info("message %s failed permanently: %s", message.id, exc)
            _mark_failed(session, message, exc.code, exc.text)
            return
        # It never left: back to pending for the next attempt.
        message.status, message.error_code, message.error_text = MessageStatus.PENDING, exc.code, exc.text
        session.add(message)
        commit(session)  # kept: the runner rolls back what is not committed when a job raises
        raise  # retried: it never left
    # A status naming our reference may have come while we waited for this answer.
    session.refresh(message, with_for_update=True)
    message.provider_message_id = message.provider_message_id or provider_id
    message.error_code = message.error_text = None
    # What the provider's acceptance means differs: WhatsApp reports "sent" by webhook later.
    if not move_status(session, message, adapter_for(message.channel).accepted_status):
        publish_status(session, message)
    session.flush()


def _await_status(session: Session, message: Message, exc: SendError) -> None:
    """The send may have reached the customer: wait for the provider's word before sending again."""
    table = Message.__table__
    grace = get_settings().send_unknown_grace_seconds
    waiting = session.execute(
        sa.update(table)
        .where(
            table.c.id == message.id,
            table.c.status == MessageStatus.QUEUED,
            table.c.provider_message_id.is_(None),  # else a status came meanwhile: it was sent
        )
        .values(
            status=MessageStatus.UNKNOWN,
            error_code=exc.code,
            error_text=f"{exc.text} (waiting up to {grace:.0f} s for the provider's delivery report)",
        )
    ).rowcount
    if waiting:
        log.warning("message %s: outcome unknown (%s); waiting %.0f s for a status", message.id, exc, grace)
        jobs.enqueue(
            session, JobKind.SETTLE_UNKNOWN_SEND, {"message_id": message.id}, delay=timedelta(seconds=grace)
        )
        session.refresh(message)
        publish_status(session, message)
    session.flush()


@handler(JobKind.SETTLE_UNKNOWN_SEND)
def _settle_unknown(session: Session, job: Job) -> None:
    """No status in the grace: send once more; after a second unconfirmed send, stop and say so."""
    message = session.get(Message, job.payload["message_id"])
    if message is None or message.status != MessageStatus.UNKNOWN:
        return  # a status came: the provider had it, and it is never sent again
    table = Message.__table__
    resend = not message.meta.get("resent_unconfirmed")
    values = (
        {"status": MessageStatus.PENDING, "meta": message.meta | {"resent_unconfirmed": True}}
        if resend
        else {
            "status": MessageStatus.FAILED,
            "error_code": "unknown_outcome",
            "error_text": "Sent twice without an answer or a delivery report from the provider: the "
            "customer may have received it. Check before sending it again.",
            "failed_at": utcnow(),
        }
    )
    # Conditional: a status that arrives right now wins, and nothing is sent.
    still_unknown = sa.and_(table.c.id == message.id, table.c.status == MessageStatus.UNKNOWN)
    changed = session.execute(sa.update(table).where(still_unknown).values(values)).rowcount
    if changed:
        if resend:
            log.warning("message %s: no status within the grace; sending it once more", message.id)
            jobs.enqueue(session, JobKind.SEND_MESSAGE, {"message_id": message.id})
        session.refresh(message)
        publish_status(session, message)
    session.flush()


def _claim(session: Session, message: Message) -> bool:
    """Take a pending message for sending: one conditional UPDATE, so only one job can.

    The claim also gives the send its reference (kept across attempts), committed before the
    request leaves, so a status webhook that names it can always be matched.
    """
    table = Message.__table__
    meta = message.meta or {}
    if "send_ref" not in meta:
        meta = meta | {"send_ref": send_reference(message, uuid.uuid4().hex[:12])}
    claimed = session.execute(
        sa.update(table)
        .where(table.c.id == message.id, table.c.status == MessageStatus.PENDING)
        .values(status=MessageStatus.QUEUED, meta=meta)
    ).rowcount
    session.flush()
    session.refresh(message)
    return claimed == 1
