"""Segments: saved filters of contacts, as SQL. Counted live; "reachable" leaves out whoever
opted out of messages (they never count as reachable) and deleted contacts (never counted)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, func, select

from aisha_app.models import Channel, Contact, Conversation, LeadLabel, LeadStage, Segment
from aisha_app.models.base import utcnow
from aisha_app.queries.inbox import has_tag

Tag = Annotated[str, Field(min_length=1, max_length=40)]


class SegmentFilters(BaseModel):
    """Every filter given must hold (none: every contact)."""

    model_config = ConfigDict(extra="forbid")
    tags_all: list[Tag] = Field(default_factory=list, max_length=20, description="has every one")
    tags_any: list[Tag] = Field(default_factory=list, max_length=20, description="has at least one")
    tags_none: list[Tag] = Field(default_factory=list, max_length=20, description="has none of them")
    stage: LeadStage | None = None
    label: LeadLabel | None = None
    language: str | None = Field(default=None, max_length=16)
    channel: Channel | None = Field(default=None, description="has a conversation on it")
    seen_within_days: int | None = Field(default=None, ge=1, le=3650, description="wrote in the last N days")
    not_seen_for_days: int | None = Field(default=None, ge=1, le=3650, description="silent for N days")
    birthday_month: int | None = Field(default=None, ge=1, le=12)
    attributes: dict[Annotated[str, Field(min_length=1, max_length=64)], str] = Field(
        default_factory=dict, max_length=10, description="each attribute equals its value (as text)"
    )


def where(session: Session, f: SegmentFilters) -> list:
    """The SQL of the filters (deleted contacts never match)."""
    clauses: list = [col(Contact.deleted_at).is_(None)]
    clauses += [has_tag(session, t) for t in f.tags_all]
    if f.tags_any:
        clauses.append(sa.or_(*[has_tag(session, t) for t in f.tags_any]))
    clauses += [sa.not_(has_tag(session, t)) for t in f.tags_none]
    if f.stage:
        clauses.append(Contact.lead_stage == f.stage)
    if f.label:
        clauses.append(Contact.lead_label == f.label)
    if f.language:
        clauses.append(func.lower(Contact.language) == f.language.lower())
    if f.channel:
        clauses.append(
            sa.exists(
                select(Conversation.id).where(
                    Conversation.contact_id == Contact.id, Conversation.channel == f.channel
                )
            )
        )
    now = utcnow()
    if f.seen_within_days:
        clauses.append(col(Contact.last_seen_at) >= now - timedelta(days=f.seen_within_days))
    if f.not_seen_for_days:
        cutoff = now - timedelta(days=f.not_seen_for_days)
        clauses.append(sa.or_(col(Contact.last_seen_at).is_(None), col(Contact.last_seen_at) < cutoff))
    if f.birthday_month:
        clauses.append(Contact.birthday_month == f.birthday_month)
    attributes = Contact.__table__.c.attributes
    for key, value in f.attributes.items():
        clauses.append(sa.cast(attributes[key].as_string(), sa.String) == value)
    return clauses


def count(session: Session, f: SegmentFilters) -> tuple[int, int]:
    """(contacts, reachable ones): the reachable have not opted out of messages."""
    clauses = where(session, f)
    total, reachable = session.execute(
        sa.select(
            func.count(Contact.id), func.coalesce(func.sum(sa.case((Contact.opted_out, 0), else_=1)), 0)
        ).where(*clauses)
    ).one()
    return int(total), int(reachable)


def members(session: Session, f: SegmentFilters, *, reachable: bool = True) -> sa.Select:
    """The contacts' ids, as a subquery (for automations and broadcasts)."""
    clauses = where(session, f)
    if reachable:
        clauses.append(sa.not_(Contact.opted_out))
    return select(Contact.id).where(*clauses)


def segments_of(session: Session, contact_id: int) -> list[str]:
    """The names of the segments the contact is in now (reachable or not)."""
    names = []
    for segment in session.exec(select(Segment).order_by(Segment.name)):
        filters = SegmentFilters.model_validate(segment.filters)
        if session.exec(members(session, filters, reachable=False).where(Contact.id == contact_id)).first():
            names.append(segment.name)
    return names
