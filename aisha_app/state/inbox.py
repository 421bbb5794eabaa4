"""The staff inbox: conversation list, thread, composer, and live updates after every commit."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from pydantic import ValidationError
from sqlmodel import Session, col, select

from aisha_app.actions import attributes
from aisha_app.actions.canned import fill
from aisha_app.actions.contacts import update_contact
from aisha_app.actions.conversations import mark_read, update_conversation
from aisha_app.actions.labels import all_labels
from aisha_app.actions.media import store_attachment
from aisha_app.actions.outbound import Draft, retry_message, send_message
from aisha_app.actions.reviews import start_by_staff
from aisha_app.actions.templates import prefill, rendered
from aisha_app.clock import clock, exact, shop_zone
from aisha_app.db import in_unit_of_work, unit_of_work
from aisha_app.errors import AppError
from aisha_app.models import (
    CannedResponse,
    Contact,
    ContactUpdate,
    Conversation,
    ConversationPublic,
    ConversationStatus,
    ConversationUpdate,
    Label,
    MessageTemplate,
    TemplateStatus,
    User,
)
from aisha_app.models.contact import shown_name
from aisha_app.queries.inbox import (
    UNREAD_CAP,
    ChatMessage,
    ConversationFilter,
    conversation_public,
    conversations_by_id,
    list_conversations,
    messages_by_id,
    newest_first,
    read_marks,
    still_matching,
    thread_view,
    unread_counts,
)
from aisha_app.realtime import events
from aisha_app.realtime.live import HUB, Batch
from aisha_app.state.session import SessionState, off_loop

ALL = "all"
SLASH_WORD = re.compile(r"[A-Za-z0-9_-]{0,32}")
THREAD_PAGE = 100  # messages: a thread opens with its newest; scrolling up loads as many more
# Conversations: scrolling to the end of the list loads the next ones. Two screens' worth, as every
# live update sends and redraws the whole list in every open tab (bench/live.py).
LIST_PAGE = 25


def _box(text: str) -> rx.event.EventSpec:
    """Put ``text`` in the reply box. The box is not bound to ``draft``: a server echo of older
    keystrokes would put old text back while the agent types on (and Enter would send that)."""
    return rx.set_value("composer", text)


def _slash_word(draft: str) -> str | None:
    """``word`` when the draft ends in ``/word`` (at its start or after a space), else None."""
    head, slash, word = draft.rpartition("/")
    if not slash or (head and not head[-1].isspace()) or not SLASH_WORD.fullmatch(word):
        return None
    return word.lower()


def list_row(c: ConversationPublic, unread: int, zone: ZoneInfo) -> dict[str, Any]:
    """One row of the conversation list."""
    return {
        "id": c.id,
        "name": shown_name(c.contact),
        "channel": c.channel,
        "status": c.status,
        "last": c.last_message or "",
        "at": c.last_message_at.isoformat() if c.last_message_at else "",
        "ai": c.ai_enabled,
        "waiting_since": c.waiting_since.isoformat() if c.waiting_since else "",
        "exact": exact(c.last_message_at, zone),
        "waiting_clock": clock(c.waiting_since, zone),
        "waiting_exact": exact(c.waiting_since, zone),
        "unread": "" if not unread else f"{UNREAD_CAP}+" if unread > UNREAD_CAP else str(unread),
    }


def merged(
    rows: list[dict[str, Any]], fresh: list[dict[str, Any]], touched: set[int], has_more: bool
) -> list[dict[str, Any]]:
    """A list after a live update: the ``touched`` conversations' rows replaced by ``fresh`` (those
    the list still keeps), in the list's order. With more to load, a row that now sorts after the
    last one loaded is left for the next page, where keyset paging will find it."""
    rest = [r for r in rows if r["id"] not in touched]
    if has_more and rows:
        end = newest_first(rows[-1])
        fresh = [r for r in fresh if newest_first(r) >= end]
    return sorted(rest + fresh, key=newest_first, reverse=True)


def thread_header(
    session: Session, conversation: Conversation
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The thread's header and contact panel, and the customer's conversations on other channels."""
    contact = session.get(Contact, conversation.contact_id)
    public = conversation_public(conversation, contact)
    zone = shop_zone(session)
    known = attributes.definitions(session)
    colours = dict(
        session.exec(select(Label.name, Label.colour).where(col(Label.name).in_(public.labels))).all()
    )
    header = {
        "id": public.id,
        "name": shown_name(contact),
        "phone": contact.phone_e164 or "",
        "psid": contact.messenger_psid or "",
        "email": contact.email or "",
        "channel": public.channel,
        "status": public.status,
        "ai": public.ai_enabled,
        "assignee": str(public.assignee_id or ""),
        "labels": public.labels,
        "label_chips": [[name, colours.get(name, "gray")] for name in public.labels],
        "window_open": public.window_open,
        "waiting_since": public.waiting_since.isoformat() if public.waiting_since else "",
        "waiting_clock": clock(public.waiting_since, zone),
        "waiting_exact": exact(public.waiting_since, zone),
        "handoff_reason": public.handoff_reason or "",
        "stage": contact.lead_stage,
        "source": contact.source_type,
        "tags": ", ".join(contact.tags),
        "language": contact.language or "",
        "contact_id": str(contact.id),
        "contact_name": contact.name or "",
        "notes": contact.notes or "",
        "birthday_day": str(contact.birthday_day or ""),
        "birthday_month": str(contact.birthday_month or ""),
        "birthday_year": str(contact.birthday_year or ""),
        "attrs": attributes.boxes(known, contact.attributes or {}),
        "other_attrs": attributes.undefined(known, contact.attributes or {}),
    }
    elsewhere = [
        {
            "id": str(c.id),
            "channel": c.channel,
            "status": c.status,
            "at": c.last_message_at.isoformat() if c.last_message_at else "",
            "exact": exact(c.last_message_at, zone),
        }
        for c in session.exec(
            select(Conversation)
            .where(Conversation.contact_id == contact.id, Conversation.id != conversation.id)
            .order_by(col(Conversation.last_message_at).desc())
        ).all()
    ]
    return header, elsewhere


