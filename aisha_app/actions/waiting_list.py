"""Waiting lists: customers join, wait their turn, are called and served.

A customer's position is counted, never stored: 1 + the number of people still waiting ahead
of them (by ``position``, the order staff can change). Every change is published for the
board and, where it matters to them, told to the customers on their own channel.
"""

from __future__ import annotations

import contextlib
import secrets
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from aisha_app.actions import customer_texts as texts
from aisha_app.actions.audit import audit
from aisha_app.actions.notify import notify
from aisha_app.actions.reviews import start_review_for_contact
from aisha_app.automations.rules import Event
from aisha_app.automations.triggers import TriggerEvent, emit
from aisha_app.background import jobs
from aisha_app.background.handlers import JobKind, handler
from aisha_app.errors import AppError, Conflict, Forbidden, NotFound
from aisha_app.models import (
    Contact,
    Job,
    Role,
    User,
    WaitingList,
    WaitingListEntry,
    WaitingStatus,
)
from aisha_app.models.base import utcnow
from aisha_app.models.journey import list_name_key
from aisha_app.models.numbers import MAX_ID
from aisha_app.realtime import events

ACTIVE = (WaitingStatus.WAITING, WaitingStatus.CALLED)
DEFAULTS = {
    "minutes_per_customer": 5,  # the estimate until enough customers have been served today
    "notify_on_move": True,  # tell waiting customers when their position changes
    "no_show_minutes": 10,  # a called customer who has not been served by then is a no-show
    "review_after_serve": True,  # ask a served customer for a review
}
BUTTONS = [{"id": "wl_position", "title": "My position"}, {"id": "wl_leave", "title": "Leave"}]


def say(key: str, lang: str | None, **values: object) -> str:
    return texts.say(texts.WAITING_LIST, key, lang, **values)


def standing_message(
    lang: str | None, list_name: str, position: int, minutes: int, *, called: bool, joined: bool
) -> str:
    """What a customer is told of their place: it's their turn, they just joined, or where they are."""
    key = "called" if called else "joined" if joined else "position"
    return say(key, lang, list=list_name, position=position, minutes=minutes)


@dataclass
class Standing:
    entry: WaitingListEntry
    list_name: str
    position: int  # 0 once called
    minutes: int
    already: bool = False


def settings_of(waiting_list: WaitingList) -> dict:
    return DEFAULTS | (waiting_list.settings or {})


def _list_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise AppError("invalid_name", "Give the list a name of at most 120 characters.")
    return name


@contextlib.contextmanager
def _unique_name(session: Session, name: str) -> Iterator[None]:
    """Changes made inside are written in a savepoint: a name taken in any case (name_key is
    unique) is a 409, even when two requests race past each other."""
    try:
        with session.begin_nested():  # flushes what came before, so only these changes are undone
            yield
    except IntegrityError as exc:
        raise Conflict(f"A list named {name!r} already exists.") from exc


def create_list(
    session: Session, name: str, actor: User | None, description: str | None = None
) -> WaitingList:
    name = _list_name(name)
    waiting_list = WaitingList(name=name, description=description, display_token=secrets.token_urlsafe(24))
    with _unique_name(session, name):
        session.add(waiting_list)
    if actor is not None:
        audit(session, actor, "waiting_list.created", waiting_list, name=name)
    events.publish_on_commit(session, events.WAITING_LIST_UPDATED, list_id=waiting_list.id)
    session.flush()
    return waiting_list


class ListSettings(BaseModel):
    """What an admin tunes per list."""

    minutes_per_customer: int = Field(default=DEFAULTS["minutes_per_customer"], ge=1, le=240)
    notify_on_move: bool = DEFAULTS["notify_on_move"]
    no_show_minutes: int = Field(default=DEFAULTS["no_show_minutes"], ge=1, le=240)
    review_after_serve: bool = DEFAULTS["review_after_serve"]


def update_list(
    session: Session,
    list_id: int,
    actor: User,
    settings: ListSettings,
    *,
    is_active: bool | None = None,
    name: str | None = None,
) -> WaitingList:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins change a list's settings.")
    waiting_list = find_list(session, list_id)
    renamed = {"name": _list_name(name)} if name is not None and name.strip() != waiting_list.name else {}
    with _unique_name(session, renamed.get("name", waiting_list.name)):
        waiting_list.settings = settings.model_dump()
        if is_active is not None:
            waiting_list.is_active = is_active
        if renamed:
            waiting_list.name = renamed["name"]
        session.add(waiting_list)
    audit(session, actor, "waiting_list.updated", waiting_list, **settings.model_dump(), **renamed)
    _changed(session, waiting_list.id)
    session.flush()
    return waiting_list


