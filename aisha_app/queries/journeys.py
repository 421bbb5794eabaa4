"""Read views of the journeys: reviews with filters and CSV, lead cards with their score reasons,
a lead's timeline. Shared by the pages and the REST API."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from aisha_app.actions.leads import score
from aisha_app.models import (
    Contact,
    Conversation,
    LeadActivity,
    LeadLabel,
    LeadStage,
    Message,
    MessageDirection,
    MessageType,
    Review,
)
from aisha_app.models.base import utcnow
from aisha_app.queries.inbox import has_tag, last_shown_id
from aisha_app.queries.search import contains
from aisha_app.queries.spreadsheet import cell


@dataclass
class ReviewFilter:
    product: str | None = None
    rating: int | None = None
    max_rating: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None


def reviews(session: Session, f: ReviewFilter, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """Newest first, each with the delivery status of its thank-you message."""
    query = (
        select(Review, Message.status, Contact.phone_e164)
        .join(Message, Message.id == Review.thank_you_message_id, isouter=True)
        .join(Contact, Contact.id == Review.contact_id)
    )
    if f.product:
        query = query.where(contains(Review.product_name, f.product))
    if f.rating:
        query = query.where(Review.rating == f.rating)
    if f.max_rating:
        query = query.where(Review.rating <= f.max_rating)
    if f.since:
        query = query.where(Review.created_at >= f.since)
    if f.until:
        query = query.where(Review.created_at < f.until)
    if f.q:
        query = query.where(
            or_(
                contains(Review.text, f.q),
                contains(Review.customer_name, f.q),
                contains(Review.product_name, f.q),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Review.created_at).desc(), col(Review.id).desc()).limit(limit).offset(offset)
    ).all()
    return [
        {
            "id": r.id,
            "contact_id": r.contact_id,
            "conversation_id": r.conversation_id,
            "customer_name": r.customer_name,
            "phone_number": phone,
            "product": r.product_name,
            "product_id": r.product_id,
            "rating": r.rating,
            "text": r.text,
            "thank_you_status": str(status) if status else None,
            "created_at": r.created_at,
        }
        for r, status, phone in rows
    ], total


CSV_COLUMNS = [
    "id",
    "created_at",
    "customer_name",
    "phone_number",
    "product",
    "rating",
    "text",
    "thank_you_status",
]


def reviews_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        cells = {k: row[k] for k in CSV_COLUMNS} | {"created_at": row["created_at"].isoformat()}
        writer.writerow({k: cell(v) for k, v in cells.items()})
    return out.getvalue()


@dataclass
class LeadFilter:
    stage: LeadStage | None = None
    label: LeadLabel | None = None
    source: str | None = None
    q: str | None = None
    contact_id: int | None = None
    tag: str | None = None


def _inbound_by_contact(
    session: Session, contact_ids: list[int], per_contact: int = 50
) -> dict[int, list[str]]:
    """Each contact's latest inbound messages (90 days, at most ``per_contact``), for the score."""
    since = utcnow() - timedelta(days=90)
    ranked = (
        select(
            Conversation.contact_id.label("contact_id"),
            Message.body.label("body"),
            func.row_number()
            .over(partition_by=Conversation.contact_id, order_by=col(Message.id).desc())
            .label("n"),
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            col(Conversation.contact_id).in_(contact_ids),
            Message.direction == MessageDirection.INBOUND,
            Message.created_at >= since,
        )
        .subquery()
    )
    found: dict[int, list[str]] = {}
    for contact_id, body in session.exec(
        select(ranked.c.contact_id, ranked.c.body).where(ranked.c.n <= per_contact)
    ).all():
        found.setdefault(contact_id, []).append(body or "")
    return found


def _last_messages(session: Session, contact_ids: list[int]) -> dict[int, tuple[str, str, datetime | None]]:
    """contact -> (channel, last message, when): the newest message the customer saw or sent,
    of any of their conversations. Each conversation's is found from the end of its messages
    (the conversation-and-id index), so a conversation of 30,000 messages costs what one of ten does."""
    shown = sa.orm.aliased(Message, name="shown")
    rows = session.exec(
        select(
            Conversation.contact_id,
            Conversation.channel,
            shown.id,
            shown.body,
            shown.type,
            shown.created_at,
        )
        .select_from(Conversation)
        .join(shown, shown.id == last_shown_id())
        .where(col(Conversation.contact_id).in_(contact_ids))
    ).all()
    found: dict[int, tuple[int, tuple[str, str, datetime | None]]] = {}
    for cid, channel, message_id, body, kind, at in rows:
        if cid not in found or message_id > found[cid][0]:
            found[cid] = (message_id, (channel, body or f"[{kind}]", at))
    return {cid: last for cid, (_, last) in found.items()}


def lead_cards(session: Session, f: LeadFilter, limit: int = 500) -> list[dict[str, Any]]:
    query = select(Contact)
    if f.contact_id:
        query = query.where(Contact.id == f.contact_id)
    if f.stage:
        query = query.where(Contact.lead_stage == f.stage)
    if f.source:
        query = query.where(Contact.source_type == f.source)
    if f.q:
        query = query.where(or_(contains(Contact.name, f.q), contains(Contact.phone_e164, f.q)))
    if f.tag:
        query = query.where(has_tag(session, f.tag))
    contacts = session.exec(query.order_by(col(Contact.updated_at).desc()).limit(limit)).all()
    ids = [c.id for c in contacts]
    inbound, last = _inbound_by_contact(session, ids), _last_messages(session, ids)
    now = utcnow()
    cards = []
    for c in contacts:
        scored = score(c, inbound.get(c.id, []), now)
        channel, message, at = last.get(c.id, ("", "", None))
        cards.append(
            {
                "contact_id": c.id,
                "name": c.name or c.phone_e164 or "Unknown",
                "phone_number": c.phone_e164,
                "channel": str(channel),
                "stage": str(c.lead_stage),
                "label": str(c.lead_label if c.label_by_staff else scored.label),
                "score": scored.value,
                "reasons": scored.reasons,
                "source": str(c.source_type),
                "source_details": c.source_details,
                "last_message": message[:140],
                "last_message_at": at,
            }
        )
    # Scores are computed as shown (messages arrive all the time); the label filter follows them.
    if f.label:
        cards = [c for c in cards if c["label"] == f.label]
    return sorted(cards, key=lambda c: -c["score"])


def _message_line(m: Message) -> str:
    arrow = "←" if m.direction == MessageDirection.INBOUND else "→"
    return f"{arrow} {m.body or '[' + m.type + ']'}"[:500]


def lead_timeline(session: Session, contact_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Activities and messages together, newest first."""
    activities = session.exec(
        select(LeadActivity)
        .where(LeadActivity.contact_id == contact_id)
        .order_by(col(LeadActivity.id).desc())
        .limit(limit)
    ).all()
    messages = session.exec(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.contact_id == contact_id, Message.type != MessageType.NOTE)
        .order_by(col(Message.id).desc())
        .limit(limit)
    ).all()
    items = [
        {
            "id": f"activity-{a.id}",
            "kind": str(a.kind),
            "summary": a.summary,
            "details": a.details,
            "user_id": a.user_id,
            "created_at": a.created_at,
        }
        for a in activities
    ] + [
        {
            "id": f"message-{m.id}",
            "kind": "message",
            "summary": _message_line(m),
            "details": {"direction": str(m.direction), "channel": str(m.channel), "message_id": m.id},
            "user_id": m.sender_id,
            "created_at": m.created_at,
        }
        for m in messages
    ]
    return sorted(items, key=lambda item: item["created_at"], reverse=True)[:limit]
