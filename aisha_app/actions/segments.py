"""Admins keep the segments (saved filters of contacts); every change is audited."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from aisha_app.actions.audit import audit
from aisha_app.errors import Conflict, Forbidden, NotFound
from aisha_app.models import Role, Segment, User
from aisha_app.models.base import utcnow
from aisha_app.queries.segments import SegmentFilters


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    filters: SegmentFilters = Field(default_factory=SegmentFilters)


class SegmentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=80)
    filters: SegmentFilters | None = None


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins create and change segments.")


def _named(session: Session, segment: Segment) -> None:
    try:
        with session.begin_nested():
            session.add(segment)
    except IntegrityError:
        raise Conflict(f"A segment is called {segment.name!r} already.") from None


def create_segment(session: Session, body: SegmentIn, actor: User) -> Segment:
    _admin(actor)
    segment = Segment(
        name=body.name.strip(), filters=body.filters.model_dump(mode="json"), created_by_id=actor.id
    )
    _named(session, segment)
    audit(session, actor, "segment.created", segment, name=segment.name)
    session.flush()
    return segment


def change_segment(session: Session, segment_id: int, body: SegmentPatch, actor: User) -> Segment:
    _admin(actor)
    segment = segment_or_404(session, segment_id)
    data: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if "name" in data:
        segment.name = data["name"].strip()
    if "filters" in data:
        segment.filters = data["filters"]
    segment.updated_at = utcnow()
    _named(session, segment)
    audit(session, actor, "segment.changed", segment, fields=sorted(data))
    session.flush()
    return segment


def delete_segment(session: Session, segment_id: int, actor: User) -> None:
    _admin(actor)
    segment = segment_or_404(session, segment_id)
    audit(session, actor, "segment.deleted", segment, name=segment.name)
    session.delete(segment)
    session.flush()


def segment_or_404(session: Session, segment_id: int) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("Segment")
    return segment


def all_segments(session: Session) -> list[Segment]:
    return list(session.exec(select(Segment).order_by(Segment.name)).all())
