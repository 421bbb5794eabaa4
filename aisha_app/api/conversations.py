"""Conversations and messages over REST (Bearer JWT)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, model_validator
from sqlmodel import select

from aisha_app.actions import conversations as conversation_actions
from aisha_app.actions.ingest import find_or_create_contact, open_conversation
from aisha_app.actions.outbound import Draft, OutsideWindow, retry_message, send_message, window_open
from aisha_app.api.deps import CurrentUser, DbSession, Id, Offset
from aisha_app.errors import AppError, NotFound
from aisha_app.models import (
    Channel,
    Contact,
    Conversation,
    ConversationPublic,
    ConversationUpdate,
    MessagePublic,
    MessageType,
)
from aisha_app.models.numbers import MAX_ID, IdNumber
from aisha_app.phones import normalize_phone
from aisha_app.queries.inbox import (
    COUNT_CAP,
    ConversationFilter,
    conversation_messages,
    conversation_public,
    decode_cursor,
    encode_cursor,
    list_conversations,
    unread_counts,
)
from aisha_app.services.messaging import ADAPTERS, capabilities, default_phone_channel
from aisha_app.services.messaging.base import Identity

# The channels as the API names them; a message to a phone number goes on one that has phones.
ChannelName = Literal[tuple(c.value for c in ADAPTERS)]  # type: ignore[valid-type]
PhoneChannelName = Literal[  # type: ignore[valid-type]
    tuple(c.value for c, a in ADAPTERS.items() if a.capabilities.identity == Identity.PHONE)
]
router = APIRouter(prefix="/api", tags=["conversations"])


class Page(BaseModel):
    items: list[ConversationPublic]
    # Counted up to COUNT_CAP: past it, total is COUNT_CAP and total_exact false ("more than").
    total: int
    total_exact: bool = True
    limit: int
    offset: int
    # Pass as ``cursor`` for the next page (keyset: as fast on page 1,000 as on page 1); None
    # on the last page.
    next_cursor: str | None = None


class TemplateRef(BaseModel):
    name: str = Field(max_length=120)
    language: str | None = Field(default=None, max_length=16)
    variables: list[str] | dict[str, str] = Field(
        default_factory=list,
        description='In order, or numbered as the template numbers them: {"1": ..., "2": ...}',
    )

    @model_validator(mode="after")
    def _numbered(self) -> TemplateRef:
        if isinstance(self.variables, dict) and not all(k.isdigit() for k in self.variables):
            raise ValueError('variables as an object are numbered: {"1": "Amina", "2": "K-102"}')
        return self

    def variable_list(self) -> list[str]:
        if isinstance(self.variables, dict):
            return [self.variables[k] for k in sorted(self.variables, key=int)]
        return self.variables


class Button(BaseModel):
    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=20)


class MessageIn(BaseModel):
    text: str | None = Field(default=None, max_length=4096)
    media_url: str | None = Field(default=None, pattern=r"^https?://", max_length=2000)
    media_type: Literal["image", "audio", "video", "document"] | None = None
    template: TemplateRef | None = None
    note: bool = False
    buttons: list[Button] = Field(default_factory=list, max_length=3)

    @model_validator(mode="after")
    def _something_to_send(self) -> MessageIn:
        if not (self.text or self.media_url or self.template):
            raise ValueError("give text, media_url or template")
        return self

    def draft(self) -> Draft:
        return Draft(
            text=self.text,
            media_url=self.media_url,
            media_type=MessageType(self.media_type) if self.media_type else None,
            template=self.template.name if self.template else None,
            template_language=self.template.language if self.template else None,
            variables=self.template.variable_list() if self.template else [],
            buttons=[b.model_dump() for b in self.buttons],
            note=self.note,
        )


class DirectMessageIn(MessageIn):
    to: str = Field(description="Phone number; 0712345678, 254712345678 and +254712345678 all work")
    channel: PhoneChannelName | None = None


class DirectMessageOut(BaseModel):
    conversation_id: int
    message: MessagePublic


@router.get("/conversations", response_model=Page)
def conversations(
    user: CurrentUser,
    session: DbSession,
    status: Literal["active", "open", "pending", "snoozed", "resolved"] | None = Query(
        default=None, description="'active' is open and pending together"
    ),
    channel: ChannelName | None = None,
    assignee: str | None = Query(default=None, description="'me', 'unassigned' or a user id"),
    label: str | None = Query(default=None, max_length=40),
    tag: str | None = Query(default=None, max_length=40, description="the contact's tag"),
    q: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    offset: Offset = 0,
    cursor: str | None = Query(
        default=None, max_length=200, description="next_cursor of the page before (instead of offset)"
    ),
) -> Page:
    f = ConversationFilter(
        status=status, channel=channel, label=label, tag=tag, search=q, limit=limit, offset=offset
    )
    if cursor is not None:
        try:
            f.after = decode_cursor(cursor)
        except ValueError as exc:
            raise AppError("bad_cursor", "cursor is not one this list gave out.", 400) from exc
        if offset:
            raise AppError("bad_request", "Give a cursor or an offset, not both.", 400)
    if assignee == "me":
        f.assignee_id = user.id
    elif assignee == "unassigned":
        f.unassigned = True
    elif assignee is not None:
        # ASCII digits only ("²".isdigit() is True), and few enough that int() is cheap and never refuses.
        if not (assignee.isascii() and assignee.isdigit() and len(assignee) <= 10) or int(assignee) > MAX_ID:
            raise AppError("bad_assignee", "assignee is 'me', 'unassigned' or a user id.", 400)
        f.assignee_id = int(assignee)
    items, total = list_conversations(session, f, cap=COUNT_CAP)
    counts = unread_counts(session, user.id, items)
    for item in items:
        item.unread = counts.get(item.id, 0)
    exact = total <= COUNT_CAP
    more = len(items) == limit and (cursor is not None or not exact or offset + limit < total)
    next_cursor = encode_cursor(items[-1]) if items and more else None
    return Page(
        items=items,
        total=min(total, COUNT_CAP),
        total_exact=exact,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )


def _public(session: Any, conversation: Conversation, user_id: int) -> ConversationPublic:
    public = conversation_public(conversation, session.get(Contact, conversation.contact_id))
    public.unread = unread_counts(session, user_id, [public]).get(public.id, 0)
    return public


def _conversation(session: Any, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("Conversation")
    return conversation


@router.get("/conversations/{conversation_id}", response_model=ConversationPublic)
def conversation(conversation_id: Id, user: CurrentUser, session: DbSession) -> ConversationPublic:
    return _public(session, _conversation(session, conversation_id), user.id)


@router.patch("/conversations/{conversation_id}", response_model=ConversationPublic)
def update_conversation(
    conversation_id: Id, change: ConversationUpdate, user: CurrentUser, session: DbSession
) -> ConversationPublic:
    updated = conversation_actions.update_conversation(session, conversation_id, change, user)
    return _public(session, updated, user.id)


@router.post("/conversations/{conversation_id}/read", response_model=ConversationPublic)
def read(conversation_id: Id, user: CurrentUser, session: DbSession) -> ConversationPublic:
    """The caller has read the conversation up to its newest message: its ``unread`` is 0."""
    conversation_actions.read_all(session, conversation_id, user)
    return _public(session, _conversation(session, conversation_id), user.id)


@router.get("/conversations/{conversation_id}/messages", response_model=list[MessagePublic])
def messages(
    conversation_id: Id,
    user: CurrentUser,
    session: DbSession,
    limit: int = Query(default=100, ge=1, le=500),
    before_id: IdNumber | None = None,
) -> list[MessagePublic]:
    _conversation(session, conversation_id)
    return conversation_messages(session, conversation_id, limit, before_id)


@router.post("/conversations/{conversation_id}/messages", response_model=MessagePublic, status_code=201)
def reply(conversation_id: Id, body: MessageIn, user: CurrentUser, session: DbSession) -> MessagePublic:
    """Queue a reply. 409 when free text is outside the 24-hour window: send a template instead."""
    return MessagePublic.model_validate(send_message(session, conversation_id, body.draft(), sender=user))


@router.post("/messages", response_model=DirectMessageOut, status_code=201)
def message_to_phone(body: DirectMessageIn, user: CurrentUser, session: DbSession) -> DirectMessageOut:
    """Send a WhatsApp message to a phone number, starting the conversation if there is none."""
    if body.note:
        raise AppError("bad_request", "Notes belong to an existing conversation.", 400)
    phone = normalize_phone(body.to)
    channel = Channel(body.channel) if body.channel else default_phone_channel()
    if not body.template and not _window_open_for(session, phone, channel):
        raise OutsideWindow(capabilities(channel), staff=True)  # refused before anything is created
    contact = find_or_create_contact(session, channel, phone, None)
    session.flush()
    conversation_id = open_conversation(session, contact, channel).id
    message = send_message(session, conversation_id, body.draft(), sender=user)
    return DirectMessageOut(conversation_id=conversation_id, message=MessagePublic.model_validate(message))


def _window_open_for(session: Any, phone: str, channel: Channel) -> bool:
    conversation = session.exec(
        select(Conversation)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Contact.phone_e164 == phone, Conversation.channel == channel)
    ).first()
    if conversation is None:
        return capabilities(channel).window_open(None)  # the customer never wrote on it
    return window_open(conversation, staff=True)


@router.post("/messages/{message_id}/retry", response_model=MessagePublic)
def retry(message_id: Id, user: CurrentUser, session: DbSession) -> MessagePublic:
    return MessagePublic.model_validate(retry_message(session, message_id, user))
