"""Reading conversations, messages and contacts for the inbox and the REST API."""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from aisha_app.actions.outbound import window_open
from aisha_app.clock import exact, shop_zone, short
from aisha_app.models import (
    Contact,
    ContactSummary,
    Conversation,
    ConversationPublic,
    ConversationRead,
    Message,
    MessageDirection,
    MessagePublic,
    MessageType,
    User,
)
from aisha_app.queries.search import CONVERSATION_LABELS, contacts_matching, messages_with_words


@dataclass(frozen=True)
class StatusTab:
    value: str
    label: str
    statuses: tuple[str, ...]  # empty: every status


# The inbox's status tabs. The dashboard counts the same tabs, so its numbers are the tabs' totals.
STATUS_TABS = (
    StatusTab("active", "Active", ("open", "pending")),  # what still needs the team: open and handed over
    StatusTab("pending", "Pending", ("pending",)),
    StatusTab("resolved", "Done", ("resolved",)),
    StatusTab("all", "All", ()),
)
_TAB_STATUSES = {tab.value: tab.statuses for tab in STATUS_TABS}


@dataclass
class ConversationFilter:
    status: str | None = None
    channel: str | None = None
    assignee_id: int | None = None  # "mine" is resolved to the caller's id by the caller
    unassigned: bool = False
    label: str | None = None
    tag: str | None = None  # the contact's
    search: str | None = None
    limit: int = 50
    offset: int = 0
    # Keyset paging: the rows after this (last_message_at, id) in the list's order.
    after: tuple[datetime | None, int] | None = None
    # The search's matches, found once (the page and its total both use them).
    matched: list[int] | None = None

    def keeps(self, c: ConversationPublic) -> bool:
        """Whether the list keeps ``c``, as ``_filtered`` would decide in the database, but for
        the search and the contact's tag (which need the database: ``still_matching``) and the
        paging."""
        statuses = _TAB_STATUSES.get(self.status, (self.status,)) if self.status else ()
        return (
            (not statuses or c.status in statuses)
            and (not self.channel or c.channel == self.channel)
            and (self.assignee_id is None or c.assignee_id == self.assignee_id)
            and (not self.unassigned or c.assignee_id is None)
            and (not self.label or self.label in c.labels)
        )


