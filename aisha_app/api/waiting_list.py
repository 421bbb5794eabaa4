"""The waiting list over REST: customers join from other systems; staff call, serve and cancel."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlmodel import Session, col, select

from aisha_app.actions import waiting_list
from aisha_app.actions.contacts import contact_for_phone
from aisha_app.api.deps import AdminUser, CurrentUser, DbSession, Id
from aisha_app.errors import NotFound
from aisha_app.models import Contact, WaitingList, WaitingListEntry, WaitingStatus
from aisha_app.models.numbers import MAX_ID, IdNumber
from aisha_app.phones import normalize_phone

router = APIRouter(prefix="/api/waiting-list", tags=["waiting list"])


class JoinIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    phone_number: str = Field(min_length=3, max_length=40)
    list: Annotated[str, StringConstraints(max_length=120)] | IdNumber | None = Field(
        default=None, description="The list's name or id; the first open list if left out"
    )
    party_note: str | None = Field(default=None, max_length=200)


class EntryOut(BaseModel):
    id: int
    username: str | None
    phone_number: str | None
    list: str
    position: int
    estimated_wait_minutes: int
    status: str
    party_note: str | None
    created_at: datetime
    called_at: datetime | None
    served_at: datetime | None


class ListOut(BaseModel):
    id: int
    name: str
    description: str | None
    is_active: bool
    waiting: int
    settings: waiting_list.ListSettings


class ListUpdate(waiting_list.ListSettings):
    is_active: bool | None = None
    name: str | None = Field(default=None, min_length=1, max_length=120, description="Kept if left out")


class ListIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)


class MoveIn(BaseModel):
    position: int = Field(ge=1, le=MAX_ID, description="1 = first in line")


def _out(session: Session, entry: WaitingListEntry) -> EntryOut:
    return _outs(session, [entry])[0]


def _outs(session: Session, entries: list[WaitingListEntry]) -> list[EntryOut]:
    return [_shape(session, s) for s in waiting_list.standings(session, entries)]


def _shape(session: Session, standing: waiting_list.Standing) -> EntryOut:
    entry, contact = standing.entry, session.get(Contact, standing.entry.contact_id)
    return EntryOut(
        id=entry.id,
        username=contact.name,
        phone_number=contact.phone_e164,
        list=standing.list_name,
        position=standing.position,
        estimated_wait_minutes=standing.minutes,
        status=entry.status,
        party_note=entry.party_note,
        created_at=entry.joined_at,
        called_at=entry.called_at,
        served_at=entry.served_at,
    )


@router.get("/lists", response_model=list[ListOut])
def lists(user: CurrentUser, session: DbSession) -> list[ListOut]:
    waiting_list.ensure_a_list(session)
    return [_list_out(session, wl) for wl in session.exec(select(WaitingList).order_by(WaitingList.id)).all()]


def _list_out(session: Session, wl: WaitingList) -> ListOut:
    return ListOut(
        id=wl.id,
        name=wl.name,
        description=wl.description,
        is_active=wl.is_active,
        waiting=len(waiting_list.waiting(session, wl.id)),
        settings=waiting_list.ListSettings(**waiting_list.settings_of(wl)),
    )


@router.post("/lists", response_model=ListOut, status_code=201)
def create_list(body: ListIn, admin: AdminUser, session: DbSession) -> ListOut:
    return _list_out(session, waiting_list.create_list(session, body.name, admin, body.description))


@router.put("/lists/{list_id}", response_model=ListOut)
def update_list(list_id: Id, body: ListUpdate, admin: AdminUser, session: DbSession) -> ListOut:
    """Estimate, position-change messages, no-show time, review after service; open or closed; the name."""
    settings = waiting_list.ListSettings(**body.model_dump(exclude={"is_active", "name"}))
    changed = waiting_list.update_list(
        session, list_id, admin, settings, is_active=body.is_active, name=body.name
    )
    return _list_out(session, changed)


@router.post("", response_model=EntryOut, status_code=201, include_in_schema=False)
@router.post("/", response_model=EntryOut, status_code=201)
def join(body: JoinIn, response: Response, user: CurrentUser, session: DbSession) -> EntryOut:
    """Join by phone number (0712..., 254712..., +254712...: read in DEFAULT_REGION).

    A customer already waiting on that list gets their current place back (200, not 201).
    """
    phone = normalize_phone(body.phone_number)
    target = waiting_list.find_list(session, body.list)
    contact = contact_for_phone(session, phone, body.username)
    result = waiting_list.join(session, contact, target, party_note=body.party_note, actor=user)
    if result.already:
        response.status_code = 200
    return _out(session, result.entry)


@router.get("", response_model=list[EntryOut], include_in_schema=False)
@router.get("/", response_model=list[EntryOut])
def entries(
    user: CurrentUser,
    session: DbSession,
    list_name: str | None = Query(default=None, alias="list", max_length=120),
    status: WaitingStatus | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> list[EntryOut]:
    """Waiting and called customers in line order (or every entry of one ``status``, newest first)."""
    query = select(WaitingListEntry)
    if list_name:
        query = query.where(WaitingListEntry.waiting_list_id == waiting_list.find_list(session, list_name).id)
    if status is None:
        query = query.where(col(WaitingListEntry.status).in_(waiting_list.ACTIVE)).order_by(
            WaitingListEntry.waiting_list_id, WaitingListEntry.position, WaitingListEntry.id
        )
    else:
        query = query.where(WaitingListEntry.status == status).order_by(col(WaitingListEntry.id).desc())
    return _outs(session, list(session.exec(query.limit(limit)).all()))


def _entry(session: Session, entry_id: int) -> WaitingListEntry:
    entry = session.get(WaitingListEntry, entry_id)
    if entry is None:
        raise NotFound("Waiting-list entry")
    return entry


@router.get("/{entry_id}", response_model=EntryOut)
def entry(entry_id: Id, user: CurrentUser, session: DbSession) -> EntryOut:
    return _out(session, _entry(session, entry_id))


@router.post("/call-next", response_model=EntryOut)
def call_next(
    user: CurrentUser,
    session: DbSession,
    list_name: str | None = Query(default=None, alias="list", max_length=120),
) -> EntryOut:
    target = waiting_list.find_list(session, list_name)
    return _out(session, waiting_list.call_next(session, target.id, user))


@router.post("/{entry_id}/call", response_model=EntryOut)
def call(entry_id: Id, user: CurrentUser, session: DbSession) -> EntryOut:
    return _out(session, waiting_list.call(session, _entry(session, entry_id).id, user))


@router.post("/{entry_id}/serve", response_model=EntryOut)
def serve(entry_id: Id, user: CurrentUser, session: DbSession) -> EntryOut:
    return _out(session, waiting_list.serve(session, _entry(session, entry_id).id, user))


@router.post("/{entry_id}/cancel", response_model=EntryOut)
def cancel(entry_id: Id, user: CurrentUser, session: DbSession) -> EntryOut:
    return _out(session, waiting_list.cancel(session, _entry(session, entry_id).id, user))


@router.put("/{entry_id}/position", response_model=EntryOut)
def move(entry_id: Id, body: MoveIn, user: CurrentUser, session: DbSession) -> EntryOut:
    waiting_list.move(session, _entry(session, entry_id).id, body.position - 1, user)
    return _out(session, _entry(session, entry_id))
