"""Storing verified webhooks: a whole batch in one transaction and a handful of statements.

The webhook route hands each verified delivery to the group-commit writer (``aisha_app.background.writer``),
which stores everything that arrived meanwhile here at once. Per batch, whatever its size:
one look-up of known provider ids, one of contacts, one of conversations, then bulk inserts and
updates. Provider ids stay unique in the database, so a race with another process ends in an
IntegrityError, and the writer then stores the deliveries one by one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from aisha_app.actions import template_providers
from aisha_app.actions.inbound import apply_status, move_status
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind
from aisha_app.models import (
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Job,
    Message,
    MessageDirection,
    MessageStatus,
    ReviewSession,
    SourceType,
    WebhookEvent,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events
from aisha_app.services.messaging import capabilities
from aisha_app.services.messaging.base import InboundMessage, ParsedWebhook, StatusUpdate

log = logging.getLogger("aisha.ingest")

CONTACTS, CONVERSATIONS, MESSAGES = Contact.__table__, Conversation.__table__, Message.__table__
JOBS, REVIEW_SESSIONS = Job.__table__, ReviewSession.__table__


@dataclass
class Delivery:
    """One verified webhook (or simulator message) waiting to be stored."""

    provider: str
    parsed: ParsedWebhook
    body: str | None = None  # the raw webhook; None for the simulator, which has none
    headers: dict[str, str] | None = None
    # Why a verified webhook could not be parsed (a bug of ours): parked, not stored.
    unreadable: str | None = None


def _row(model: type, **values: Any) -> dict[str, Any]:
    """A full row with the model's defaults, for bulk inserts."""
    instance = model(**values)
    return {c.name: getattr(instance, c.name) for c in model.__table__.columns if c.name != "id"}


@dataclass
class Sender:
    """Who a message is from (or to), as a channel names them."""

    channel: Channel
    address: str  # a phone number or a page-scoped id: the channel's identity says which
    name: str | None = None
    referral: dict[str, Any] | None = None  # ad / post attribution: the first one is kept


def _key(channel: Channel | str, address: str) -> tuple[str, str]:
    """A contact's key: the column that holds its address on this channel, and the address."""
    return (capabilities(channel).identity.value, address)


def _sender(message: InboundMessage) -> Sender:
    return Sender(message.channel, message.sender, message.sender_name, message.referral)


def _new_messages(session: Session, inbound: list[InboundMessage]) -> list[InboundMessage]:
    """Drop messages whose provider id is stored already, or repeated within this batch."""
    if not inbound:
        return []
    known = set(
        session.execute(
            sa.select(MESSAGES.c.channel, MESSAGES.c.provider_message_id).where(
                sa.tuple_(MESSAGES.c.channel, MESSAGES.c.provider_message_id).in_(
                    [(m.channel.value, m.provider_message_id) for m in inbound]
                )
            )
        ).all()
    )
    fresh = []
    for message in inbound:
        key = (message.channel.value, message.provider_message_id)
        if key not in known:
            known.add(key)
            fresh.append(message)
    return fresh


