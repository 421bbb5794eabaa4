"""When an idle rule fires: a conversation where nobody answered the customer for ``minutes``
(``waiting_for: staff``), or where the customer has not answered us (``waiting_for: customer``).

"Us" is staff or the assistant: an automation's own message neither answers the customer nor
starts a new wait for them, so a "still there?" rule does not ask again and again. Each quiet
stretch fires once (its key is the conversation and the message it waits after).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, col, func, select

from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent
from aisha_app.clock import shop_zone
from aisha_app.models import Conversation, ConversationStatus, Message, MessageDirection, MessageType

WAITING = (ConversationStatus.OPEN, ConversationStatus.PENDING)


def next_look(trigger: dict, after: datetime) -> datetime:
    """Every minute: a wait of any length is seen within a minute of its end."""
    return after.replace(second=0, microsecond=0) + timedelta(minutes=1)


def due(
    session: Session, trigger: dict, since: datetime, now: datetime
) -> list[tuple[TriggerEvent, datetime]]:
    """The quiet stretches that reached ``minutes`` in (since, now], each with that moment."""
    wait = timedelta(minutes=trigger["minutes"])
    low, high = since - wait, now - wait  # the stretch began in (low, high]
    our_last = (
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
    found = session.exec(
        select(Conversation, our_last).where(
            col(Conversation.status).in_(WAITING),
            col(Conversation.last_message_at) > low,  # nothing since then: not quiet that long
        )
    ).all()
    out = []
    for conversation, ours in found:
        theirs = conversation.last_inbound_at
        if trigger["waiting_for"] == "staff":
            began = theirs if theirs and (ours is None or ours < theirs) else None
        else:
            began = ours if ours and (theirs is None or theirs < ours) else None
        if began is not None and low < began <= high:
            event = TriggerEvent(
                event=Event.IDLE,
                key=f"idle:{conversation.id}:{began.isoformat()}",
                contact_id=conversation.contact_id,
                conversation_id=conversation.id,
                data={"waiting_for": trigger["waiting_for"], "since": began.isoformat()},
            )
            out.append((event, began + wait))
    return out


def today(session: Session, trigger: dict, now: datetime) -> list[tuple[TriggerEvent, datetime]]:
    """The stretches that reached ``minutes`` since the shop's midnight (run now)."""
    zone = shop_zone(session)
    midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return due(session, trigger, midnight.astimezone(now.tzinfo), now)
