"""Unread counts: per staff member and conversation, and the navigation's badge."""

from datetime import timedelta

import pytest
from sqlmodel import select

from aisha_app.actions.conversations import mark_read
from aisha_app.actions.ingest import receive_simulated
from aisha_app.models import Conversation, ConversationRead, Message
from aisha_app.queries.inbox import UNREAD_CAP, unread_conversations
from aisha_app.realtime import events
from tests.unit.support import ADMIN_PASSWORD, AGENT_PASSWORD, login


def writes(session, phone: str, *texts: str, name: str = "Customer") -> int:
    """A customer writes (the messages only: no job runs, so no reply); their conversation's id."""
    for text in texts:
        receive_simulated(session, phone, name, text)
        session.commit()
    return session.exec(select(Message.conversation_id).order_by(Message.id.desc())).first()


def unread(client, headers) -> dict[int, int]:
    response = client.get("/api/conversations", headers=headers)
    assert response.status_code == 200, response.text
    return {c["id"]: c["unread"] for c in response.json()["items"]}


@pytest.fixture
def agents(client, world):
    return login(client, "agent@shop.test", AGENT_PASSWORD), login(client, "owner@shop.test", ADMIN_PASSWORD)


def test_each_agent_has_their_own_unread_counts(client, session, world, agents):
    agent, owner = agents
    amina = writes(session, "+254700000001", "Hello", "Do you have size 42?", "Hello??")
    baraka = writes(session, "+254700000002", "Hi")
    assert unread(client, agent) == {amina: 3, baraka: 1}
    assert unread_conversations(session, world.agent.id) == 2

    response = client.post(f"/api/conversations/{amina}/read", headers=agent)
    assert response.status_code == 200 and response.json()["unread"] == 0
    assert unread(client, agent) == {amina: 0, baraka: 1}
    assert unread(client, owner) == {amina: 3, baraka: 1}  # the owner has read nothing
    assert unread_conversations(session, world.agent.id) == 1
    assert unread_conversations(session, world.admin.id) == 2

    writes(session, "+254700000001", "Still there?")
    assert unread(client, agent)[amina] == 1  # only what came after the agent read
    assert unread(client, owner)[amina] == 4


def test_reading_the_newest_conversation_leaves_the_older_ones_unread(client, session, world, agents):
    agent, _ = agents
    older = writes(session, "+254700000011", "Written first")
    newer = writes(session, "+254700000012", "Written later")
    client.post(f"/api/conversations/{newer}/read", headers=agent)
    assert unread(client, agent) == {older: 1, newer: 0}
    assert unread_conversations(session, world.agent.id) == 1  # each conversation against its own mark


def test_replies_and_notes_are_never_unread(client, session, world, agents):
    agent, owner = agents
    cid = writes(session, "+254700000003", "Hello")
    client.post(f"/api/conversations/{cid}/read", headers=agent)
    for body in ({"text": "Karibu!"}, {"text": "VIP customer", "note": True}):
        assert client.post(f"/api/conversations/{cid}/messages", json=body, headers=owner).status_code == 201
    assert unread(client, agent)[cid] == 0
    assert unread_conversations(session, world.agent.id) == 0


def test_the_badge_counts_active_conversations_only(client, session, world, agents):
    agent, _ = agents
    cid = writes(session, "+254700000004", "Thanks, all sorted")
    assert unread_conversations(session, world.agent.id) == 1
    response = client.patch(f"/api/conversations/{cid}", json={"status": "resolved"}, headers=agent)
    assert response.status_code == 200
    assert unread_conversations(session, world.agent.id) == 0
    assert unread(client, agent)[cid] == 1  # the row itself still says what is unread


def test_counts_stop_at_the_cap(client, session, world, agents):
    agent, _ = agents
    cid = writes(session, "+254700000005", "first")
    conversation = session.get(Conversation, cid)
    first = session.exec(select(Message).where(Message.conversation_id == cid)).one()
    session.add_all(
        Message(
            conversation_id=cid,
            channel=conversation.channel,
            direction="inbound",
            body=f"message {i}",
            status="received",
            created_at=first.created_at + timedelta(seconds=i + 1),
        )
        for i in range(UNREAD_CAP + 20)
    )
    session.commit()
    assert unread(client, agent)[cid] == UNREAD_CAP + 1  # shown as "99+"


def test_a_read_mark_never_moves_back_and_only_a_move_is_published(session, world):
    cid = writes(session, "+254700000006", "one", "two")
    newest = session.exec(select(Message.created_at).where(Message.conversation_id == cid)).all()
    heard = []
    unsubscribe = events.subscribe(lambda e: heard.append(e) if e.kind == events.CONVERSATION_READ else None)
    try:
        mark_read(session, cid, world.agent.id, max(newest))
        session.commit()
        mark_read(session, cid, world.agent.id, min(newest))  # an older tab's mark
        session.commit()
        mark_read(session, cid, world.agent.id, max(newest))  # the same again
        session.commit()
    finally:
        unsubscribe()
    assert session.exec(select(ConversationRead.read_at)).one() == max(newest)
    assert [e.data for e in heard] == [{"conversation_id": cid, "user_id": world.agent.id}]


def test_reading_an_unknown_conversation_is_a_404(client, agents):
    agent, _ = agents
    assert client.post("/api/conversations/999999/read", headers=agent).status_code == 404
    assert client.post("/api/conversations/999999/read").status_code == 401


def test_customers_waiting_longer_than_the_alert_are_found_longest_first(session):
    from aisha_app.models.base import utcnow
    from aisha_app.queries.inbox import waiting_longer_than

    now = utcnow()
    ids = {}
    for phone, minutes, status in (
        ("+254700000007", 25, "pending"),
        ("+254700000008", 12, "pending"),
        ("+254700000009", 3, "pending"),
        ("+254700000010", 40, "resolved"),
    ):
        cid = writes(session, phone, "I need a person", name=f"Waits {minutes}")
        conversation = session.get(Conversation, cid)
        conversation.status, conversation.handed_off_at = status, now - timedelta(minutes=minutes)
        session.add(conversation)
        session.commit()
        ids[minutes] = cid
    assert waiting_longer_than(session, now - timedelta(minutes=10)) == [
        (ids[25], "Waits 25"),
        (ids[12], "Waits 12"),
    ]
