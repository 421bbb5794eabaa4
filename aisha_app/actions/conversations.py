"""Staff working a conversation: assign, change status, label, switch the assistant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

from aisha_app.actions import labels as labels_module
from aisha_app.actions.audit import audit
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.errors import AppError, NotFound
from aisha_app.models import (
    Conversation,
    ConversationRead,
    ConversationStatus,
    ConversationUpdate,
    Message,
    User,
)
from aisha_app.models.base import utcnow
from aisha_app.realtime import events

MAX_LABELS = 20


def update_conversation(
    session: Session, conversation_id: int, change: ConversationUpdate, actor: User
) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("Conversation")
    now = utcnow()
    triggered: list[tuple[Event, dict]] = []
    if change.assignee_id is not None:
        assignee = session.get(User, change.assignee_id)
        if assignee is None or not assignee.is_active:
            raise AppError("unknown_assignee", "Assign the conversation to an active staff member.", 400)
        conversation.assignee_id = assignee.id
    if change.unassign:
        conversation.assignee_id = None
    if change.labels is not None:
        labels = sorted({label.strip()[:40] for label in change.labels if label.strip()})
        if len(labels) > MAX_LABELS:
            raise AppError("too_many_labels", f"At most {MAX_LABELS} labels per conversation.", 400)
        triggered += [
            (Event.LABEL_ADDED, {"name": n}) for n in labels if n not in (conversation.labels or [])
        ]
        labels_module.keep(session, [n for n in labels if n not in (conversation.labels or [])])
        conversation.labels = labels
    if change.ai_enabled is not None and change.ai_enabled != conversation.ai_enabled:
        conversation.ai_enabled = change.ai_enabled
        conversation.handed_off_at = None if change.ai_enabled else now
        conversation.handoff_reason = None  # staff decided: no assistant's reason applies
        audit(
            session,
            actor,
            "conversation.ai_enabled" if change.ai_enabled else "conversation.handed_off",
            conversation,
        )
    if change.status is not None and change.status != conversation.status:
        if change.status == ConversationStatus.RESOLVED:
            triggered.append((Event.CONVERSATION_RESOLVED, {}))
        elif conversation.status == ConversationStatus.RESOLVED and change.status == ConversationStatus.OPEN:
            triggered.append((Event.CONVERSATION_OPENED, {}))
        conversation.status = change.status
        if change.status == ConversationStatus.RESOLVED:
            # The next customer message starts afresh, with the assistant answering again.
            conversation.ai_enabled, conversation.handed_off_at = True, None
            conversation.handoff_reason = None
    conversation.updated_at = now
    session.add(conversation)
    events.publish_on_commit(session, events.CONVERSATION_UPDATED, conversation_id=conversation.id)
    session.flush()
    subject = {"contact_id": conversation.contact_id, "conversation_id": conversation.id}
    emit(session, [TriggerEvent.occurrence(event, **subject, data=data) for event, data in triggered])
    return conversation


def read_all(session: Session, conversation_id: int, user: User) -> None:
    """``user`` has read the whole conversation, up to its newest message."""
    if session.get(Conversation, conversation_id) is None:
        raise NotFound("Conversation")
    newest = session.exec(
        select(func.max(Message.created_at)).where(Message.conversation_id == conversation_id)
    ).one()
    if newest is not None:
        mark_read(session, conversation_id, user.id, newest)


def mark_read(session: Session, conversation_id: int, user_id: int, through: datetime) -> None:
    """``user_id`` has seen the conversation's messages up to ``through`` (never moves back).

    One statement (an upsert): two tabs of the same agent may mark the same conversation at once.
    Only a mark that moved is published, so the tabs it refreshes do not mark (and publish) again.
    """
    table = ConversationRead.__table__
    insert = (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)
    row = insert.values(conversation_id=conversation_id, user_id=user_id, read_at=through)
    result = session.execute(
        row.on_conflict_do_update(
            index_elements=[table.c.conversation_id, table.c.user_id],
            set_={"read_at": insert.excluded.read_at},
            where=table.c.read_at < insert.excluded.read_at,
        ).returning(table.c.user_id)  # a row only if it moved (psycopg's rowcount here is -1)
    )
    if result.first() is not None:
        events.publish_on_commit(
            session, events.CONVERSATION_READ, conversation_id=conversation_id, user_id=user_id
        )
