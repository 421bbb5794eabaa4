"""Leads and their activities over REST."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aisha_app.actions import leads
from aisha_app.api.deps import CurrentUser, DbSession, Id
from aisha_app.models import LeadLabel, LeadStage, SourceType
from aisha_app.models.numbers import IdNumber
from aisha_app.queries.journeys import LeadFilter, lead_cards, lead_timeline

router = APIRouter(tags=["leads"])


class LeadOut(BaseModel):
    contact_id: int
    name: str
    phone_number: str | None
    channel: str
    stage: str
    label: str
    score: int
    reasons: list[str]
    source: str
    source_details: dict[str, Any]
    last_message: str
    last_message_at: datetime | None


class StageIn(BaseModel):
    stage: LeadStage


class LabelIn(BaseModel):
    label: LeadLabel | None = Field(description="HOT, WARM or COLD; null hands it back to the score")


class ActivityIn(BaseModel):
    contact_id: IdNumber
    kind: str = Field(description="call, email, meeting, note or message")
    summary: str = Field(min_length=1, max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict)


class ActivityOut(BaseModel):
    id: str
    kind: str
    summary: str
    details: dict[str, Any]
    user_id: int | None
    created_at: datetime


def _card(session: Any, contact_id: int) -> LeadOut:
    leads.contact_or_404(session, contact_id)
    (card,) = lead_cards(session, LeadFilter(contact_id=contact_id))
    return LeadOut(**card)


@router.get("/api/leads", response_model=list[LeadOut])
def list_leads(
    user: CurrentUser,
    session: DbSession,
    stage: LeadStage | None = None,
    label: LeadLabel | None = None,
    source: SourceType | None = None,
    q: str | None = Query(default=None, max_length=200),
    tag: str | None = Query(default=None, max_length=40, description="the contact's tag"),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[LeadOut]:
    f = LeadFilter(stage, label, source, q, tag=tag.strip() or None if tag else None)
    return [LeadOut(**c) for c in lead_cards(session, f, limit)]


@router.put("/api/leads/{contact_id}/stage", response_model=LeadOut)
def change_stage(contact_id: Id, body: StageIn, user: CurrentUser, session: DbSession) -> LeadOut:
    leads.move_lead(session, contact_id, body.stage, user)
    return _card(session, contact_id)


@router.put("/api/leads/{contact_id}/label", response_model=LeadOut)
def change_label(contact_id: Id, body: LabelIn, user: CurrentUser, session: DbSession) -> LeadOut:
    leads.set_label(session, contact_id, body.label, user)
    return _card(session, contact_id)


@router.post("/api/activities", response_model=ActivityOut, status_code=201)
def add_activity(body: ActivityIn, user: CurrentUser, session: DbSession) -> ActivityOut:
    activity = leads.add_activity(session, body.contact_id, body.kind, body.summary, user, body.details)
    return ActivityOut(
        id=f"activity-{activity.id}",
        kind=activity.kind,
        summary=activity.summary,
        details=activity.details,
        user_id=activity.user_id,
        created_at=activity.created_at,
    )


@router.get("/api/activities/{contact_id}", response_model=list[ActivityOut])
def activities(contact_id: Id, user: CurrentUser, session: DbSession) -> list[ActivityOut]:
    leads.contact_or_404(session, contact_id)
    return [ActivityOut(**item) for item in lead_timeline(session, contact_id)]
