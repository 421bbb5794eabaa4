"""Leads: stages, labels, a transparent score, and the activity timeline behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from aisha_app.assistant.knowledge import words
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.errors import AppError, NotFound
from aisha_app.models import (
    ActivityKind,
    Contact,
    Conversation,
    LeadActivity,
    LeadLabel,
    LeadStage,
    Message,
    MessageDirection,
    SourceType,
    User,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events

# Words that say a customer means to buy, in English, Swahili and Arabic (normalised, stemmed).
BUYING_WORDS = words(
    "buy order price cost deliver delivery pay payment available stock quote invoice how much "
    "nunua agiza bei lipa tuma "
    "اشتري شراء سعر بكم اطلب طلب توصيل دفع متوفر"
)
SOURCE_POINTS = {SourceType.AD: 15, SourceType.REFERRAL: 10, SourceType.POST: 8, SourceType.COMMENT: 8}
STAGE_POINTS = {
    LeadStage.NEW: 0,
    LeadStage.CONTACTED: 5,
    LeadStage.QUALIFIED: 15,
    LeadStage.CONVERTED: 25,
    LeadStage.WON: 30,
}
HOT, WARM = 70, 40


@dataclass
class Score:
    value: int
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> LeadLabel:
        return (
            LeadLabel.HOT if self.value >= HOT else LeadLabel.WARM if self.value >= WARM else LeadLabel.COLD
        )


def score(contact: Contact, inbound: list[str], now: datetime | None = None) -> Score:
    """0-100 from rules anyone can read on the card: recency, volume, source, intent, stage."""
    if contact.lead_stage == LeadStage.LOST:
        return Score(0, ["lost"])
    now = now or utcnow()
    points, reasons = 0, []
    if contact.last_seen_at is not None:
        age = now - contact.last_seen_at
        for limit, value, text in (
            (timedelta(days=1), 25, "wrote today"),
            (timedelta(days=7), 15, "wrote this week"),
            (timedelta(days=30), 5, "wrote this month"),
        ):
            if age <= limit:
                points += value
                reasons.append(f"+{value} {text}")
                break
    if inbound:
        value = min(20, 2 * len(inbound))
        points += value
        reasons.append(f"+{value} {len(inbound)} message{'s' if len(inbound) != 1 else ''}")
    if (value := SOURCE_POINTS.get(contact.source_type, 0)) > 0:
        points += value
        reasons.append(f"+{value} from {str(contact.source_type)}")
    # The newest message with buying words is enough (and the board scores hundreds of cards).
    buying = next((hit for text in inbound if (hit := words(text) & BUYING_WORDS)), set())
    if buying:
        points += 20
        reasons.append(f"+20 buying words ({', '.join(sorted(buying)[:3])})")
    if (value := STAGE_POINTS.get(contact.lead_stage, 0)) > 0:
        points += value
        reasons.append(f"+{value} {str(contact.lead_stage).lower()}")
    return Score(min(100, points), reasons)


def inbound_texts(session: Session, contact_id: int, limit: int = 50) -> list[str]:
    return [
        body or ""
        for body in session.exec(
            select(Message.body)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.contact_id == contact_id, Message.direction == MessageDirection.INBOUND)
            .order_by(col(Message.id).desc())
            .limit(limit)
        ).all()
    ]


def rescore(session: Session, contact: Contact) -> Score:
    """Store the score (and the threshold label, unless staff chose one); the caller commits."""
    result = score(contact, inbound_texts(session, contact.id))
    contact.lead_score = result.value
    if not contact.label_by_staff:
        contact.lead_label = result.label
    session.add(contact)
    return result


def contact_or_404(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("Contact")
    return contact


def _log(
    session: Session,
    contact: Contact,
    kind: ActivityKind,
    summary: str,
    actor: User | None,
    details: dict[str, Any] | None = None,
) -> LeadActivity:
    activity = LeadActivity(
        contact_id=contact.id,
        kind=kind,
        summary=summary,
        details=details or {},
        user_id=actor.id if actor else None,
    )
    session.add(activity)
    events.publish_on_commit(session, events.LEAD_UPDATED, contact_id=contact.id)
    return activity


def move_lead(session: Session, contact_id: int, stage: LeadStage | str, actor: User | None) -> Contact:
    contact = contact_or_404(session, contact_id)
    try:
        stage = LeadStage(str(stage).upper())
    except ValueError as exc:
        raise AppError(
            "invalid_stage", f"Stage must be one of {', '.join(s.value for s in LeadStage)}."
        ) from exc
    if contact.lead_stage == stage:
        return contact
    previous = str(contact.lead_stage)
    contact.lead_stage, contact.updated_at = stage, utcnow()
    rescore(session, contact)
    _log(
        session,
        contact,
        ActivityKind.STAGE_CHANGE,
        f"{previous} → {stage}",
        actor,
        change := {"from": previous, "to": str(stage)},
    )
    session.flush()
    emit(session, [TriggerEvent.occurrence(Event.LEAD_STAGE_CHANGED, contact_id=contact.id, data=change)])
    return contact


def parse_label(label: LeadLabel | str | None) -> LeadLabel | None:
    try:
        return LeadLabel(str(label).upper()) if label else None
    except ValueError as exc:
        raise AppError("invalid_label", "Label must be HOT, WARM or COLD (or empty).") from exc


def apply_label(session: Session, contact: Contact, label: LeadLabel | None, actor: User | None) -> None:
    """Staff choose the label, and it sticks; None hands it back to the score. Logged; not committed."""
    previous = str(contact.lead_label) if contact.lead_label else "none"
    contact.label_by_staff, contact.updated_at = label is not None, utcnow()
    if label is None:
        rescore(session, contact)
    else:
        contact.lead_label = label
    session.add(contact)
    _log(
        session,
        contact,
        ActivityKind.LABEL_CHANGE,
        f"label {previous} → {str(contact.lead_label) if contact.lead_label else 'none'}",
        actor,
        {"from": previous, "to": label.value if label else None},
    )


def set_label(
    session: Session, contact_id: int, label: LeadLabel | str | None, actor: User | None
) -> Contact:
    """A staff member's label sticks; None hands the label back to the score thresholds."""
    contact = contact_or_404(session, contact_id)
    apply_label(session, contact, parse_label(label), actor)
    session.flush()
    return contact