def encode_cursor(conversation: ConversationPublic) -> str:
    """Where the next page starts: after this conversation (opaque to clients)."""
    at = conversation.last_message_at.isoformat() if conversation.last_message_at else ""
    return base64.urlsafe_b64encode(f"{at}|{conversation.id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int]:
    """A cursor back into its key; ValueError for anything we did not issue."""
    try:
        at, _, cid = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
        key = (datetime.fromisoformat(at) if at else None, int(cid))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor from this list") from exc
    if not 0 < key[1] < 2**63 or (key[0] is not None and key[0].tzinfo is None):
        raise ValueError("not a cursor from this list")
    return key


def _after(key: tuple[datetime | None, int]):
    """Rows after ``key`` when ordered by last_message_at descending (nulls last), then id."""
    at, cid = key
    last, ident = col(Conversation.last_message_at), col(Conversation.id)
    if at is None:
        return sa.and_(last.is_(None), ident < cid)
    return or_(last < at, sa.and_(last == at, ident < cid), last.is_(None))


def has_label(session: Session, label: str):
    """Through an index: GIN on the JSONB array (PostgreSQL), the labels table (SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return Conversation.__table__.c.labels.op("@>")(sa.func.jsonb_build_array(label))
    labelled = sa.table(CONVERSATION_LABELS, sa.column("label"), sa.column("conversation_id"))
    return col(Conversation.id).in_(sa.select(labelled.c.conversation_id).where(labelled.c.label == label))


# What the list's preview says of a message without text.
MEDIA_PREVIEW = {
    MessageType.IMAGE: "Photo",
    MessageType.AUDIO: "Voice message",
    MessageType.VIDEO: "Video",
    MessageType.DOCUMENT: "Document",
    MessageType.LOCATION: "Location",
}
_SHOWN = sa.orm.aliased(Message, name="shown")


def last_shown_id():
    """The conversation's last message the customer saw or sent: never a staff note."""
    return (
        select(Message.id)
        .where(Message.conversation_id == Conversation.id, Message.type != MessageType.NOTE)
        .order_by(col(Message.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def preview(body: str | None, kind: str | None) -> str:
    if kind is None:  # no message yet
        return ""
    return (body or "").strip() or MEDIA_PREVIEW.get(kind, "")


def _filtered(session: Session, f: ConversationFilter, *columns):
    """``columns`` of the conversations the filter keeps."""
    query = select(*columns).select_from(Conversation)
    conditions = []
    statuses = _TAB_STATUSES.get(f.status, (f.status,)) if f.status else ()
    if statuses:
        conditions.append(col(Conversation.status).in_(statuses))
    if f.channel:
        conditions.append(Conversation.channel == f.channel)
    if f.assignee_id is not None:
        conditions.append(Conversation.assignee_id == f.assignee_id)
    if f.unassigned:
        conditions.append(col(Conversation.assignee_id).is_(None))
    if f.label:
        conditions.append(has_label(session, f.label))
    if f.tag:
        conditions.append(col(Conversation.contact_id).in_(select(Contact.id).where(has_tag(session, f.tag))))
    if f.after is not None:
        conditions.append(_after(f.after))
    if f.matched is not None:
        conditions.append(col(Conversation.id).in_(f.matched))
    elif f.search:
        conditions.append(col(Conversation.id).in_(search_matches(session, f.search)))
    return query.where(*conditions)


def search_matches(session: Session, text: str):
    """Through the indexes: the conversations of the contacts the search names, and those with a
    message holding its words; only they are then filtered and ordered."""
    people = select(Conversation.id).where(col(Conversation.contact_id).in_(contacts_matching(session, text)))
    words = messages_with_words(session, text)
    return people.union(words) if words is not None else people


def still_matching(session: Session, search: str | None, tag: str | None, ids: list[int]) -> set[int]:
    """Which of these conversations a search and a contact's tag still find (a live update of a
    list filtered by them)."""
    if not ids:
        return set()
    found = _filtered(session, ConversationFilter(search=search, tag=tag), Conversation.id)
    return set(session.exec(found.where(col(Conversation.id).in_(ids))).all())


MATCHED_CAP = 2_000  # a search's matches are passed as a list of ids up to this many
# Past this many, a list's total says "at least" (``total_exact`` False) instead of counting on.
COUNT_CAP = 10_000


def count_conversations(session: Session, f: ConversationFilter, cap: int | None = None) -> int:
    """How many conversations the filter keeps; with ``cap``, counted up to ``cap`` + 1 at most."""
    query = _filtered(session, f, sa.literal(1))
    if cap is not None:
        query = query.limit(cap + 1)
    return session.exec(select(func.count()).select_from(query.subquery())).one()


def _newest_first():
    return col(Conversation.last_message_at).desc().nulls_last(), col(Conversation.id).desc()


def list_conversations(
    session: Session, f: ConversationFilter, cap: int | None = COUNT_CAP
) -> tuple[list[ConversationPublic], int]:
    """One page of the list, newest first, and the list's total (up to ``cap`` + 1).

    The page's rows are chosen first (by the filter's indexes); only those 50 are then joined to
    their contacts and their previews, so a deep history costs nothing per row it does not show.
    """
    if f.search and f.matched is None:
        # Found once for the page and its total (unless there are too many to pass around).
        found = session.exec(
            select(search_matches(session, f.search).subquery().c[0]).limit(MATCHED_CAP + 1)
        ).all()
        if len(found) <= MATCHED_CAP:
            f = dataclasses.replace(f, matched=list(found))
    page = (
        _filtered(session, f, Conversation.id)
        .order_by(*_newest_first())
        .limit(f.limit)
        .offset(f.offset)
        .subquery("page")
    )
    rows = _shown(session, lambda query: query.join(page, page.c.id == Conversation.id))
    total = count_conversations(session, dataclasses.replace(f, after=None), cap)  # the whole list's
    return rows, total


def _shown(session: Session, narrow) -> list[ConversationPublic]:
    """The conversations ``narrow`` keeps, with their contacts and previews, newest first."""
    rows = session.exec(
        narrow(select(Conversation, Contact, _SHOWN.body, _SHOWN.type))
        .join(Contact, Contact.id == Conversation.contact_id)
        .outerjoin(_SHOWN, _SHOWN.id == last_shown_id())
        .order_by(*_newest_first())
    ).all()
    return [conversation_public(c, contact, preview(body, kind)) for c, contact, body, kind in rows]


def conversations_by_id(session: Session, ids: list[int]) -> list[ConversationPublic]:
    """These conversations as the list shows them (a live update's changed rows)."""
    return _shown(session, lambda query: query.where(col(Conversation.id).in_(ids))) if ids else []


def newest_first(c: ConversationPublic | dict) -> tuple:
    """The list's order as a key to sort by in reverse: the newest message first, never-written
    last, then the higher id. ``c`` is a conversation or a list row (``at`` in ISO, and ``id``)."""
    at, ident = (c.last_message_at, c.id) if isinstance(c, ConversationPublic) else (c["at"], c["id"])
    at = datetime.fromisoformat(at) if isinstance(at, str) and at else at or None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at is not None, at or datetime.min.replace(tzinfo=UTC), ident)


UNREAD_CAP = 99  # counted up to here; past it the list says "99+"
_UNION_CHUNK = 100  # SQLite caps a compound SELECT at 500 terms


def _unread(conversation_id, read_at):
    """The conversation's customer messages after ``read_at`` (all of them if never read)."""
    return sa.and_(
        Message.conversation_id == conversation_id,
        Message.direction == MessageDirection.INBOUND,
        sa.true() if read_at is None else col(Message.created_at) > read_at,
    )


def read_marks(session: Session, user_id: int, conversation_ids: list[int]) -> dict[int, datetime]:
    rows = session.exec(
        select(ConversationRead.conversation_id, ConversationRead.read_at).where(
            ConversationRead.user_id == user_id, col(ConversationRead.conversation_id).in_(conversation_ids)
        )
    ).all()
    return dict(rows)


def unread_counts(session: Session, user_id: int, conversations: list[ConversationPublic]) -> dict[int, int]:
    """How many customer messages ``user_id`` has not seen, per conversation listed (capped at
    ``UNREAD_CAP`` + 1). Only a conversation with a message after its read mark is counted, each
    by an index range that stops at the cap, so a 30,000-message history costs what 100 do."""
    marks = read_marks(session, user_id, [c.id for c in conversations])
    candidates = [
        c.id
        for c in conversations
        if c.last_message_at is not None and (c.id not in marks or c.last_message_at > marks[c.id])
    ]
    if not candidates:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return _unread_counts_pg(session, candidates, marks)
    counts: dict[int, int] = {}
    for start in range(0, len(candidates), _UNION_CHUNK):
        parts = []
        for cid in candidates[start : start + _UNION_CHUNK]:
            capped = select(sa.literal(1)).where(_unread(cid, marks.get(cid))).limit(UNREAD_CAP + 1)
            count = select(func.count()).select_from(capped.subquery()).scalar_subquery()
            parts.append(select(sa.literal(cid).label("cid"), count.label("n")))
        counts.update({cid: n for cid, n in session.execute(sa.union_all(*parts)).all() if n})
    return counts


# PostgreSQL: one statement for the whole page, each conversation's count a capped index range.
_UNREAD_PG = sa.text(
    """
    SELECT v.cid, (SELECT count(*) FROM (
        SELECT 1 FROM messages m
        WHERE m.conversation_id = v.cid AND m.direction = 'inbound' AND m.created_at > v.mark
        LIMIT :cap) AS capped) AS n
    FROM unnest(CAST(:ids AS integer[]), CAST(:marks AS timestamptz[])) AS v(cid, mark)
    """
)


def _unread_counts_pg(session: Session, ids: list[int], marks: dict[int, datetime]) -> dict[int, int]:
    never = datetime(1970, 1, 1, tzinfo=UTC)  # not read yet: every message counts
    rows = session.execute(
        _UNREAD_PG, {"ids": ids, "marks": [marks.get(cid, never) for cid in ids], "cap": UNREAD_CAP + 1}
    ).all()
    return {cid: n for cid, n in rows if n}


def unread_conversations(session: Session, user_id: int) -> int:
    """The navigation's badge: active conversations with a customer message ``user_id`` has not
    seen (counted up to ``UNREAD_CAP`` + 1)."""
    return len(unread_conversation_ids(session, user_id))


def unread_conversation_ids(session: Session, user_id: int, among: list[int] | None = None) -> list[int]:
    """The active conversations with a customer message ``user_id`` has not seen: up to
    ``UNREAD_CAP`` + 1 of them, or which of ``among`` are."""
    mark = sa.orm.aliased(ConversationRead, name="mark")
    read_at = col(mark.read_at)
    unseen = (
        select(Conversation.id)
        .outerjoin(mark, sa.and_(mark.conversation_id == Conversation.id, mark.user_id == user_id))
        .where(
            col(Conversation.status).in_(_TAB_STATUSES["active"]),
            col(Conversation.last_message_at).is_not(None),
            or_(read_at.is_(None), col(Conversation.last_message_at) > read_at),
            sa.exists().where(
                Message.conversation_id == Conversation.id,
                Message.direction == MessageDirection.INBOUND,
                or_(read_at.is_(None), col(Message.created_at) > read_at),
            ),
        )
    )
    if among is not None:
        return list(session.exec(unseen.where(col(Conversation.id).in_(among))).all()) if among else []
    return list(session.exec(unseen.limit(UNREAD_CAP + 1)).all())


@dataclass(frozen=True)
class Glance:
    """What an agent's alerts need of one conversation."""

    id: int
    name: str
    created_at: datetime
    mine: bool  # assigned to them and active


def glances(session: Session, user_id: int, conversation_ids: list[int]) -> list[Glance]:
    rows = session.exec(
        select(Conversation, Contact.name, Contact.phone_e164)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(col(Conversation.id).in_(conversation_ids))
    ).all()
    active = _TAB_STATUSES["active"]
    return [
        Glance(
            c.id, name or phone or "Customer", c.created_at, c.assignee_id == user_id and c.status in active
        )
        for c, name, phone in rows
    ]


def assigned_ids(session: Session, user_id: int) -> list[int]:
    """The active conversations assigned to ``user_id``."""
    return list(
        session.exec(
            select(Conversation.id).where(
                Conversation.assignee_id == user_id, col(Conversation.status).in_(_TAB_STATUSES["active"])
            )
        ).all()
    )


def waiting_longer_than(session: Session, since: datetime, limit: int = 20) -> list[tuple[int, str]]:
    """Pending conversations handed to staff before ``since``, longest waiting first: (id, name)."""
    rows = session.exec(
        select(Conversation.id, Contact.name, Contact.phone_e164)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.status == "pending", col(Conversation.handed_off_at) <= since)
        .order_by(col(Conversation.handed_off_at))
        .limit(limit)
    ).all()
    return [(cid, name or phone or "Customer") for cid, name, phone in rows]


def conversation_public(
    conversation: Conversation, contact: Contact, last: str | None = None
) -> ConversationPublic:
    return ConversationPublic(
        id=conversation.id,
        channel=str(conversation.channel),
        status=str(conversation.status),
        assignee_id=conversation.assignee_id,
        ai_enabled=conversation.ai_enabled,
        labels=conversation.labels,
        last_inbound_at=conversation.last_inbound_at,
        last_message_at=conversation.last_message_at,
        window_open=window_open(conversation, staff=True),  # as staff see it: they may write
        contact=ContactSummary.model_validate(contact),
        last_message=(last or "")[:200] or None,
        waiting_since=conversation.handed_off_at if conversation.status == "pending" else None,
        handoff_reason=conversation.handoff_reason if conversation.status == "pending" else None,
    )


def conversation_messages(
    session: Session,
    conversation_id: int,
    limit: int = 100,
    before_id: int | None = None,
    *,
    notes: bool = True,
) -> list[MessagePublic]:
    query = select(Message).where(Message.conversation_id == conversation_id)
    if not notes:
        query = query.where(Message.type != MessageType.NOTE)
    if before_id:
        query = query.where(Message.id < before_id)
    rows = session.exec(query.order_by(col(Message.id).desc()).limit(limit)).all()
    return [MessagePublic.model_validate(m) for m in reversed(rows)]


@dataclass
class ContactFilters:
    tag: str | None = None
    stage: str | None = None
    label: str | None = None  # the lead label: HOT, WARM, COLD
    opted_out: bool | None = None
    segment: Any = None  # queries.segments.SegmentFilters: a saved segment's

    def where(self, session: Session) -> list:
        clauses = [col(Contact.deleted_at).is_(None)]
        if self.segment is not None:
            from aisha_app.queries.segments import where as segment_where

            clauses += segment_where(session, self.segment)
        if self.tag:
            clauses.append(has_tag(session, self.tag.strip()))
        if self.stage:
            clauses.append(Contact.lead_stage == self.stage)
        if self.label:
            clauses.append(Contact.lead_label == self.label)
        if self.opted_out is not None:
            clauses.append(Contact.opted_out == self.opted_out)
        return clauses


def has_tag(session: Session, tag: str):
    tags = Contact.__table__.c.tags
    if session.get_bind().dialect.name == "postgresql":
        return tags.op("@>")(sa.func.jsonb_build_array(tag))
    each = sa.func.json_each(tags).table_valued("value").alias("tag")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value == tag))