def _contacts(
    session: Session, senders: list[Sender], now, *, seen: bool = True
) -> dict[tuple[str, str], int]:
    """Contact ids by ``_key``: found, created, and brought up to date (``seen``: they just wrote)."""
    addresses: dict[str, set[str]] = {}
    for sender in senders:
        column, address = _key(sender.channel, sender.address)
        addresses.setdefault(column, set()).add(address)
    columns = sorted(addresses)
    found = session.execute(
        sa.select(
            CONTACTS.c.id, CONTACTS.c.name, CONTACTS.c.source_details, *(CONTACTS.c[c] for c in columns)
        ).where(sa.or_(*(CONTACTS.c[c].in_(addresses[c]) for c in columns)))
    ).all()
    ids: dict[tuple[str, str], int] = {}
    current: dict[int, SimpleNamespace] = {}
    for row in found:
        for column in columns:
            if row._mapping[column] in addresses[column]:
                ids[(column, row._mapping[column])] = row.id
        current[row.id] = SimpleNamespace(name=row.name, source_details=row.source_details)
    new_rows, first = [], {}
    for sender in senders:
        key = _key(sender.channel, sender.address)
        if key in ids or key in first:
            continue
        first[key] = sender
        fields = capabilities(sender.channel).contact_fields(sender.address)
        new_rows.append(_row(Contact, name=sender.name, **fields))
    if new_rows:
        created = (
            session.execute(
                sa.insert(CONTACTS).returning(CONTACTS.c.id, sort_by_parameter_order=True), new_rows
            )
            .scalars()
            .all()
        )
        for key, contact_id in zip(first, created, strict=True):
            ids[key] = contact_id
            current[contact_id] = SimpleNamespace(name=first[key].name, source_details={})
    updates: dict[int, dict[str, Any]] = {}
    for sender in senders:
        contact_id = ids[_key(sender.channel, sender.address)]
        update = updates.setdefault(contact_id, {"cid": contact_id} | ({"last_seen_at": now} if seen else {}))
        state = current[contact_id]
        if sender.name and not state.name:
            state.name = update["name"] = sender.name
        if sender.referral and not state.source_details:  # first touch wins
            state.source_details = {
                k: v for k, v in sender.referral.items() if v is not None and k != "source_type"
            }
            update["source_type"] = SourceType(sender.referral.get("source_type") or "referral").value
            update["source_details"] = state.source_details
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for update in updates.values():  # grouped by the columns they set: one executemany each
        if len(update) > 1:
            groups.setdefault(tuple(sorted(update)), []).append(update)
    for keys, batch in groups.items():
        values = {k: sa.bindparam(k) for k in keys if k != "cid"}
        session.execute(sa.update(CONTACTS).where(CONTACTS.c.id == sa.bindparam("cid")).values(values), batch)
    return ids


def _conversations(
    session: Session, keys: set[tuple[int, str]], opened: set[int] | None = None
) -> dict[tuple[int, str], int]:
    """Open conversation ids by (contact, channel); resolved ones are reopened with the assistant on.
    ``opened`` gains the ids of those created or reopened from resolved."""
    if not keys:
        return {}
    rows = session.execute(
        sa.select(
            CONVERSATIONS.c.id, CONVERSATIONS.c.contact_id, CONVERSATIONS.c.channel, CONVERSATIONS.c.status
        )
        .where(CONVERSATIONS.c.contact_id.in_({contact for contact, _ in keys}))
        .order_by(CONVERSATIONS.c.id)
    ).all()
    latest = {(r.contact_id, r.channel): r for r in rows if (r.contact_id, r.channel) in keys}
    reopen = [
        {"cid": r.id, "ai": r.status == ConversationStatus.RESOLVED}
        for r in latest.values()
        if r.status in (ConversationStatus.RESOLVED, ConversationStatus.SNOOZED)
    ]
    if opened is not None:
        opened.update(r["cid"] for r in reopen if r["ai"])
    for ai in (True, False):
        batch = [r for r in reopen if r["ai"] is ai]
        if batch:
            values = {"status": ConversationStatus.OPEN.value}
            if ai:  # a handoff lasts until the conversation is resolved
                values |= {"ai_enabled": True, "handed_off_at": None, "handoff_reason": None}
            session.execute(
                sa.update(CONVERSATIONS).where(CONVERSATIONS.c.id == sa.bindparam("cid")).values(values),
                [{"cid": r["cid"]} for r in batch],
            )
    ids = {key: row.id for key, row in latest.items()}
    missing = [key for key in keys if key not in ids]
    if missing:
        created = (
            session.execute(
                sa.insert(CONVERSATIONS).returning(CONVERSATIONS.c.id, sort_by_parameter_order=True),
                [_row(Conversation, contact_id=contact, channel=channel) for contact, channel in missing],
            )
            .scalars()
            .all()
        )
        ids.update(zip(missing, created, strict=True))
        if opened is not None:
            opened.update(created)
    return ids


