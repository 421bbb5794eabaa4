"""Conversation labels over REST: staff read them; admins create, rename, recolour and delete."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from aisha_app.actions import labels as actions
from aisha_app.actions.labels import LabelIn, LabelPatch
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id

router = APIRouter(prefix="/api/labels", tags=["labels"])


class LabelPublic(BaseModel):
    id: int
    name: str
    colour: str
    created_at: datetime


@router.get("", response_model=list[LabelPublic])
def list_labels(user: CurrentUser, session: DbSession) -> list:
    return actions.all_labels(session)


@router.post("", response_model=LabelPublic, status_code=201)
def create(body: LabelIn, admin: AdminUser, session: DbSession):
    """409 for a name in use; 422 for a colour not among gray, red, orange, amber, green, teal,
    blue, purple, pink."""
    return actions.create_label(session, body, admin)


@router.patch("/{label_id}", response_model=LabelPublic)
def change(label_id: Id, body: LabelPatch, admin: AdminUser, session: DbSession):
    """A new name reaches every conversation that carries the label."""
    return actions.change_label(session, label_id, body, admin)


@router.delete("/{label_id}", status_code=204)
def delete(label_id: Id, admin: AdminUser, session: DbSession) -> Response:
    """Off every conversation that carried it, too."""
    actions.delete_label(session, label_id, admin)
    return Response(status_code=204)
