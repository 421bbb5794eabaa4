from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from aisha_app.models.base import UTCDateTime, created_at_field, json_field, timestamp_field
from aisha_app.models.numbers import IdNumber


class Channel(StrEnum):
    TWILIO_WHATSAPP = "twilio_whatsapp"
    WHATSAPP_CLOUD = "whatsapp_cloud"
    MESSENGER = "messenger"
    SIMULATOR = "simulator"


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.Index("ix_conversations_status_last_message", "status", "last_message_at"),
        sa.Index("ix_conversations_assignee_status", "assignee_id", "status"),
        # One conversation per person and channel: it is reopened, never duplicated.
        sa.UniqueConstraint("contact_id", "channel", name="uq_conversations_contact_channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    channel: Channel = Field(sa_type=sa.String(24))
    status: ConversationStatus = Field(default=ConversationStatus.OPEN, sa_type=sa.String(16))
    assignee_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # False once a person has taken over; the assistant stays quiet until resolved.
    ai_enabled: bool = True
    handed_off_at: datetime | None = timestamp_field()
    # Why the assistant handed over (its words, or the journey's): shown to staff with the thread.
    handoff_reason: str | None = Field(default=None, max_length=500)
    labels: list[str] = json_field(list)
    # Opens the provider's 24-hour customer-service window.
    last_inbound_at: datetime | None = timestamp_field()
    last_message_at: datetime | None = timestamp_field()
    snoozed_until: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ConversationRead(SQLModel, table=True):
    """How far one staff member has read a conversation: its messages after ``read_at`` are unread."""

    __tablename__ = "conversation_reads"

    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE", primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    # The newest message's created_at when the thread was last on their screen.
    read_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    LOCATION = "location"
    INTERACTIVE = "interactive"
    REACTION = "reaction"
    TEMPLATE = "template"
    NOTE = "note"


class MessageStatus(StrEnum):
    RECEIVED = "received"  # inbound
    PENDING = "pending"
    # The provider may have it: the send's answer never came. It waits for a status webhook.
    UNKNOWN = "unknown"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        # A provider's retry of the same webhook must not store the message twice.
        sa.UniqueConstraint("channel", "provider_message_id", name="uq_messages_provider_id"),
        # A conversation's customer messages since a time (unread counts, lead scores, bursts),
        # counted from the index alone.
        sa.Index("ix_messages_conversation_direction_created", "conversation_id", "direction", "created_at"),
        # A thread's pages, and its last shown message, by id (its rows lie among everyone's).
        sa.Index("ix_messages_conversation_id", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    channel: Channel = Field(sa_type=sa.String(24))
    direction: MessageDirection = Field(sa_type=sa.String(8))
    type: MessageType = Field(default=MessageType.TEXT, sa_type=sa.String(16))
    body: str | None = Field(default=None, sa_type=sa.Text)
    media_url: str | None = Field(default=None, sa_type=sa.Text)
    media_content_type: str | None = Field(default=None, max_length=128)
    provider_message_id: str | None = Field(default=None, max_length=128)
    status: MessageStatus = Field(default=MessageStatus.PENDING, sa_type=sa.String(16))
    error_code: str | None = Field(default=None, max_length=32)
    error_text: str | None = Field(default=None, sa_type=sa.Text)
    sender_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    from_assistant: bool = False
    meta: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()
    delivered_at: datetime | None = timestamp_field()
    read_at: datetime | None = timestamp_field()
    failed_at: datetime | None = timestamp_field()


class MessagePublic(SQLModel):
    id: int
    conversation_id: int
    channel: str
    direction: str
    type: str
    body: str | None
    media_url: str | None
    media_content_type: str | None
    status: str
    error_code: str | None
    error_text: str | None
    sender_id: int | None
    from_assistant: bool
    meta: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None


class ContactSummary(SQLModel):
    id: int
    name: str | None
    phone_e164: str | None
    messenger_psid: str | None
    language: str | None
    deleted_at: datetime | None = None


class ConversationPublic(SQLModel):
    id: int
    channel: str
    status: str
    assignee_id: int | None
    ai_enabled: bool
    labels: list[str]
    last_inbound_at: datetime | None
    last_message_at: datetime | None
    window_open: bool
    contact: ContactSummary
    last_message: str | None = None
    # Since when the customer has waited for a person (a pending conversation), and why.
    waiting_since: datetime | None = None
    handoff_reason: str | None = None
    # Customer messages the caller has not read (counted up to 100).
    unread: int = 0


class ConversationUpdate(SQLModel):
    status: ConversationStatus | None = None
    assignee_id: IdNumber | None = None
    unassign: bool = False
    labels: list[str] | None = None
    ai_enabled: bool | None = None


LABEL_COLOURS = ("gray", "red", "orange", "amber", "green", "teal", "blue", "purple", "pink")


class Label(SQLModel, table=True):
    """A conversation label the team keeps: a name, a colour. Conversations hold the names."""

    __tablename__ = "labels"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    colour: str = Field(default="gray", max_length=16)
    created_at: datetime = created_at_field()