def find_or_create_contact(
    session: Session, channel: Channel, address: str, name: str | None = None
) -> Contact:
    """One contact by its address on a channel, created if new: the webhook writer's path, for one.

    For a conversation staff start (a message to a number, the simulator): the contact is not
    "seen" by it.
    """
    key = _key(channel, address)
    session.flush()  # the statements below are Core: they do not flush the session's pending rows
    try:
        with session.begin_nested():  # another request, or the webhook writer, may be creating it
            contact_id = _contacts(session, [Sender(channel, address, name)], utcnow(), seen=False)[key]
    except IntegrityError:
        contact_id = _contacts(session, [Sender(channel, address, name)], utcnow(), seen=False)[key]
    return session.get(Contact, contact_id, populate_existing=True)


def open_conversation(session: Session, contact: Contact, channel: Channel) -> Conversation:
    """The contact's conversation on this channel, created or reopened as the webhook writer does."""
    key = (contact.id, Channel(channel).value)
    session.flush()
    try:
        with session.begin_nested():
            conversation_id = _conversations(session, {key})[key]
    except IntegrityError:
        conversation_id = _conversations(session, {key})[key]
    return session.get(Conversation, conversation_id, populate_existing=True)


def _statuses(session: Session, updates: list[StatusUpdate]) -> None:
    by_id = [u for u in updates if not u.recipient]
    rows = (
        session.execute(
            # Locked on PostgreSQL: concurrent reports for one message apply one after the other.
            sa.select(Message)
            .with_for_update()
            .where(
                sa.tuple_(Message.channel, Message.provider_message_id).in_(
                    [(u.channel.value, u.provider_message_id) for u in by_id]
                )
            )
        )
        .scalars()
        .all()
        if by_id
        else []
    )
    known = {(m.channel, m.provider_message_id): m for m in rows}
    for update in updates:
        if update.recipient:
            apply_status(session, update)  # a read receipt up to a time, not one message
            continue
        message = known.get((update.channel.value, update.provider_message_id))
        if message is None:
            # The send that produced this id may not have committed yet: try again shortly.
            jobs.enqueue(
                session,
                JobKind.APPLY_STATUS,
                {"update": status_payload(update)},
                delay=timedelta(seconds=5),
                max_attempts=6,
            )
        else:
            move_status(session, message, update.status, update.error_code, update.error_text)


def _queue_replies(session: Session, conversation_ids: set[int]) -> None:
    """The assistant answers conversations it is on, once per burst (a queued reply absorbs more);
    a customer waiting for staff may be told when the shop opens."""
    from aisha_app.actions.assistant import out_of_hours_key, reply_key
    from aisha_app.config import get_settings

    reviewing = (
        sa.select(REVIEW_SESSIONS.c.id)
        .where(REVIEW_SESSIONS.c.conversation_id == CONVERSATIONS.c.id, REVIEW_SESSIONS.c.status == "active")
        .exists()
    )
    # The assistant's conversations, and any where a review is being collected (even by staff).
    answered_by_ai = set(
        session.execute(
            sa.select(CONVERSATIONS.c.id).where(
                CONVERSATIONS.c.id.in_(conversation_ids), sa.or_(CONVERSATIONS.c.ai_enabled, reviewing)
            )
        ).scalars()
    )
    # Those handed to staff and waiting: outside opening hours they hear when a person will answer.
    waiting = set(
        session.execute(
            sa.select(CONVERSATIONS.c.id).where(
                CONVERSATIONS.c.id.in_(conversation_ids - answered_by_ai), CONVERSATIONS.c.status == "pending"
            )
        ).scalars()
    )
    work = {reply_key(cid): (JobKind.AI_REPLY, cid) for cid in answered_by_ai}
    work |= {out_of_hours_key(cid): (JobKind.OUT_OF_HOURS, cid) for cid in waiting}
    queued = set(session.execute(sa.select(JOBS.c.dedupe_key).where(JOBS.c.dedupe_key.in_(work))).scalars())
    delay = timedelta(seconds=get_settings().ai_burst_seconds)
    for key, (kind, cid) in work.items():
        if key not in queued:
            jobs.enqueue(session, kind, {"conversation_id": cid}, delay=delay, dedupe_key=key, max_attempts=3)


