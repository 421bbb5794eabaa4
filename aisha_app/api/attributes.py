"""Custom attribute definitions over REST: staff read them; admins define, change and remove."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from aisha_app.actions import attributes as actions
from aisha_app.actions.attributes import DefinitionIn, DefinitionPatch
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id
from aisha_app.models import AttributeKind

router = APIRouter(prefix="/api/attributes", tags=["attributes"])


class DefinitionPublic(BaseModel):
    id: int
    key: str
    label: str
    kind: AttributeKind
    choices: list[str]
    created_at: datetime


@router.get("", response_model=list[DefinitionPublic])
def list_definitions(user: CurrentUser, session: DbSession) -> list:
    return list(actions.definitions(session).values())


@router.post("", response_model=DefinitionPublic, status_code=201)
def define(body: DefinitionIn, admin: AdminUser, session: DbSession):
    """409 when the key is defined already; 422 for a list without choices."""
    return actions.define(session, body, admin)


@router.patch("/{definition_id}", response_model=DefinitionPublic)
def redefine(definition_id: Id, body: DefinitionPatch, admin: AdminUser, session: DbSession):
    return actions.redefine(session, definition_id, body, admin)


@router.delete("/{definition_id}", status_code=204)
def undefine(definition_id: Id, admin: AdminUser, session: DbSession) -> Response:
    actions.undefine(session, definition_id, admin)
    return Response(status_code=204)
