"""Live-update events, published only once the transaction that caused them has committed.

Actions call ``publish_on_commit(session, kind, ...)``; subscribers (the live inbox, and
later automations) hear the event after COMMIT, never for work that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

log = logging.getLogger("aisha.events")

MESSAGE_CREATED = "message.created"
MESSAGE_STATUS = "message.status"
MESSAGE_UPDATED = "message.updated"
CONVERSATION_UPDATED = "conversation.updated"
CONVERSATION_READ = "conversation.read"  # one staff member's unread count changed: their tabs only
CONTACT_UPDATED = "contact.updated"
WAITING_LIST_UPDATED = "waiting_list.updated"
REVIEW_CREATED = "review.created"
LEAD_UPDATED = "lead.updated"


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(fn: Subscriber) -> Callable[[], None]:
    """Hear every committed event; returns the function that unsubscribes."""
    _subscribers.append(fn)
    return lambda: _subscribers.remove(fn) if fn in _subscribers else None


def publish_on_commit(session: Session, kind: str, **data: Any) -> None:
    session.connection()  # joins (or begins) the transaction, so its rollback discards the event
    session.info.setdefault("pending_events", []).append(Event(kind, data))


def concerning(batch: list[Event], user_id: int) -> list[Event]:
    """The events a staff member's tab shows: all but other people's reading."""
    return [e for e in batch if e.kind != CONVERSATION_READ or e.data.get("user_id") == user_id]


def conversation_ids(batch: list[Event]) -> set[int]:
    """The conversations these events name."""
    return {e.data["conversation_id"] for e in batch if "conversation_id" in e.data}


def deliver(event: Event) -> None:
    """Hand one event to every subscriber of this process."""
    for fn in list(_subscribers):
        try:
            fn(event)
        except Exception:  # a broken listener must not undo or block the write
            log.exception("event subscriber failed for %s", event.kind)


@sa.event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    if session.in_nested_transaction():
        return  # SQLAlchemy says "commit" when a savepoint is released too: not committed yet
    for event in session.info.pop("pending_events", []):
        deliver(event)


@sa.event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous_transaction) -> None:
    # A savepoint rolling back (a duplicate caught inside a larger write) keeps the rest.
    if not previous_transaction.nested:
        session.info.pop("pending_events", None)