def _trigger_automations(session: Session, real, ids, rows, contact_of, opened: set[int]) -> None:
    """Each message is an event (keyed by its id: stored once, so it triggers once); so is each
    conversation it opened (keyed by its first message in the batch)."""
    happened: list[TriggerEvent] = []
    for m, message_id, row in zip(real, ids, rows, strict=True):
        cid = row["conversation_id"]
        subject = {
            "contact_id": contact_of[m.provider_message_id][0],
            "conversation_id": cid,
            "message_id": message_id,
        }
        if cid in opened:
            opened.discard(cid)
            happened.append(TriggerEvent(Event.CONVERSATION_OPENED, f"opened:{message_id}", **subject))
        data = {"body": m.body or ""}
        happened.append(TriggerEvent(Event.MESSAGE_RECEIVED, f"message:{message_id}", **subject, data=data))
    emit(session, happened)


def status_payload(update: StatusUpdate) -> dict:
    return {
        "channel": update.channel,
        "provider_message_id": update.provider_message_id,
        "status": update.status,
        "error_code": update.error_code,
        "error_text": update.error_text,
        "reference": update.reference,
    }


def store_batch(session: Session, deliveries: list[Delivery]) -> dict[str, int]:
    """Store verified deliveries and what they carry; commits. Returns new message ids by provider id."""
    now = utcnow()
    fresh = _new_messages(session, [m for d in deliveries for m in d.parsed.messages])
    contacts = _contacts(session, [_sender(m) for m in fresh], now) if fresh else {}
    real = [m for m in fresh if not m.meta.get("referral_only")]
    for m in fresh:
        if m.meta.get("referral_only"):
            events.publish_on_commit(
                session, events.CONTACT_UPDATED, contact_id=contacts[_key(m.channel, m.sender)]
            )
    conversation_of = {
        m.provider_message_id: (contacts[_key(m.channel, m.sender)], m.channel.value) for m in real
    }
    opened: set[int] = set()
    conversations = _conversations(session, set(conversation_of.values()), opened)
    created: dict[str, int] = {}
    if real:
        rows = []
        for m in real:
            media = m.media[0] if m.media else None
            meta = dict(m.meta) | ({"media": [x.__dict__ for x in m.media]} if m.media else {})
            rows.append(
                _row(
                    Message,
                    conversation_id=conversations[conversation_of[m.provider_message_id]],
                    channel=m.channel,
                    direction=MessageDirection.INBOUND,
                    type=m.type,
                    body=m.body,
                    provider_message_id=m.provider_message_id,
                    media_url=media.url if media else None,
                    media_content_type=media.content_type if media else None,
                    status=MessageStatus.RECEIVED,
                    meta=meta,
                    created_at=now,
                )
            )
        ids = (
            session.execute(sa.insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        for m, message_id, row in zip(real, ids, rows, strict=True):
            created[m.provider_message_id] = message_id
            if m.media and capabilities(m.channel).fetches_media:  # provider URLs expire or need credentials
                jobs.enqueue(session, JobKind.FETCH_MEDIA, {"message_id": message_id})
            events.publish_on_commit(
                session, events.MESSAGE_CREATED, conversation_id=row["conversation_id"], message_id=message_id
            )
        # The 24-hour window opens when the customer wrote (the provider's time, never in the
        # future), not when a retried or parked webhook happened to be stored.
        wrote: dict[int, Any] = {}
        for m, row in zip(real, rows, strict=True):
            at = min(m.timestamp or now, now)
            wrote[row["conversation_id"]] = max(wrote.get(row["conversation_id"], at), at)
        at = sa.bindparam("at", type_=CONVERSATIONS.c.last_inbound_at.type)
        later = sa.case(
            (sa.or_(CONVERSATIONS.c.last_inbound_at.is_(None), CONVERSATIONS.c.last_inbound_at < at), at),
            else_=CONVERSATIONS.c.last_inbound_at,
        )
        session.execute(
            sa.update(CONVERSATIONS)
            .where(CONVERSATIONS.c.id == sa.bindparam("cid"))
            .values(last_inbound_at=later, last_message_at=now, updated_at=now),
            [{"cid": cid, "at": when} for cid, when in wrote.items()],
        )
        touched = set(wrote)
        _queue_replies(session, touched)
        _trigger_automations(session, real, ids, rows, conversation_of, opened)
        for cid in touched:
            events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=cid)
    statuses = [s for d in deliveries for s in d.parsed.statuses]
    if statuses:
        _statuses(session, statuses)
    for update in (u for d in deliveries for u in d.parsed.templates):
        template_providers.apply_update(session, update)
    stored = [d for d in deliveries if d.body is not None]
    if stored:
        session.execute(sa.insert(WebhookEvent.__table__), [_event_row(d, now) for d in stored])
    for d in deliveries:
        if d.parsed.ignored:
            log.info("%s webhook: acknowledged and skipped %s", d.provider, ", ".join(d.parsed.ignored))
    session.flush()
    return created


def _event_row(delivery: Delivery, now) -> dict[str, Any]:
    parsed = delivery.parsed
    kinds = (["message"] if parsed.messages else []) + (["status"] if parsed.statuses else [])
    kinds += ["template"] if parsed.templates else []
    return _row(
        WebhookEvent,
        provider=delivery.provider,
        event_type=",".join(kinds + parsed.ignored)[:64] or None,
        headers=delivery.headers or {},
        body=delivery.body,
        status="processed",
        received_at=now,
        processed_at=now,
    )


def park_webhook(session: Session, delivery: Delivery, error: str) -> None:
    """Storing failed unexpectedly: keep the raw webhook and let a worker try again later."""
    event = WebhookEvent(
        provider=delivery.provider,
        headers=delivery.headers or {},
        body=delivery.body or "",
        status="failed",
        error=error[:2000],
    )
    session.add(event)
    session.flush()
    jobs.enqueue(session, JobKind.PROCESS_WEBHOOK, {"event_id": event.id})
    session.flush()


def reprocess_webhook(session: Session, event: WebhookEvent, parsed: ParsedWebhook) -> None:
    """A worker stores a parked webhook's content (the raw event exists already)."""
    event.status, event.error, event.processed_at = "processed", None, utcnow()
    session.add(event)
    store_batch(session, [Delivery(event.provider, parsed)])


def receive_simulated(
    session: Session,
    phone: str,
    name: str | None,
    body: str | None,
    *,
    reply_id: str | None = None,
    media: tuple[bytes, str] | None = None,
) -> int | None:
    """A message typed (or a button tapped, or a picture sent) on the /simulator page; its id."""
    import uuid

    from aisha_app.actions.media import media_path, write_after_commit
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
    message_id = store_batch(session, [Delivery("simulator", ParsedWebhook(messages=[inbound]))]).get(
        inbound.provider_message_id
    )
    if message_id is not None and media is not None:
        content, content_type = media
        write_after_commit(session, media_path(message_id), content)
        message = session.get(Message, message_id)
        message.media_url, message.media_content_type = f"/media/{message_id}", content_type
        session.add(message)
        events.publish_on_commit(
            session, events.MESSAGE_UPDATED, conversation_id=message.conversation_id, message_id=message_id
        )
        session.flush()
    return message_id