def search_contacts(
    session: Session,
    search: str | None,
    limit: int,
    offset: int,
    cap: int = COUNT_CAP,
    filters: ContactFilters | None = None,
) -> tuple[list[Contact], int]:
    """A page of contacts, newest first, and their total counted up to ``cap`` + 1 at most
    (past ``cap``, "more than": a shop of 100,000 customers is not counted on every keystroke).
    Deleted contacts are left out."""
    where = (filters or ContactFilters()).where(session)
    query = select(Contact).where(*where)
    counted = select(Contact.id).where(*where)
    if search:
        matching = contacts_matching(session, search)
        query = query.where(col(Contact.id).in_(matching))
        counted = counted.where(col(Contact.id).in_(matching))
    total = session.exec(select(func.count()).select_from(counted.limit(cap + 1).subquery())).one()
    rows = session.exec(query.order_by(col(Contact.id).desc()).limit(limit).offset(offset)).all()
    return list(rows), total


@dataclass
class ChatMessage:
    """One chat bubble, as the inbox and the simulator draw it."""

    id: int
    direction: str
    type: str
    body: str
    status: str
    tick: str
    at: str
    time: str  # in the shop's zone
    exact: str  # the same, in full and labelled: the hover
    error: str
    media_url: str
    media_kind: str
    map_url: str
    author: str
    buttons: list[dict[str, str]]