def default_list(session: Session) -> WaitingList:
    """The first open list."""
    ensure_a_list(session)
    found = session.exec(select(WaitingList).where(WaitingList.is_active).order_by(WaitingList.id)).first()
    if found is None:
        raise Conflict("The waiting lists are closed right now.")
    return found


def ensure_a_list(session: Session) -> None:
    """A workspace gets its first list, "Main", on first use."""
    if session.exec(select(WaitingList.id)).first() is None:
        with contextlib.suppress(Conflict):  # another request made it first
            create_list(session, "Main", None)


def find_list(session: Session, ref: int | str | None) -> WaitingList:
    """By id, by name (any case), or the first active list when ``ref`` is empty."""
    if ref in (None, ""):
        return default_list(session)
    if isinstance(ref, int) or str(ref).strip().isdecimal():
        # int() refuses (ValueError) strings of over 4,300 digits; no id has more than ten.
        number = int(ref) if isinstance(ref, int) or len(str(ref).strip()) <= 10 else 0
        found = session.get(WaitingList, number) if 0 < number <= MAX_ID else None
    else:
        found = session.exec(
            select(WaitingList).where(WaitingList.name_key == list_name_key(str(ref)))
        ).first()
    if found is None:
        raise NotFound("Waiting list")
    return found


def rotate_display_token(session: Session, list_id: int, actor: User) -> WaitingList:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only admins change the display link.")
    waiting_list = find_list(session, list_id)
    waiting_list.display_token = secrets.token_urlsafe(24)
    session.add(waiting_list)
    audit(session, actor, "waiting_list.display_rotated", waiting_list)
    session.flush()
    return waiting_list


def waiting(session: Session, list_id: int) -> list[WaitingListEntry]:
    """Who is still waiting, first in line first."""
    return list(
        session.exec(
            select(WaitingListEntry)
            .where(
                WaitingListEntry.waiting_list_id == list_id, WaitingListEntry.status == WaitingStatus.WAITING
            )
            .order_by(WaitingListEntry.position, WaitingListEntry.id)
        ).all()
    )


def _positions(session: Session, list_id: int) -> dict[int, int]:
    return {entry.id: number for number, entry in enumerate(waiting(session, list_id), start=1)}


def minutes_per_customer(session: Session, waiting_list: WaitingList) -> float:
    """From the recent serving rate: the median gap between the last services of the day."""
    since = utcnow() - timedelta(hours=12)
    served = session.exec(
        select(WaitingListEntry.served_at)
        .where(
            WaitingListEntry.waiting_list_id == waiting_list.id,
            WaitingListEntry.status == WaitingStatus.SERVED,
            col(WaitingListEntry.served_at) >= since,
        )
        .order_by(col(WaitingListEntry.served_at).desc())
        .limit(11)
    ).all()
    gaps = [(a - b).total_seconds() / 60 for a, b in zip(served, served[1:], strict=False)]
    if len(gaps) >= 2:
        return max(1.0, statistics.median(gaps))
    return float(settings_of(waiting_list)["minutes_per_customer"])


def standing(session: Session, entry: WaitingListEntry) -> Standing:
    return standings(session, [entry])[0]


def standings(session: Session, entries: list[WaitingListEntry]) -> list[Standing]:
    """Each entry's place and wait; the line and its pace are read once per list, not per entry."""
    lines: dict[int, tuple[WaitingList, dict[int, int], float]] = {}
    found = []
    for entry in entries:
        if entry.waiting_list_id not in lines:
            waiting_list = session.get(WaitingList, entry.waiting_list_id)
            lines[entry.waiting_list_id] = (
                waiting_list,
                _positions(session, waiting_list.id),
                minutes_per_customer(session, waiting_list),
            )
        waiting_list, positions, pace = lines[entry.waiting_list_id]
        position = positions.get(entry.id, 0) if entry.status == WaitingStatus.WAITING else 0
        found.append(Standing(entry, waiting_list.name, position, round(position * pace)))
    return found


