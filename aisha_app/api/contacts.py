"""Contacts over REST (Bearer JWT)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aisha_app.actions.contacts import update_contact
from aisha_app.api.deps import CurrentUser, DbSession, Id, Offset
from aisha_app.errors import NotFound
from aisha_app.models import Contact, ContactPublic, ContactUpdate
from aisha_app.queries.inbox import COUNT_CAP, search_contacts

router = APIRouter(prefix="/api/contacts", tags=["contacts"])


class ContactPage(BaseModel):
    items: list[ContactPublic]
    # Counted up to COUNT_CAP: past it, total is COUNT_CAP and total_exact false ("more than").
    total: int
    total_exact: bool = True
    limit: int
    offset: int


@router.get("", response_model=ContactPage)
def contacts(
    user: CurrentUser,
    session: DbSession,
    q: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    offset: Offset = 0,
) -> ContactPage:
    rows, total = search_contacts(session, q, limit, offset, cap=COUNT_CAP)
    return ContactPage(
        items=[ContactPublic.model_validate(c) for c in rows],
        total=min(total, COUNT_CAP),
        total_exact=total <= COUNT_CAP,
        limit=limit,
        offset=offset,
    )


@router.get("/{contact_id}", response_model=ContactPublic)
def contact(contact_id: Id, user: CurrentUser, session: DbSession) -> ContactPublic:
    found = session.get(Contact, contact_id)
    if found is None:
        raise NotFound("Contact")
    return ContactPublic.model_validate(found)


@router.patch("/{contact_id}", response_model=ContactPublic)
def edit_contact(
    contact_id: Id, change: ContactUpdate, user: CurrentUser, session: DbSession
) -> ContactPublic:
    return ContactPublic.model_validate(update_contact(session, contact_id, change, user))
