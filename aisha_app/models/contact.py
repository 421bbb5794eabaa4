from __future__ import annotations

import calendar
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import StringConstraints, ValidationInfo, field_validator
from sqlmodel import Field, SQLModel

from aisha_app.models.base import created_at_field, json_field, timestamp_field


class LeadStage(StrEnum):
    NEW = "NEW"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    CONVERTED = "CONVERTED"
    WON = "WON"
    LOST = "LOST"


class LeadLabel(StrEnum):
    HOT = "HOT"
    WARM = "WARM"
    COLD = "COLD"


class SourceType(StrEnum):
    AD = "ad"
    POST = "post"
    COMMENT = "comment"
    REFERRAL = "referral"
    DIRECT = "direct"


class ContactBase(SQLModel):
    name: str | None = Field(default=None, max_length=200)
    phone_e164: str | None = Field(default=None, max_length=20, sa_column_kwargs={"unique": True})
    email: str | None = Field(default=None, max_length=255)
    language: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    # A birthday may lack its year; month and day are enough for greetings.
    birthday_month: int | None = Field(default=None, ge=1, le=12)
    birthday_day: int | None = Field(default=None, ge=1, le=31)
    birthday_year: int | None = Field(default=None, ge=1900, le=2100)
    lead_stage: LeadStage = Field(default=LeadStage.NEW, sa_type=sa.String(16), index=True)
    lead_label: LeadLabel | None = Field(default=None, sa_type=sa.String(8))
    lead_score: int = Field(default=0, ge=0, le=100)
    source_type: SourceType = Field(default=SourceType.DIRECT, sa_type=sa.String(16))
    opted_out: bool = False
    # What the team knows of the customer (their sizes, "prefers calls after 5 pm"): staff only.
    notes: str | None = Field(default=None, sa_type=sa.Text)


class Contact(ContactBase, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        sa.CheckConstraint("lead_score BETWEEN 0 AND 100", name="lead_score"),
        # A birthday rule's look: the few (month, day) pairs it can greet, not every contact.
        sa.Index("ix_contacts_birthday", "birthday_month", "birthday_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    whatsapp_id: str | None = Field(default=None, max_length=32, sa_column_kwargs={"unique": True})
    messenger_psid: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    tags: list[str] = json_field(list)
    # The business's own data about the customer; staff edit it freely, so Aisha keeps no flag here.
    attributes: dict[str, Any] = json_field(dict)
    # Staff chose lead_label: the score's thresholds no longer relabel the lead.
    label_by_staff: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Provider ids behind the attribution: ad id, post id, ref, headline, ctwa click id.
    source_details: dict[str, Any] = json_field(dict)
    opted_out_at: datetime | None = timestamp_field()
    last_seen_at: datetime | None = timestamp_field()
    # Deleted by an admin: what identified the customer is erased, the history stays readable.
    deleted_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field(index=True)  # the leads board: most recent first


def shown_name(contact: Any) -> str:
    """How staff see a contact (a row or a summary of one) in lists and headers."""
    if contact.deleted_at is not None:
        return "Deleted contact"
    return contact.name or contact.phone_e164 or "Customer"


class ContactPublic(ContactBase):
    id: int
    whatsapp_id: str | None
    messenger_psid: str | None
    tags: list[str]
    attributes: dict[str, Any]
    source_details: dict[str, Any]
    label_by_staff: bool
    last_seen_at: datetime | None
    deleted_at: datetime | None
    created_at: datetime


AttributeKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MAX_ATTRIBUTES = 100
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def birthday_problem(month: int | None, day: int | None, year: int | None) -> str | None:
    """Why this birthday cannot be, or None. Month and day go together; the year is optional,
    and 29 February without a year is a birthday (greeted on 28 February in other years)."""
    if month is None and day is None:
        return "a birthday year needs its month and day" if year is not None else None
    if month is None or day is None:
        return "a birthday needs both its month and its day"
    leap = year is None or calendar.isleap(year)
    longest = 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]
    if day > longest:
        return f"{calendar.month_name[month]} has {longest} days" + (
            f" in {year}" if month == 2 and year else ""
        )
    return None


def known_zone(value: str | None) -> str | None:
    """A time zone's name as zoneinfo knows it (Africa/Nairobi), or a ValueError saying so."""
    if value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; write one such as Africa/Nairobi") from exc
    return value


class ContactCreate(SQLModel):
    """A contact added by staff or the API: the phone in any format people write it."""

    name: str = Field(min_length=1, max_length=200)
    phone_number: str = Field(min_length=3, max_length=40)
    email: str | None = Field(default=None, max_length=255)
    language: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=50
    )
    attributes: dict[AttributeKey, Any] = Field(default_factory=dict, max_length=MAX_ATTRIBUTES)
    birthday_month: int | None = Field(default=None, ge=1, le=12)
    birthday_day: int | None = Field(default=None, ge=1, le=31)
    birthday_year: int | None = Field(default=None, ge=1900, le=2100, schema_extra={"validate_default": True})

    @field_validator("birthday_year")
    @classmethod
    def _birthday(cls, year: int | None, info: ValidationInfo) -> int | None:
        if "birthday_month" not in info.data or "birthday_day" not in info.data:
            return year  # already refused on its own
        problem = birthday_problem(info.data["birthday_month"], info.data["birthday_day"], year)
        if problem:
            raise ValueError(problem)
        return year

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return known_zone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL.match(value.strip()):
            raise ValueError(f"{value!r} is not an email address")
        return value.strip() if value else None


class ContactUpdate(SQLModel):
    """A partial edit: only the fields sent change, and null empties a field that may be empty.

    ``tags``, ``attributes`` and ``opted_out`` cannot be empty, so null for them is a 422 (their
    defaults below are never applied: only the fields sent are). ``attributes`` merge key by key:
    a key set to null is removed. ``lead_label`` is the staff's choice; null hands it back to the score.
    """

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=255)
    language: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    birthday_month: int | None = Field(default=None, ge=1, le=12)
    birthday_day: int | None = Field(default=None, ge=1, le=31)
    birthday_year: int | None = Field(default=None, ge=1900, le=2100)
    notes: str | None = Field(default=None, max_length=4000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    attributes: dict[AttributeKey, Any] = Field(default_factory=dict, max_length=MAX_ATTRIBUTES)
    lead_label: LeadLabel | None = None
    opted_out: bool = False

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return known_zone(value)


class Segment(SQLModel, table=True):
    """A saved filter of contacts (``aisha_app.queries.segments``): counted live, used by
    automations and broadcasts."""

    __tablename__ = "segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    filters: dict[str, Any] = json_field(dict)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class AttributeKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"  # YYYY-MM-DD
    YES_NO = "yes_no"
    CHOICE = "choice"  # one of ``choices``


class AttributeDefinition(SQLModel, table=True):
    """What a custom attribute holds: contacts' values for ``key`` are checked against it."""

    __tablename__ = "attribute_definitions"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    label: str = Field(max_length=80)
    kind: AttributeKind = Field(sa_type=sa.String(16))
    choices: list[str] = json_field(list)
    created_at: datetime = created_at_field()