def _header_of(session: Session, conversation_id: int) -> tuple[dict[str, Any], list[dict[str, str]]]:
    return thread_header(session, session.get(Conversation, conversation_id))


def _read_through(session: Session, user_id: int, conversation_id: int, shown: list[ChatMessage]) -> None:
    """``shown`` is on the agent's screen: their read mark moves up to its newest message."""
    through = max(datetime.fromisoformat(m["at"]) for m in shown)
    mark = read_marks(session, user_id, [conversation_id]).get(conversation_id)
    if mark is None or mark < through:  # else no write: every live refresh comes here
        mark_read(session, conversation_id, user_id, through)


# -- live updates: what changed, read once for every open tab, applied to what each tab shows ----
def _of_contacts(batch: Batch) -> set[int]:
    """The conversations of the contacts the batch names (a new name or lead stage shows on
    their rows and in their header)."""

    def read() -> set[int]:
        people = {e.data["contact_id"] for e in batch.events if "contact_id" in e.data}
        if not people:
            return set()
        with unit_of_work() as session:
            return set(
                session.exec(select(Conversation.id).where(col(Conversation.contact_id).in_(people))).all()
            )

    return batch.once("conversations of contacts", read)


def touched_conversations(batch: Batch, seen: list[events.Event]) -> set[int]:
    """The conversations the events a tab sees (``seen``, of ``batch``) concern."""
    return events.conversation_ids(seen) | _of_contacts(batch)


def _changed(batch: Batch) -> tuple[dict[int, ConversationPublic], ZoneInfo]:
    """Every conversation the batch concerns, as the list shows it."""

    def read() -> tuple[dict[int, ConversationPublic], ZoneInfo]:
        named = events.conversation_ids(batch.events) | _of_contacts(batch)
        with unit_of_work() as session:
            rows = conversations_by_id(session, sorted(named))
            return {c.id: c for c in rows}, shop_zone(session)

    return batch.once("changed conversations", read)