def _author(m: MessagePublic, names: dict) -> str:
    if m.from_assistant:
        tools = m.meta.get("tools") or []
        return "Assistant" + (f" · {', '.join(tools)}" if tools else "")
    return names.get(m.sender_id, "") if m.sender_id else ""


TICKS = {
    "pending": "🕓",
    "unknown": "🕓",
    "queued": "🕓",
    "sent": "✓",
    "delivered": "✓✓",
    "read": "✓✓",
    "failed": "⚠",
}


def thread_view(
    session: Session, conversation_id: int, limit: int = 200, *, for_staff: bool = True
) -> list[ChatMessage]:
    """Messages shaped for the chat bubbles of the inbox and (``for_staff=False``) the simulator.

    Staff see who wrote each reply, and for the assistant's, the tools it called; the customer
    never sees staff's private notes.
    """
    return bubbles(
        session, conversation_messages(session, conversation_id, limit, notes=for_staff), for_staff
    )


def messages_by_id(session: Session, conversation_id: int, ids: list[int]) -> list[ChatMessage]:
    """These messages of the conversation as staff see them (a live update's new or changed ones)."""
    rows = session.exec(
        select(Message)
        .where(Message.conversation_id == conversation_id, col(Message.id).in_(ids))
        .order_by(col(Message.id))
    ).all()
    return bubbles(session, [MessagePublic.model_validate(m) for m in rows], True)