def current_entry(session: Session, contact_id: int, list_id: int | None = None) -> WaitingListEntry | None:
    query = select(WaitingListEntry).where(
        WaitingListEntry.contact_id == contact_id, col(WaitingListEntry.status).in_(ACTIVE)
    )
    if list_id is not None:
        query = query.where(WaitingListEntry.waiting_list_id == list_id)
    return session.exec(query.order_by(col(WaitingListEntry.id).desc())).first()


def _changed(session: Session, list_id: int) -> None:
    events.publish_on_commit(session, events.WAITING_LIST_UPDATED, list_id=list_id)


def join(
    session: Session,
    contact: Contact,
    waiting_list: WaitingList | None = None,
    *,
    party_note: str | None = None,
    actor: User | None = None,
    lang: str | None = None,
    tell_customer: bool = True,
) -> Standing:
    """Put the customer at the end of the line (once: joining again gives their place)."""
    waiting_list = waiting_list or default_list(session)
    if not waiting_list.is_active:
        raise Conflict(f"The {waiting_list.name} list is closed.")
    existing = current_entry(session, contact.id, waiting_list.id)
    if existing is not None:
        result = standing(session, existing)
        result.already = True
        return result
    last = session.exec(
        select(func.max(WaitingListEntry.position)).where(WaitingListEntry.waiting_list_id == waiting_list.id)
    ).one()
    entry = WaitingListEntry(
        waiting_list_id=waiting_list.id,
        contact_id=contact.id,
        party_note=(party_note or "").strip()[:200] or None,
        position=(last or 0) + 1,
    )
    try:
        with session.begin_nested():  # one place per customer and list, even when two joins race
            session.add(entry)
    except IntegrityError:
        result = standing(session, current_entry(session, contact.id, waiting_list.id))
        result.already = True
        return result
    if actor is not None:
        audit(session, actor, "waiting_list.joined", entry, contact_id=contact.id)
    _changed(session, waiting_list.id)
    session.flush()
    _emit(session, entry, waiting_list, "joined")
    result = standing(session, entry)
    if tell_customer:
        notify(
            session,
            contact,
            say(
                "joined",
                lang or contact.language,
                list=result.list_name,
                position=result.position,
                minutes=result.minutes,
            ),
            BUTTONS,
        )
    return result


def _tell_movers(session: Session, waiting_list: WaitingList, before: dict[int, int]) -> None:
    if not settings_of(waiting_list)["notify_on_move"]:
        return
    after = _positions(session, waiting_list.id)
    rate = minutes_per_customer(session, waiting_list)
    for entry_id, position in after.items():
        if before.get(entry_id, position) != position:
            entry = session.get(WaitingListEntry, entry_id)
            contact = session.get(Contact, entry.contact_id)
            notify(
                session,
                contact,
                say(
                    "moved",
                    contact.language,
                    list=waiting_list.name,
                    position=position,
                    minutes=round(position * rate),
                ),
            )


def _entry(session: Session, entry_id: int) -> tuple[WaitingListEntry, WaitingList]:
    entry = session.get(WaitingListEntry, entry_id)
    if entry is None:
        raise NotFound("Waiting-list entry")
    return entry, session.get(WaitingList, entry.waiting_list_id)


def _finish(
    session: Session,
    entry_id: int,
    status: WaitingStatus,
    actor: User | None,
    allowed_from: tuple[WaitingStatus, ...] = ACTIVE,
    tell_customer: bool = True,
) -> WaitingListEntry:
    entry, waiting_list = _entry(session, entry_id)
    before = _positions(session, waiting_list.id)
    stamp = {WaitingStatus.CALLED: "called_at", WaitingStatus.SERVED: "served_at"}.get(status, "cancelled_at")
    # Conditional: of two staff pressing at once, one changes the entry and the other is told.
    changed = session.execute(
        sa.update(WaitingListEntry)
        .where(WaitingListEntry.id == entry.id, col(WaitingListEntry.status).in_(allowed_from))
        .values(status=status, **{stamp: utcnow()})
    ).rowcount
    if changed != 1:
        session.refresh(entry)
        raise Conflict(
            f"This entry is {str(entry.status).replace('_', '-')}; it cannot become {status.value}."
        )
    session.refresh(entry)
    if actor is not None:
        audit(session, actor, f"waiting_list.{status.value}", entry, contact_id=entry.contact_id)
    _changed(session, waiting_list.id)
    session.flush()
    if status in (WaitingStatus.CALLED, WaitingStatus.SERVED, WaitingStatus.NO_SHOW):
        _emit(session, entry, waiting_list, status.value)
    contact = session.get(Contact, entry.contact_id)
    if status == WaitingStatus.CALLED:
        notify(session, contact, say("called", contact.language, list=waiting_list.name))
        minutes = settings_of(waiting_list)["no_show_minutes"]
        jobs.enqueue(
            session, JobKind.WAITING_LIST_NO_SHOW, {"entry_id": entry.id}, delay=timedelta(minutes=minutes)
        )
        session.flush()
    elif status == WaitingStatus.CANCELLED and actor is None and tell_customer:
        notify(session, contact, say("left", contact.language, list=waiting_list.name))
    elif status == WaitingStatus.SERVED and settings_of(waiting_list)["review_after_serve"]:
        start_review_for_contact(session, contact, started_by="waiting_list")
    _tell_movers(session, waiting_list, before)
    return entry


