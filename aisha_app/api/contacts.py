"""Contacts over REST (Bearer JWT)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from aisha_app.actions.contact_import import import_contacts
from aisha_app.actions.contacts import create_contact, delete_contact, update_contact
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id, Offset
from aisha_app.errors import AppError, NotFound
from aisha_app.models import Contact, ContactPublic, ContactUpdate, LeadLabel, LeadStage
from aisha_app.models.contact import ContactCreate
from aisha_app.queries.contacts_csv import contacts_csv
from aisha_app.queries.inbox import COUNT_CAP, ContactFilters, search_contacts

router = APIRouter(prefix="/api/contacts", tags=["contacts"])
MAX_IMPORT_BYTES = 5_000_000


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
    q: str | None = Query(default=None, max_length=200, description="name, number (as typed) or email"),
    tag: str | None = Query(default=None, max_length=40),
    stage: LeadStage | None = None,
    label: LeadLabel | None = Query(default=None, description="the lead label"),
    opted_out: bool | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    offset: Offset = 0,
) -> ContactPage:
    filters = ContactFilters(tag=tag, stage=stage, label=label, opted_out=opted_out)
    rows, total = search_contacts(session, q, limit, offset, cap=COUNT_CAP, filters=filters)
    return ContactPage(
        items=[ContactPublic.model_validate(c) for c in rows],
        total=min(total, COUNT_CAP),
        total_exact=total <= COUNT_CAP,
        limit=limit,
        offset=offset,
    )


@router.get("/export.csv", response_class=StreamingResponse)
def export(
    admin: AdminUser,
    q: str | None = Query(default=None, max_length=200),
    tag: str | None = Query(default=None, max_length=40),
    stage: LeadStage | None = None,
    label: LeadLabel | None = None,
    opted_out: bool | None = None,
) -> StreamingResponse:
    """Admins: every contact the filters find (those of ``GET /api/contacts``), all fields and a
    column per custom attribute, oldest first; cells a spreadsheet would run as formulas are text."""
    filters = ContactFilters(tag=tag, stage=stage, label=label, opted_out=opted_out)
    return StreamingResponse(
        contacts_csv(q, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


class ImportLine(BaseModel):
    line: int
    outcome: str  # created, updated, unchanged, refused
    detail: str


class ImportReport(BaseModel):
    preview: bool
    created: int
    updated: int
    refused: int
    ignored_columns: list[str]
    lines: list[ImportLine]


@router.post("/import", response_model=ImportReport)
async def import_csv(
    request: Request, admin: AdminUser, session: DbSession, preview: bool = False
) -> ImportReport:
    """Admins: a CSV (the export's columns; ``phone`` required) as the request's body. A known
    phone updates that contact with the cells that are not empty, a new one is created; each
    line's outcome and, for a refused one, why. ``preview=true`` does it all and keeps nothing."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise AppError("too_large", f"The file is over {MAX_IMPORT_BYTES // 1_000_000} MB.", 413)
    text = body.decode("utf-8", errors="replace")
    report = await run_in_threadpool(import_contacts, session, text, admin, preview=preview)
    return ImportReport(preview=preview, **asdict(report))


@router.post("", response_model=ContactPublic, status_code=201)
def add_contact(body: ContactCreate, user: CurrentUser, session: DbSession) -> ContactPublic:
    """The phone in any format people write it, stored E.164; 409 with the existing contact's id
    (``error.details.id``) when the number is known."""
    return ContactPublic.model_validate(create_contact(session, body, user))


@router.delete("/{contact_id}", status_code=204)
def remove_contact(contact_id: Id, admin: AdminUser, session: DbSession) -> Response:
    """Admins: the customer's details are erased; their conversations stay, as a deleted contact's."""
    delete_contact(session, contact_id, admin)
    return Response(status_code=204)


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
