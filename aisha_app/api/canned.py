"""Canned responses over REST: staff read them (and what ``/typed`` offers), admins edit them."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlmodel import col, select

from aisha_app.actions import canned
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id
from aisha_app.models import CannedResponse

router = APIRouter(prefix="/api/canned-responses", tags=["canned responses"])


class CannedOut(BaseModel):
    id: int
    shortcut: str
    text: str
    updated_at: datetime


@router.get("", response_model=list[CannedOut])
def list_canned(
    user: CurrentUser,
    session: DbSession,
    q: str | None = Query(default=None, max_length=32, description="what was typed after /"),
) -> list[CannedResponse]:
    """All of them by shortcut; with ``q``, what typing ``/q`` offers (at most 8)."""
    if q is not None:
        return canned.matching(session, q)
    return list(session.exec(select(CannedResponse).order_by(col(CannedResponse.shortcut))).all())


@router.post("", response_model=CannedOut, status_code=201)
def create(body: canned.CannedIn, admin: AdminUser, session: DbSession) -> CannedResponse:
    """409 when the shortcut is taken; 422 for a variable that does not exist."""
    return canned.save(session, body, admin)


@router.put("/{canned_id}", response_model=CannedOut)
def update(canned_id: Id, body: canned.CannedIn, admin: AdminUser, session: DbSession) -> CannedResponse:
    return canned.save(session, body, admin, canned_id)


@router.delete("/{canned_id}", status_code=204)
def delete(canned_id: Id, admin: AdminUser, session: DbSession) -> Response:
    canned.delete(session, canned_id, admin)
    return Response(status_code=204)
