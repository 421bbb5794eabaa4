"""Live updates as diffs: a tab applies what changed, and ends up showing what a fresh read shows.

Each test keeps what a set of open tabs show, changes the shop the way customers and staff do
(committed, so the real events are published), and hands the events to the tabs as the hub
does: one ``Batch`` for all of them. What every tab then shows must equal what it would show
had it read everything again, and the database is asked once for what the tabs share.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from aisha_app.actions.contacts import update_contact
from aisha_app.actions.conversations import mark_read, update_conversation
from aisha_app.actions.ingest import receive_simulated
from aisha_app.actions.outbound import Draft, send_message
from aisha_app.clock import shop_zone
from aisha_app.models import (
    Channel,
    Contact,
    ContactUpdate,
    Conversation,
    ConversationStatus,
    ConversationUpdate,
    Message,
    MessageDirection,
)
from aisha_app.models.base import utcnow
from aisha_app.queries.inbox import (
    UNREAD_CAP,
    ConversationFilter,
    list_conversations,
    newest_first,
    thread_view,
    unread_conversation_ids,
    unread_counts,
)
from aisha_app.realtime import events
from aisha_app.realtime.live import Batch
from aisha_app.state.inbox import list_row, live_list, live_thread, touched_conversations
from aisha_app.state.nav import counted_after

PAGE = 4  # rows a tab has loaded: small, so that most lists have more to load


def writes(session, phone: str, text: str, name: str = "Customer") -> int:
    receive_simulated(session, phone, name, text)
    session.commit()
    return session.exec(select(Message.conversation_id).order_by(Message.id.desc())).first()


def shown(session, f: ConversationFilter, user_id: int, limit: int) -> tuple[list[dict], bool]:
    """What a tab with this filter shows after reading everything: its rows, and if it has more."""
    items, total = list_conversations(session, dataclasses.replace(f, limit=limit))
    unread = unread_counts(session, user_id, items)
    zone = shop_zone(session)
    return [list_row(c, unread.get(c.id, 0), zone) for c in items], total > len(items)


def test_every_tab_s_list_after_a_batch_is_what_a_fresh_read_shows(session, world, heard):
    rng = random.Random(10)
    products = ["boots", "gloves", "helmet", "overalls"]
    phones = [f"+2547000001{i:02d}" for i in range(14)]
    ids = [
        writes(session, p, f"Do you have {products[i % 4]}?", name=f"Customer {i}")
        for i, p in enumerate(phones)
    ]
    for cid in ids[::3]:
        session.get(Conversation, cid).channel = Channel.WHATSAPP_CLOUD
    for cid in ids[1::4]:
        update_conversation(session, cid, ConversationUpdate(labels=["vip"]), world.admin)
    session.commit()

    def tab(**kw) -> ConversationFilter:
        return ConversationFilter(limit=PAGE, **kw)

    filters = {
        "all": tab(),
        "active": tab(status="active"),
        "done": tab(status="resolved"),
        "mine": tab(status="active", assignee_id=world.agent.id),
        "unassigned": tab(unassigned=True),
        "vip": tab(label="vip"),
        "tag wholesale": tab(tag="wholesale"),
        "tag and search": tab(tag="wholesale", search="boots"),
        "whatsapp": tab(channel=Channel.WHATSAPP_CLOUD),
        "search boots": tab(search="boots"),
        "search name": tab(search="Customer 1"),
    }
    tabs = {}
    for name, f in filters.items():
        for user in (world.agent, world.admin):
            tabs[(name, user.id)] = shown(session, f, user.id, PAGE)

    for round_ in range(6):
        heard.clear()
        for _ in range(5):
            cid = rng.choice(ids)
            move = rng.randrange(8)
            if move == 0:  # a customer writes again
                phone = phones[ids.index(cid)]
                writes(session, phone, f"Any {rng.choice(products)} left? ({round_})")
            elif move == 1:  # a new customer
                phones.append(f"+2547000002{len(phones):02d}")
                ids.append(writes(session, phones[-1], f"Hello, I need {rng.choice(products)}"))
            elif move == 2:
                status = rng.choice(list(ConversationStatus))
                update_conversation(session, cid, ConversationUpdate(status=status), world.admin)
            elif move == 3:
                change = (
                    ConversationUpdate(assignee_id=world.agent.id)
                    if rng.random() < 0.6
                    else ConversationUpdate(unassign=True)
                )
                update_conversation(session, cid, change, world.admin)
            elif move == 4:
                labels = ["vip"] if rng.random() < 0.5 else []
                update_conversation(session, cid, ConversationUpdate(labels=labels), world.admin)
            elif move == 5:  # renamed: the name on its row changes
                contact_id = session.get(Conversation, cid).contact_id
                update_contact(session, contact_id, ContactUpdate(name=f"Renamed {round_}"), world.admin)
            elif move == 6:  # the contact tagged, or untagged: the tag's lists change
                contact_id = session.get(Conversation, cid).contact_id
                tags = ["wholesale"] if rng.random() < 0.6 else ["retail"]
                update_contact(session, contact_id, ContactUpdate(tags=tags), world.admin)
            else:  # the agent read it elsewhere: their unread count on it goes
                mark_read(session, cid, world.agent.id, utcnow())
            session.commit()

        batch = Batch(list(heard))
        for (name, user_id), (rows, has_more) in tabs.items():
            seen = events.concerning(batch.events, user_id)
            touched = touched_conversations(batch, seen)
            live = live_list(batch, touched, rows, filters[name], user_id, has_more)
            fresh, _ = shown(session, filters[name], user_id, 1000)
            if has_more:  # what the tab had loaded reached this far; the rest comes as it scrolls
                fresh = [r for r in fresh if newest_first(r) >= newest_first(rows[-1])]
            assert live == fresh, (round_, name, user_id)
            tabs[(name, user_id)] = (live, has_more)


def test_the_database_is_asked_once_for_what_twenty_tabs_share(session, world, heard):
    for i in range(6):
        writes(session, f"+25470000030{i}", f"Hello {i}")
    tabs = [
        (user, shown(session, ConversationFilter(status="active", limit=PAGE), user.id, PAGE))
        for user in (world.agent, world.admin) * 10
    ]
    heard.clear()
    writes(session, "+254700000300", "Are you open today?")
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        batch = Batch(list(heard))
        per_tab = []
        for user, (rows, has_more) in tabs:
            before = len(statements)
            seen = events.concerning(batch.events, user.id)
            f = ConversationFilter(status="active", limit=PAGE)
            live_list(batch, touched_conversations(batch, seen), rows, f, user.id, has_more)
            per_tab.append(len(statements) - before)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    assert per_tab[0] >= 2  # the first tab reads the changed conversation (and its unread count)
    assert per_tab[1] == 2  # another agent: only their own read marks and unread count
    assert sum(per_tab[2:]) == 0  # every other tab: nothing at all


def test_an_open_thread_gets_the_new_and_changed_messages_and_stays_read(session, world, heard):
    cid = writes(session, "+254700000401", "Hello")
    for text in ("Do you deliver?", "To Thika?"):
        writes(session, "+254700000401", text)
    thread = thread_view(session, cid, 2 + 1)
    has_older = len(thread) > 2
    thread = thread[-2:]  # the agent's tab shows the newest two: one older is there to load
    mark_read(session, cid, world.agent.id, utcnow() - timedelta(days=1))
    session.commit()

    heard.clear()
    writes(session, "+254700000401", "Tomorrow is fine")
    send_message(session, cid, Draft(text="Noted, thanks", note=True), sender=world.admin)
    session.commit()
    batch = Batch(list(heard))
    seen = events.concerning(batch.events, world.agent.id)
    header, elsewhere, live = live_thread(batch, seen, cid, thread, has_older, world.agent.id)

    assert live == thread_view(session, cid, 4)  # the two it showed, then the reply and the note
    assert header["id"] == cid and header["name"] == "Customer" and elsewhere == []
    counts = unread_counts(session, world.agent.id, list_conversations(session, ConversationFilter())[0])
    assert counts.get(cid, 0) == 0  # on their screen, so read
    assert [m["body"] for m in live][-2:] == ["Tomorrow is fine", "Noted, thanks"]


def test_the_badge_counts_only_the_conversations_a_batch_names_again(session, world, heard):
    ids = [writes(session, f"+25470000050{i}", "Hi") for i in range(3)]
    counted = unread_conversation_ids(session, world.agent.id)
    assert sorted(counted) == sorted(ids)

    heard.clear()
    mark_read(session, ids[0], world.agent.id, utcnow())
    update_conversation(session, ids[1], ConversationUpdate(status=ConversationStatus.RESOLVED), world.admin)
    newcomer = writes(session, "+254700000599", "New here")
    batch = Batch(list(heard))
    after = counted_after(batch, _named(batch, world.agent.id), world.agent.id, counted)
    assert (
        sorted(after)
        == sorted(unread_conversation_ids(session, world.agent.id))
        == sorted([ids[2], newcomer])
    )


def test_a_badge_past_its_cap_is_counted_again_once_it_may_fall_below(session, world, heard):
    now = utcnow()
    contacts = [Contact(name=f"Customer {i}", phone_e164=f"+2547001{i:05d}") for i in range(UNREAD_CAP + 3)]
    session.add_all(contacts)
    session.flush()
    conversations = [
        Conversation(contact_id=c.id, channel=Channel.SIMULATOR, last_message_at=now) for c in contacts
    ]
    session.add_all(conversations)
    session.flush()
    session.add_all(
        Message(
            conversation_id=c.id,
            channel=c.channel,
            direction=MessageDirection.INBOUND,
            body="Hi",
            created_at=now,
        )
        for c in conversations
    )
    session.commit()
    counted = unread_conversation_ids(session, world.agent.id)
    assert len(counted) == UNREAD_CAP + 1  # the badge says 99+; the others are not listed

    heard.clear()
    for cid in counted[:3]:
        mark_read(session, cid, world.agent.id, now + timedelta(seconds=1))
    session.commit()
    batch = Batch(list(heard))
    after = counted_after(batch, _named(batch, world.agent.id), world.agent.id, counted)
    assert len(after) == len(unread_conversation_ids(session, world.agent.id)) == UNREAD_CAP


def _named(batch: Batch, user_id: int) -> tuple[int, ...]:
    """The conversations the events a tab of ``user_id`` sees name (what NavState hands on)."""
    return tuple(sorted(events.conversation_ids(events.concerning(batch.events, user_id))))