def live_list(
    batch: Batch,
    touched: set[int],
    rows: list[dict[str, Any]],
    f: ConversationFilter,
    user_id: int,
    has_more: bool,
) -> list[dict[str, Any]]:
    """A tab's list after the batch: the ``touched`` conversations' rows read again, kept if the
    filter still keeps them (a search asks the database, for those rows only)."""
    changed, zone = _changed(batch)
    kept = [c for cid, c in changed.items() if cid in touched and f.keeps(c)]
    if (f.search or f.tag) and kept:
        ids = tuple(c.id for c in kept)
        found = batch.once(
            ("search", f.search, f.tag, ids),
            lambda: in_unit_of_work(still_matching, f.search, f.tag, list(ids)),
        )
        kept = [c for c in kept if c.id in found]
    ids = tuple(c.id for c in kept)
    unread = batch.once(("unread", user_id, ids), lambda: in_unit_of_work(unread_counts, user_id, kept))
    return merged(rows, [list_row(c, unread.get(c.id, 0), zone) for c in kept], touched, has_more)


def live_thread(
    batch: Batch,
    seen: list[events.Event],
    conversation_id: int,
    thread: list[ChatMessage],
    has_older: bool,
    user_id: int,
) -> tuple[dict[str, Any], list[dict[str, str]], list[ChatMessage]] | None:
    """The header, the other conversations and the thread of a tab showing ``conversation_id``
    after the batch: new and changed messages merged into what it shows (None: it is gone).
    The new ones are on the agent's screen: their read mark moves up."""
    if conversation_id not in _changed(batch)[0]:
        return None
    header, elsewhere = batch.once(
        ("header", conversation_id), lambda: in_unit_of_work(_header_of, conversation_id)
    )
    ids = tuple(
        sorted(
            {
                e.data["message_id"]
                for e in seen
                if e.data.get("conversation_id") == conversation_id and "message_id" in e.data
            }
        )
    )
    if not ids:
        return header, elsewhere, thread
    fresh = batch.once(
        ("messages", conversation_id, ids),
        lambda: in_unit_of_work(messages_by_id, conversation_id, list(ids)),
    )
    oldest = thread[0]["id"] if thread and has_older else 0
    shown = {m["id"]: m for m in thread}
    shown.update({m["id"]: m for m in fresh if m["id"] >= oldest})  # older ones: when scrolled up
    if fresh:
        batch.once(
            ("read", user_id, conversation_id),
            lambda: in_unit_of_work(_read_through, user_id, conversation_id, fresh),
        )
    return header, elsewhere, sorted(shown.values(), key=lambda m: m["id"])


class InboxView(SessionState):
    """What an inbox tab shows that a new message seldom changes: the filters, the selection,
    the thread's header and contact panel, the composer. Each substate is one React context,
    and every part of the page that shows any of its vars is drawn again when one of them
    changes: the list and the thread, which change with every message, are InboxState's own."""

    status_filter: str = "active"
    channel_filter: str = ALL
    scope: str = ALL  # all | mine | unassigned
    search: str = ""
    label_filter: str = ""
    tag_filter: str = ""  # the contact's tag
    label_choices: list[list[str]] = []  # the team's labels: [name, colour]
    selected_id: int = 0
    header: dict[str, Any] = {}
    staff: list[dict[str, str]] = []
    templates: list[str] = []
    draft: str = ""
    note_mode: bool = False
    template_name: str = ""
    template_body: str = ""  # the chosen template's, for its preview
    template_fields: list[list[str]] = []  # [what the variable holds, its value], filled from the contact
    label_draft: str = ""
    error: str = ""
    canned: list[dict[str, str]] = []  # every canned response: (id, shortcut, text)
    elsewhere: list[dict[str, str]] = []  # the customer's conversations on other channels
    contact_notice: str = ""
    contact_error: str = ""

    @rx.var
    def canned_matches(self) -> list[dict[str, str]]:
        """Typing ``/word`` at the end of the reply offers the canned responses it matches."""
        typed = _slash_word(self.draft)
        if typed is None:
            return []
        starts = [c for c in self.canned if c["shortcut"].startswith(typed)]
        within = [c for c in self.canned if typed in c["shortcut"] and c not in starts]
        return [{**c, "text": c["text"][:120]} for c in (starts + within)[:8]]


