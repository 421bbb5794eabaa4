"""Message templates over REST: staff read them; admins write drafts, submit them to the
provider and pull the provider's list (sync). Only an approved template is ever sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError

from aisha_app.actions import template_providers as providers
from aisha_app.actions import templates as actions
from aisha_app.actions.templates import TemplateIn
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id
from aisha_app.models import TemplateStatus

router = APIRouter(prefix="/api/templates", tags=["templates"])


class TemplatePublic(BaseModel):
    id: int
    name: str
    language: str
    category: str
    channel: str
    body: str
    header: dict[str, Any]
    footer: str | None
    buttons: list[dict[str, Any]]
    examples: list[str]
    variables: list[str]
    status: str
    rejection_reason: str | None
    quality: str | None
    provider_template_id: str | None
    status_at: datetime | None
    updated_at: datetime


class TemplatePatch(BaseModel):
    """The fields to change; the template is then checked whole, as on create."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    language: str | None = None
    category: str | None = None
    channel: str | None = None
    body: str | None = None
    header: dict[str, Any] | None = None
    footer: str | None = None
    buttons: list[dict[str, Any]] | None = None
    examples: list[str] | None = None
    variables: list[str] | None = None


class SyncOut(BaseModel):
    channel: str
    added: int
    updated: int


@router.get("", response_model=list[TemplatePublic])
def list_templates(
    user: CurrentUser,
    session: DbSession,
    channel: Literal["whatsapp_cloud", "twilio_whatsapp", "simulator"] | None = None,
    status: TemplateStatus | None = None,
) -> list:
    return actions.all_templates(session, channel, status)


@router.post("", response_model=TemplatePublic, status_code=201)
def create(body: TemplateIn, admin: AdminUser, session: DbSession):
    """A draft (nothing goes to the provider yet); 422 naming what Meta would refuse; 409 when
    the name, language and channel are taken."""
    return actions.create_template(session, body, admin)


@router.get("/{template_id}", response_model=TemplatePublic)
def show(template_id: Id, user: CurrentUser, session: DbSession):
    return actions.template_or_404(session, template_id)


@router.patch("/{template_id}", response_model=TemplatePublic)
def change(template_id: Id, body: TemplatePatch, admin: AdminUser, session: DbSession):
    """A draft or a rejected template (which becomes a draft again); 409 for any other."""
    template = actions.template_or_404(session, template_id)
    merged = TemplatePublic.model_validate(template, from_attributes=True).model_dump()
    fields = set(TemplateIn.model_fields)
    merged = {k: v for k, v in merged.items() if k in fields} | body.model_dump(exclude_unset=True)
    merged["header"] = merged.get("header") or None
    try:
        checked = TemplateIn.model_validate(merged)
    except ValidationError as exc:  # a 422 naming the field, as for a create
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    return actions.change_template(session, template_id, checked, admin)


@router.delete("/{template_id}", status_code=204)
def delete(template_id: Id, admin: AdminUser, session: DbSession) -> Response:
    actions.delete_template(session, template_id, admin)
    return Response(status_code=204)


@router.post("/{template_id}/submit", response_model=TemplatePublic)
def submit(template_id: Id, admin: AdminUser, session: DbSession):
    """To the provider for approval (a draft or a rejected one): pending, or on the simulator
    approved at once; 502 when the provider cannot be reached, 422 when it refuses it."""
    return providers.submit(session, template_id, admin)


@router.post("/sync", response_model=list[SyncOut])
def sync(
    admin: AdminUser,
    session: DbSession,
    channel: Literal["whatsapp_cloud", "twilio_whatsapp"] | None = Query(
        default=None, description="one provider; none: every one configured"
    ),
) -> list[dict[str, Any]]:
    """The provider's templates and their status (also those made in Meta's or Twilio's console);
    502 when a provider cannot be reached."""
    return providers.sync(session, admin, channel)