def _emit(session: Session, entry: WaitingListEntry, waiting_list: WaitingList, status: str) -> None:
    """Automations hear of it: joined, called, served, no-show (once each per entry)."""
    emit(
        session,
        [
            TriggerEvent(
                event=Event.WAITING_LIST,
                key=f"waiting:{entry.id}:{status}",
                contact_id=entry.contact_id,
                data={"status": status, "list": waiting_list.name, "list_id": waiting_list.id},
            )
        ],
    )


def call(session: Session, entry_id: int, actor: User | None) -> WaitingListEntry:
    return _finish(session, entry_id, WaitingStatus.CALLED, actor, (WaitingStatus.WAITING,))


def call_next(session: Session, list_id: int, actor: User | None) -> WaitingListEntry:
    for first in waiting(session, list_id)[:3]:
        try:
            return call(session, first.id, actor)
        except Conflict:  # someone else called them a moment ago: the next one then
            continue
    raise Conflict("Nobody is waiting.")


def serve(session: Session, entry_id: int, actor: User | None) -> WaitingListEntry:
    return _finish(session, entry_id, WaitingStatus.SERVED, actor)


def cancel(session: Session, entry_id: int, actor: User | None) -> WaitingListEntry:
    """Staff cancel the entry."""
    return _finish(session, entry_id, WaitingStatus.CANCELLED, actor)


def leave(session: Session, contact: Contact, *, tell_customer: bool = True) -> WaitingListEntry | None:
    """The customer leaves the line they are in (and is told so, unless the assistant tells them)."""
    entry = current_entry(session, contact.id)
    if entry is None:
        return None
    return _finish(session, entry.id, WaitingStatus.CANCELLED, None, tell_customer=tell_customer)


def move(session: Session, entry_id: int, new_index: int, actor: User | None) -> None:
    """Put a waiting customer at ``new_index`` (0 = first in line); the others keep their order."""
    entry, waiting_list = _entry(session, entry_id)
    if entry.status != WaitingStatus.WAITING:
        raise Conflict("Only waiting customers can be moved.")
    line = waiting(session, waiting_list.id)
    before = {e.id: n for n, e in enumerate(line, start=1)}
    line = [e for e in line if e.id != entry.id]
    line.insert(max(0, min(new_index, len(line))), entry)
    for number, item in enumerate(line, start=1):
        item.position = number
        session.add(item)
    if actor is not None:
        audit(session, actor, "waiting_list.moved", entry, to=new_index + 1)
    _changed(session, waiting_list.id)
    session.flush()
    _tell_movers(session, waiting_list, before)


@handler(JobKind.WAITING_LIST_NO_SHOW)
def _no_show(session: Session, job: Job) -> None:
    entry = session.get(WaitingListEntry, job.payload["entry_id"])
    if entry is not None and entry.status == WaitingStatus.CALLED:
        _finish(session, entry.id, WaitingStatus.NO_SHOW, None, (WaitingStatus.CALLED,))


def board(session: Session, list_id: int) -> list[tuple[WaitingListEntry, Contact]]:
    """The list's waiting and called customers (called first), for the board and the display."""
    rows = session.exec(
        select(WaitingListEntry, Contact)
        .join(Contact, Contact.id == WaitingListEntry.contact_id)
        .where(WaitingListEntry.waiting_list_id == list_id, col(WaitingListEntry.status).in_(ACTIVE))
        .order_by(
            sa.case((WaitingListEntry.status == WaitingStatus.CALLED, 0), else_=1),
            WaitingListEntry.position,
            WaitingListEntry.id,
        )
    ).all()
    return [(entry, contact) for entry, contact in rows]