STAFF_KINDS = {
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.MEETING,
    ActivityKind.NOTE,
    ActivityKind.MESSAGE,
}


def add_activity(
    session: Session,
    contact_id: int,
    kind: ActivityKind | str,
    summary: str,
    actor: User | None,
    details: dict[str, Any] | None = None,
) -> LeadActivity:
    contact = contact_or_404(session, contact_id)
    try:
        kind = ActivityKind(str(kind).lower())
    except ValueError:
        kind = None
    if kind not in STAFF_KINDS:
        raise AppError(
            "invalid_activity", f"Kind must be one of {', '.join(sorted(k.value for k in STAFF_KINDS))}."
        )
    summary = (summary or "").strip()
    if not 1 <= len(summary) <= 2000:
        raise AppError("invalid_activity", "Describe the activity in 1 to 2,000 characters.")
    activity = _log(session, contact, kind, summary, actor, details)
    contact.updated_at = utcnow()
    session.add(contact)
    session.flush()
    return activity


def log_automation(session: Session, contact: Contact, summary: str, details: dict[str, Any]) -> LeadActivity:
    """An automation acted for this customer: it shows on their timeline."""
    activity = _log(session, contact, ActivityKind.AUTOMATION, summary[:2000], None, details)
    session.flush()
    return activity


def timeline(session: Session, contact_id: int, limit: int = 200) -> list[LeadActivity]:
    """Logged activities and the customer's messages, newest first."""
    contact_or_404(session, contact_id)
    return list(
        session.exec(
            select(LeadActivity)
            .where(LeadActivity.contact_id == contact_id)
            .order_by(col(LeadActivity.created_at).desc(), col(LeadActivity.id).desc())
            .limit(limit)
        ).all()
    )


def message_count(session: Session, contact_id: int) -> int:
    return session.exec(
        select(func.count(Message.id))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.contact_id == contact_id)
    ).one()
