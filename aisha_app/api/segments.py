"""Segments over REST: staff read them and their live counts; admins create and change them."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from aisha_app.actions import segments as actions
from aisha_app.actions.segments import SegmentIn, SegmentPatch
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id
from aisha_app.models import Segment
from aisha_app.queries import segments as query
from aisha_app.queries.segments import SegmentFilters

router = APIRouter(prefix="/api/segments", tags=["segments"])


class Count(BaseModel):
    contacts: int
    reachable: int  # not opted out of messages


class SegmentPublic(BaseModel):
    id: int
    name: str
    filters: SegmentFilters
    count: Count
    created_at: datetime
    updated_at: datetime


def _public(session, segment: Segment) -> SegmentPublic:
    filters = SegmentFilters.model_validate(segment.filters)
    contacts, reachable = query.count(session, filters)
    return SegmentPublic(
        id=segment.id,
        name=segment.name,
        filters=filters,
        count=Count(contacts=contacts, reachable=reachable),
        created_at=segment.created_at,
        updated_at=segment.updated_at,
    )


@router.get("", response_model=list[SegmentPublic])
def list_segments(user: CurrentUser, session: DbSession) -> list[SegmentPublic]:
    return [_public(session, s) for s in actions.all_segments(session)]


@router.post("/count", response_model=Count)
def count(filters: SegmentFilters, user: CurrentUser, session: DbSession) -> Count:
    """How many contacts these filters find, and how many of them may be messaged: the live
    count while a segment is being made."""
    contacts, reachable = query.count(session, filters)
    return Count(contacts=contacts, reachable=reachable)


@router.post("", response_model=SegmentPublic, status_code=201)
def create(body: SegmentIn, admin: AdminUser, session: DbSession) -> SegmentPublic:
    """409 when the name is taken; 422 naming a bad filter."""
    return _public(session, actions.create_segment(session, body, admin))


@router.get("/{segment_id}", response_model=SegmentPublic)
def read(segment_id: Id, user: CurrentUser, session: DbSession) -> SegmentPublic:
    return _public(session, actions.segment_or_404(session, segment_id))


@router.patch("/{segment_id}", response_model=SegmentPublic)
def change(segment_id: Id, body: SegmentPatch, admin: AdminUser, session: DbSession) -> SegmentPublic:
    return _public(session, actions.change_segment(session, segment_id, body, admin))


@router.delete("/{segment_id}", status_code=204)
def delete(segment_id: Id, admin: AdminUser, session: DbSession) -> Response:
    actions.delete_segment(session, segment_id, admin)
    return Response(status_code=204)
