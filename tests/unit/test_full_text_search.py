"""The inbox finds messages by their words through the database's full-text index, never a scan."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from aisha_app.actions.ingest import receive_simulated
from aisha_app.models import Contact, Conversation, Message
from aisha_app.queries import inbox
from tests.unit.support import AGENT_PASSWORD, login


@pytest.fixture
def agent(client, world) -> dict[str, str]:
    return login(client, "agent@shop.test", AGENT_PASSWORD)


@pytest.fixture
def shop(session, world) -> dict[str, int]:
    """Four customers who wrote (the simulator's path: the one every channel's messages take)."""
    written = {
        "Asha": ["Do you sell umbrellas?", "A big one, for the market"],
        "Bakari": ["Gumboots size 42 please"],
        "Chiku": ["هل عندكم أحذية للمطر؟"],
        "Dalia": ["Reflective vests, and gumboots for my workers"],
    }
    ids = {}
    for n, (name, texts) in enumerate(written.items()):
        for text in texts:
            receive_simulated(session, f"+25470000010{n}", name, text)
            session.commit()
        contact = session.exec(select(Contact).where(Contact.name == name)).one()
        ids[name] = session.exec(select(Conversation.id).where(Conversation.contact_id == contact.id)).one()
    return ids


def found(client, agent, q: str) -> list[str]:
    response = client.get("/api/conversations", params={"q": q}, headers=agent)
    assert response.status_code == 200, response.text
    return sorted(c["contact"]["name"] for c in response.json()["items"])


def test_words_find_the_conversations_that_hold_them(client, agent, shop):
    assert found(client, agent, "gumboots") == ["Bakari", "Dalia"]
    assert found(client, agent, "GUMBOOTS") == ["Bakari", "Dalia"]  # whatever the case
    assert found(client, agent, "umbr") == ["Asha"]  # the beginning of a word
    assert found(client, agent, "market") == ["Asha"]  # any message of the conversation
    assert found(client, agent, "أحذية") == ["Chiku"]
    assert found(client, agent, "workers gumboots") == ["Dalia"]  # every word, in any order
    assert found(client, agent, "gumboots umbrellas") == []  # not in one message
    assert found(client, agent, "boots") == []  # words, not letters inside them


@pytest.mark.parametrize(
    "q", ['"gumboots', "gumboots OR", "NEAR(a b)", "col:umbrella", "a*", "!&|():*'", "é"]
)
def test_search_syntax_of_the_engines_is_just_text(client, agent, shop, q):
    response = client.get("/api/conversations", params={"q": q}, headers=agent)
    assert response.status_code == 200, response.text


def test_the_word_search_uses_the_full_text_index_not_like(session, shop):
    statements = []
    engine = session.get_bind()
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        inbox.list_conversations(session, inbox.ConversationFilter(search="gumboots"))
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    listed = " ".join(s for s in statements if "conversations" in s)
    assert ("@@" in listed) if engine.dialect.name == "postgresql" else ("MATCH" in listed)
    assert "lower(messages.body)" not in listed


def test_the_index_follows_messages_that_change_and_go(client, agent, session, shop):
    message = session.exec(select(Message).where(Message.body == "Gumboots size 42 please")).one()
    message.body = "Raincoats size 42 please"
    session.add(message)
    session.commit()
    assert found(client, agent, "raincoats") == ["Bakari"]
    assert found(client, agent, "gumboots") == ["Dalia"]

    session.delete(session.get(Contact, session.get(Conversation, shop["Dalia"]).contact_id))
    session.commit()  # the contact's conversation and messages go with it (ON DELETE CASCADE)
    assert found(client, agent, "gumboots") == []
    if session.get_bind().dialect.name == "sqlite":
        indexed = session.execute(
            sa.text("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'vests'")
        )
        assert indexed.scalar_one() == 0


def test_a_long_list_says_its_total_is_at_least(client, agent, shop, monkeypatch):
    monkeypatch.setattr("aisha_app.api.conversations.COUNT_CAP", 2)
    body = client.get("/api/conversations", params={"limit": 1}, headers=agent).json()
    assert (body["total"], body["total_exact"]) == (2, False)  # more than 2
    assert body["next_cursor"]
    body = client.get("/api/conversations", params={"q": "gumboots"}, headers=agent).json()
    assert (body["total"], body["total_exact"]) == (2, True)


def test_a_search_with_more_matches_than_are_passed_as_ids_finds_the_same(client, agent, shop, monkeypatch):
    monkeypatch.setattr(inbox, "MATCHED_CAP", 1)  # "gumboots" matches two: read from the indexes instead
    assert found(client, agent, "gumboots") == ["Bakari", "Dalia"]
    body = client.get("/api/conversations", params={"q": "gumboots"}, headers=agent).json()
    assert (body["total"], body["total_exact"]) == (2, True)