class InboxState(InboxView):
    """An inbox tab: its list and thread, and everything the agent does there."""

    conversations: list[dict[str, Any]] = []
    list_size: int = LIST_PAGE
    has_more: bool = False
    thread: list[ChatMessage] = []
    thread_size: int = THREAD_PAGE
    has_older: bool = False

    # -- loading -------------------------------------------------------------------------
    def _filter(self, limit: int) -> ConversationFilter:
        return ConversationFilter(
            status=None if self.status_filter == ALL else self.status_filter,
            channel=None if self.channel_filter == ALL else self.channel_filter,
            assignee_id=self.user_id if self.scope == "mine" else None,
            unassigned=self.scope == "unassigned",
            search=self.search or None,
            label=self.label_filter.strip() or None,
            tag=self.tag_filter.strip() or None,
            limit=limit,
        )

    def _reload_list(self) -> None:
        """The first ``list_size`` conversations: as many as the agent has scrolled through."""
        with unit_of_work() as session:
            items, total = list_conversations(session, self._filter(self.list_size))
            unread = unread_counts(session, self.user_id, items)
            zone = shop_zone(session)
        self.conversations = [list_row(c, unread.get(c.id, 0), zone) for c in items]
        self.has_more = total > len(items)

    @rx.event
    @off_loop
    def load_more(self) -> None:
        """The agent scrolled to the end of the list: the next page, by keyset after the last row."""
        if not self.has_more or not self.conversations or self._authorize() is None:
            return
        last = self.conversations[-1]
        f = self._filter(LIST_PAGE)
        f.after = (datetime.fromisoformat(last["at"]) if last["at"] else None, last["id"])
        with unit_of_work() as session:
            items, total = list_conversations(session, f)
            unread = unread_counts(session, self.user_id, items)
            zone = shop_zone(session)
        known = {c["id"] for c in self.conversations}
        self.conversations = self.conversations + [
            list_row(c, unread.get(c.id, 0), zone) for c in items if c.id not in known
        ]
        self.list_size = len(self.conversations)
        self.has_more = total > len(self.conversations)

    def _reload_thread(self) -> None:
        if not self.selected_id:
            self.header, self.thread = {}, []
            return
        with unit_of_work() as session:
            conversation = session.get(Conversation, self.selected_id)
            if conversation is None:
                self.selected_id, self.header, self.thread = 0, {}, []
                return
            self.header, self.elsewhere = thread_header(session, conversation)
            newest = thread_view(session, conversation.id, self.thread_size + 1)
            self.has_older = len(newest) > self.thread_size
            self.thread = newest[-self.thread_size :]
            if newest:  # on the agent's screen now: read up to its newest message
                _read_through(session, self.user_id, conversation.id, newest)
            self.templates = list(
                session.exec(
                    select(MessageTemplate.name)
                    .where(
                        MessageTemplate.channel == conversation.channel,
                        MessageTemplate.status == TemplateStatus.APPROVED,  # only those are sent
                    )
                    .distinct()
                ).all()
            )

    def _refresh(self) -> bool:
        if self._authorize() is None:
            return self._signed_out()
        self._reload_list()
        self._reload_thread()
        return True

    def _signed_out(self) -> bool:
        HUB.unwatch(self.router.session.client_token)
        self.conversations, self.thread, self.header = [], [], {}
        return False

    # -- live ----------------------------------------------------------------------------
    def _on_events(self, batch: Batch) -> None:
        """Live: something committed. This tab moves, adds or drops just the rows of its list the
        events concern, and adds or replaces just the new or changed messages of its thread;
        what that takes from the database is read once for every open tab (``batch``)."""
        seen = events.concerning(batch.events, self.user_id)
        if not seen:
            return
        if self._authorize(batch=batch) is None:
            self._signed_out()
            return
        touched = touched_conversations(batch, seen)
        if not touched:
            return
        f = self._filter(self.list_size)
        rows = live_list(batch, touched, self.conversations, f, self.user_id, self.has_more)
        self._set(conversations=rows)
        if len(rows) > self.list_size:
            self.list_size = len(rows)
        if self.selected_id not in touched:
            return
        thread = live_thread(batch, seen, self.selected_id, self.thread, self.has_older, self.user_id)
        if thread is None:  # gone from under the agent
            self._reload_thread()
            return
        header, elsewhere, messages = thread
        self._set(header=header, elsewhere=elsewhere, thread=messages)
        if len(self.thread) > self.thread_size:
            self.thread_size = len(self.thread)

    @rx.event
    @off_loop
    def load(self) -> rx.event.EventSpec | None:
        if self._authorize() is None:
            return self._to_login()
        selected = self.router.url.query_parameters.get("c", "")
        self.selected_id = int(selected) if selected.isdigit() else self.selected_id
        with unit_of_work() as session:
            self.staff = [
                {"id": str(u.id), "name": u.name}
                for u in session.exec(select(User).where(User.is_active).order_by(User.name)).all()
            ]
            self.canned = [
                {"id": str(c.id), "shortcut": c.shortcut, "text": c.text}
                for c in session.exec(select(CannedResponse).order_by(col(CannedResponse.shortcut))).all()
            ]
        self._reload_labels()
        self._refresh()
        HUB.watch(self.router.session.client_token, InboxState)
        return None

    # -- filters -------------------------------------------------------------------------
    def _refilter(self) -> None:
        self.list_size = LIST_PAGE  # another list: from its first page
        self._refresh()

    @rx.event
    @off_loop
    def set_status_filter(self, value: str | list[str]) -> None:
        self.status_filter = value if isinstance(value, str) else (value[0] if value else ALL)
        self._refilter()

    @rx.event
    @off_loop
    def set_channel_filter(self, value: str) -> None:
        self.channel_filter = value
        self._refilter()

    @rx.event
    @off_loop
    def set_scope(self, value: str) -> None:
        self.scope = value
        self._refilter()

    @rx.event
    @off_loop
    def set_search(self, value: str) -> None:
        self.search = value[:200]
        self._refilter()

    @rx.event
    @off_loop
    def set_label_filter(self, value: str) -> None:
        self.label_filter = value[:40]
        self._refilter()

    @rx.event
    @off_loop
    def set_tag_filter(self, value: str) -> None:
        self.tag_filter = value[:40]
        self._refilter()

    def _reload_labels(self) -> None:
        with unit_of_work() as session:
            self.label_choices = [[label.name, label.colour] for label in all_labels(session)]

    @rx.event
    @off_loop
    def select(self, conversation_id: int) -> rx.event.EventSpec:
        self.selected_id, self.error, self.draft = conversation_id, "", ""
        self.thread_size, self.note_mode = THREAD_PAGE, False
        self.template_name, self.template_body, self.template_fields = "", "", []
        self.contact_notice = self.contact_error = ""
        self._refresh()
        return _box("")

    @rx.event
    @off_loop
    def load_older(self) -> None:
        """The agent scrolled to the top of the thread: the page of messages before it too."""
        if self.has_older and self._authorize() is not None:
            self.thread_size += THREAD_PAGE
            self._reload_thread()

    # -- composing -----------------------------------------------------------------------
    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    @rx.event
    @off_loop
    def use_canned(self, canned_id: str) -> rx.event.EventSpec | None:
        """The chosen response replaces the ``/word``, its variables filled in for this customer."""
        user = self._authorize()
        typed = _slash_word(self.draft)
        if user is None or typed is None or not canned_id.isdigit():
            return None
        with unit_of_work() as session:
            chosen = session.get(CannedResponse, int(canned_id))
            conversation = session.get(Conversation, self.selected_id) if self.selected_id else None
            contact = session.get(Contact, conversation.contact_id) if conversation else None
        if chosen is None:
            self.error = "That canned response was deleted."
            return None
        self.draft = self.draft[: len(self.draft) - len(typed) - 1] + fill(chosen.text, contact, user)
        return _box(self.draft)

    @rx.event
    def set_note_mode(self, value: bool) -> None:
        self.note_mode = value

    @rx.event
    @off_loop
    def set_template_name(self, value: str) -> None:
        """A template chosen: its variables, filled as far as the contact's fields tell them."""
        user = self._authorize()
        if user is None or value not in self.templates:
            return
        with unit_of_work() as session:
            conversation = session.get(Conversation, self.selected_id) if self.selected_id else None
            if conversation is None:
                return
            chosen = session.exec(
                select(MessageTemplate).where(
                    MessageTemplate.name == value,
                    MessageTemplate.channel == conversation.channel,
                    MessageTemplate.status == TemplateStatus.APPROVED,
                )
            ).first()
            if chosen is None:
                return
            values = prefill(chosen, session.get(Contact, conversation.contact_id), user)
        self.template_name, self.template_body = value, chosen.body
        self.template_fields = [[said, filled] for said, filled in zip(chosen.variables, values, strict=True)]

    @rx.event
    def set_template_value(self, index: int, value: str) -> None:
        if 0 <= index < len(self.template_fields):
            fields = [list(f) for f in self.template_fields]
            fields[index][1] = value[:1000]
            self.template_fields = fields

    @rx.var
    def template_preview(self) -> str:
        return rendered(self.template_body, [f[1] for f in self.template_fields])

    @rx.event
    def set_label_draft(self, value: str) -> None:
        self.label_draft = value

    def _act(self, action) -> bool:
        """Run a change as the signed-in user; a refused one shows its reason."""
        self.error = ""
        user = self._authorize()
        if user is None:
            return False
        try:
            with unit_of_work() as session:
                action(session, user)
        except AppError as exc:
            self.error = exc.message
            return False
        self._refresh()
        return True

    @rx.event
    @off_loop
    def send(self, form: dict[str, Any]) -> rx.event.EventSpec | None:
        self.draft = str(form.get("draft") or "")[:4096]
        if not self.draft.strip():
            return None  # Enter in an empty box sends nothing
        draft = Draft(text=self.draft, note=self.note_mode)
        if not self._act(lambda s, u: send_message(s, self.selected_id, draft, sender=u)):
            return None  # the text stays in the box, with the reason above it
        self.draft, self.note_mode = "", False  # a note is one message: then replies again
        return _box("")

    @rx.event
    async def attach(self, files: list[rx.UploadFile]) -> rx.event.EventSpec | None:
        """Send the attached file, with the draft as its caption."""
        for file in files[:1]:
            content = await file.read()
            content_type = file.content_type or "application/octet-stream"

            def send_file(session, user, content=content, content_type=content_type):
                url, kind = store_attachment(content, content_type)
                send_message(
                    session,
                    self.selected_id,
                    Draft(text=self.draft, media_url=url, media_type=kind),
                    sender=user,
                )

            if await asyncio.to_thread(self._act, send_file):  # off the event loop
                self.draft = ""
                return _box("")
        return None

    @rx.event
    @off_loop
    def send_template(self) -> None:
        variables = [f[1].strip() for f in self.template_fields]
        if not all(variables):
            self.error = "Fill in every variable of the template first."
            return
        draft = Draft(template=self.template_name, variables=variables)
        if self._act(lambda s, u: send_message(s, self.selected_id, draft, sender=u)):
            self.template_name, self.template_body, self.template_fields = "", "", []

    @rx.event
    @off_loop
    def retry(self, message_id: int) -> None:
        self._act(lambda s, u: retry_message(s, message_id, u))

    def _update(self, change: ConversationUpdate) -> None:
        self._act(lambda s, u: update_conversation(s, self.selected_id, change, u))

    @rx.event
    @off_loop
    def set_conversation_status(self, status: str) -> None:
        self._update(ConversationUpdate(status=status))

    def _neighbour(self) -> int:
        """The conversation to open once this one leaves the list: the next below it, else above."""
        ids = [c["id"] for c in self.conversations]
        if self.selected_id not in ids:
            return 0
        at = ids.index(self.selected_id)
        rest = ids[at + 1 :] + ids[:at][::-1]
        return rest[0] if rest else 0

    @rx.event
    @off_loop
    def resolve(self) -> rx.event.EventSpec | None:
        """Done with this customer: resolved, and the next conversation of the list opens."""
        if not self.selected_id:
            return
        after = self._neighbour()
        if self._act(
            lambda s, u: update_conversation(
                s, self.selected_id, ConversationUpdate(status=ConversationStatus.RESOLVED), u
            )
        ):
            leaves = self.status_filter not in (ALL, ConversationStatus.RESOLVED)
            if leaves:  # the resolved one left this list: the agent goes on with the next
                self.selected_id, self.draft, self.note_mode = after, "", False
                self.thread_size = THREAD_PAGE
                self._refresh()
                return _box("")
        return None

    @rx.event
    @off_loop
    def assign_to_me(self) -> None:
        if self.selected_id:
            self._update(ConversationUpdate(assignee_id=self.user_id))

    @rx.event
    @off_loop
    def assign(self, user_id: str) -> None:
        self._update(
            ConversationUpdate(unassign=True)
            if user_id in ("", "none")
            else ConversationUpdate(assignee_id=int(user_id))
        )

    @rx.event
    @off_loop
    def save_contact(self, form: dict[str, Any]) -> None:
        """The contact panel's form: name, language, tags, birthday, attributes and the team's notes."""
        self.contact_notice = self.contact_error = ""
        contact_id = str(self.header.get("contact_id", ""))
        user = self._authorize()
        if user is None or not contact_id.isdigit():
            return

        def number(key: str) -> int | None:
            value = str(form.get(key) or "").strip()
            if value and not value.isdigit():
                raise ValueError(f"{key.replace('_', ' ')}: a number")
            return int(value) if value else None

        try:
            with unit_of_work() as session:
                before = session.get(Contact, int(contact_id))
                change = ContactUpdate(
                    name=str(form.get("contact_name") or "").strip()[:200] or None,
                    language=str(form.get("language") or "").strip()[:16] or None,
                    tags=[t.strip() for t in str(form.get("tags") or "").split(",") if t.strip()][:50],
                    birthday_day=number("birthday_day"),
                    birthday_month=number("birthday_month"),
                    birthday_year=number("birthday_year"),
                    notes=str(form.get("notes") or "").strip()[:4000] or None,
                    attributes=attributes.from_boxes(form, before.attributes if before else {}),
                )
                update_contact(session, int(contact_id), change, user)
        except ValidationError as exc:
            self.contact_error = "; ".join(
                f"{str(e['loc'][0]).replace('_', ' ')}: {e['msg']}" for e in exc.errors()
            )
            return
        except (AppError, ValueError) as exc:
            self.contact_error = exc.message if isinstance(exc, AppError) else str(exc)
            return
        self.contact_notice = "Contact saved."
        self._refresh()

    @rx.event
    @off_loop
    def ask_for_review(self) -> None:
        """The guided review questions start on this conversation (even with the AI off)."""
        self._act(lambda s, u: start_by_staff(s, self.selected_id))

    @rx.event
    @off_loop
    def set_ai(self, enabled: bool) -> None:
        self._update(ConversationUpdate(ai_enabled=enabled))

    @rx.event
    @off_loop
    def add_label(self) -> None:
        if self.label_draft.strip():
            self._update(
                ConversationUpdate(labels=[*self.header.get("labels", []), self.label_draft.strip()])
            )
            self.label_draft = ""
            self._reload_labels()  # a label first used here is the team's now

    @rx.event
    @off_loop
    def remove_label(self, label: str) -> None:
        self._update(ConversationUpdate(labels=[x for x in self.header.get("labels", []) if x != label]))
