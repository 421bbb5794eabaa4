"""When an idle rule fires: a conversation where nobody answered the customer for ``minutes``
(``waiting_for: staff``), or where the customer has not answered us (``waiting_for: customer``).

"Us" is staff or the assistant: an automation's own message neither answers the customer nor
starts a new wait for them, so a "still there?" rule does not ask again and again. A customer
waits from their first message after our last reply (writing "hello?" again does not restart the
clock). Every time is when we stored the message, on both sides, so a provider's late webhook
does not hide a stretch. Each quiet stretch fires once: its key is the conversation and the
moment it began, and a stretch that already has a run for the rule is not queued again.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.clock import shop_zone
from aisha_app.config import get_settings
from aisha_app.models import (
    Automation,
    AutomationRun,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    MessageType,
)

WAITING = (ConversationStatus.OPEN, ConversationStatus.PENDING)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def next_look(session: Session, trigger: dict, after: datetime) -> datetime:
    """Every minute: a wait of any length is seen within a minute of its end."""
    return after.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _stretches(trigger: dict, low: datetime, high: datetime) -> sa.Select:
    """(conversation, the moment its quiet stretch began) for stretches that began in (low, high]."""
    ours = (
        select(func.max(Message.created_at))
        .where(
            Message.conversation_id == Conversation.id,
            Message.direction == MessageDirection.OUTBOUND,
            Message.type != MessageType.NOTE,
            Message.meta["automation_id"].as_integer().is_(None),
        )
        .correlate(Conversation)
        .scalar_subquery()
    )
    inbound = select(Message.created_at).where(
        Message.conversation_id == Conversation.id, Message.direction == MessageDirection.INBOUND
    )
    if trigger["waiting_for"] == "staff":  # their first message since our last reply
        began = (
            inbound.with_only_columns(func.min(Message.created_at))
            .where(Message.created_at > func.coalesce(ours, EPOCH))
            .correlate(Conversation)
            .scalar_subquery()
        )
    else:  # our last reply, if nothing of theirs came after it
        theirs = (
            inbound.with_only_columns(func.max(Message.created_at)).correlate(Conversation).scalar_subquery()
        )
        began = sa.case((func.coalesce(theirs, EPOCH) < ours, ours), else_=None)
    return select(Conversation, began.label("began")).where(
        col(Conversation.status).in_(WAITING),
        col(Conversation.last_message_at) > low,  # a stretch cannot begin after the last message
        began > low,
        began <= high,
    )


def _pick(
    session: Session, rule: Automation, low: datetime, high: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    """The stretches that began in (low, high] and have no run of this rule yet."""
    trigger = rule.trigger_config
    wait = timedelta(minutes=trigger["minutes"])
    events = [
        TriggerEvent(
            event=Event.IDLE,
            key=f"idle:{conversation.id}:{began.isoformat()}",
            contact_id=conversation.contact_id,
            conversation_id=conversation.id,
            data={"waiting_for": trigger["waiting_for"], "since": began.isoformat()},
        )
        for conversation, began in session.exec(_stretches(trigger, low, high)).all()
    ]
    done = set(
        session.exec(
            select(AutomationRun.event_key).where(
                AutomationRun.automation_id == rule.id,
                col(AutomationRun.event_key).in_([e.key for e in events]),
            )
        ).all()
        if events
        else []
    )
    return [(e, datetime.fromisoformat(e.data["since"]) + wait) for e in events if e.key not in done]


def due(
    session: Session, rule: Automation, since: datetime, now: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    """Stretches that have lasted ``minutes``, up to AUTOMATION_LATE_HOURS longer (the sweep says
    those are too late), with no run of this rule yet. ``since`` is not needed: what ran has a
    run, so an edited ``minutes`` or a message stored late leaves nothing out."""
    wait = timedelta(minutes=rule.trigger_config["minutes"])
    late = timedelta(hours=get_settings().automation_late_hours, minutes=1)
    return _pick(session, rule, now - wait - late, now - wait)


def today(session: Session, rule: Automation, now: datetime) -> list[tuple[TriggerEvent, datetime]]:
    """The stretches that reached ``minutes`` since the shop's midnight (run now)."""
    zone = shop_zone(session)
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone).astimezone(UTC)
    wait = timedelta(minutes=rule.trigger_config["minutes"])
    return _pick(session, rule, midnight - wait, now - wait)
