"""Lead activities, waiting lists and reviews: what happens to a customer over time."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from aisha_app.models.base import created_at_field, json_field, timestamp_field


class ActivityKind(StrEnum):
    MESSAGE = "message"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"
    STAGE_CHANGE = "stage_change"
    LABEL_CHANGE = "label_change"
    AUTOMATION = "automation"


class LeadActivity(SQLModel, table=True):
    __tablename__ = "lead_activities"
    __table_args__ = (sa.Index("ix_lead_activities_contact_created", "contact_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    kind: ActivityKind = Field(sa_type=sa.String(16))
    summary: str = Field(sa_type=sa.Text)
    details: dict[str, Any] = json_field(dict)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


def list_name_key(name: str) -> str:
    """What two list names that differ only in case (any letters: Öff, öff; STRASSE, straße) share."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name.strip()).casefold())


class WaitingList(SQLModel, table=True):
    __tablename__ = "waiting_lists"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    # list_name_key(name), kept by the ORM on every write; unique, so the database itself refuses
    # a second "öff" however two requests race (SQLite's lower() knows ASCII letters only).
    # Casefolding can lengthen a name (ß -> ss): room for three times the name.
    name_key: str = Field(default="", max_length=400, sa_column_kwargs={"unique": True})
    description: str | None = Field(default=None, sa_type=sa.Text)
    is_active: bool = True
    # Secret for the read-only shop-screen view; admins rotate it.
    display_token: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    settings: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()


@sa.event.listens_for(WaitingList, "before_insert")
@sa.event.listens_for(WaitingList, "before_update")
def _keep_name_key(_mapper: object, _connection: object, waiting_list: WaitingList) -> None:
    waiting_list.name_key = list_name_key(waiting_list.name)


class WaitingStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVED = "served"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class WaitingListEntry(SQLModel, table=True):
    __tablename__ = "waiting_list_entries"
    __table_args__ = (
        sa.Index("ix_waiting_entries_list_status_position", "waiting_list_id", "status", "position"),
        # A customer holds one place per list while waiting or called.
        sa.Index(
            "uq_waiting_entries_active_contact",
            "waiting_list_id",
            "contact_id",
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'called')"),
            postgresql_where=sa.text("status IN ('waiting', 'called')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    waiting_list_id: int = Field(foreign_key="waiting_lists.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    party_note: str | None = Field(default=None, max_length=200)
    position: int
    status: WaitingStatus = Field(default=WaitingStatus.WAITING, sa_type=sa.String(16))
    joined_at: datetime = created_at_field()
    called_at: datetime | None = timestamp_field()
    served_at: datetime | None = timestamp_field()
    cancelled_at: datetime | None = timestamp_field()


class Review(SQLModel, table=True):
    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        sa.Index("ix_reviews_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", ondelete="SET NULL")
    product_id: int | None = Field(default=None, foreign_key="products.id", ondelete="SET NULL")
    product_name: str | None = Field(default=None, max_length=200)
    customer_name: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, sa_type=sa.Text)
    rating: int = Field(ge=1, le=5, index=True)
    thank_you_message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class ReviewStep(StrEnum):
    PRODUCT = "product"
    NAME = "name"
    TEXT = "text"
    RATING = "rating"


class ReviewSessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ReviewSession(SQLModel, table=True):
    """A review being collected, one question at a time; it survives a restart."""

    __tablename__ = "review_sessions"
    __table_args__ = (sa.Index("ix_review_sessions_conversation_status", "conversation_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    step: ReviewStep = Field(default=ReviewStep.PRODUCT, sa_type=sa.String(16))
    status: ReviewSessionStatus = Field(default=ReviewSessionStatus.ACTIVE, sa_type=sa.String(16))
    # Answers so far: product_id, product_name, customer_name, text.
    answers: dict[str, Any] = json_field(dict)
    started_by: str = Field(default="customer", max_length=16)  # customer, assistant, staff, waiting_list
    review_id: int | None = Field(default=None, foreign_key="reviews.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    expires_at: datetime = created_at_field()