def bubbles(session: Session, messages: list[MessagePublic], for_staff: bool) -> list[ChatMessage]:
    names = dict(session.exec(select(User.id, User.name)).all())
    zone = shop_zone(session)
    rows = []
    for m in messages:
        location = m.meta.get("location") or {}
        media_kind = ""
        if m.media_url:
            media_kind = (m.media_content_type or m.type or "").split("/")[0]
            media_kind = media_kind if media_kind in ("image", "audio", "video") else "document"
        rows.append(
            {
                "id": m.id,
                "direction": m.direction,
                "type": m.type,
                "body": m.body or "",
                "status": m.status,
                "tick": TICKS.get(m.status, ""),
                "at": m.created_at.isoformat(),
                "time": short(m.created_at, zone),
                "exact": exact(m.created_at, zone),
                "error": f"{m.error_code}: {m.error_text}" if m.status == "failed" else "",
                "media_url": m.media_url or "",
                "media_kind": media_kind,
                "map_url": (
                    f"https://www.openstreetmap.org/?mlat={location.get('latitude')}&mlon={location.get('longitude')}"
                    if location
                    else ""
                ),
                "author": _author(m, names) if for_staff else "",
                "buttons": [
                    {"id": b.get("id", ""), "title": b.get("title", "")} for b in m.meta.get("buttons", [])
                ],
            }
        )
    return rows
