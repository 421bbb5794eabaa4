"""A search finds what was typed: % and _ are characters, not SQL LIKE wildcards, everywhere."""

from __future__ import annotations

import pytest

from aisha_app.assistant.knowledge import search
from aisha_app.models import Contact, Conversation, KnowledgeArticle, Message, Review
from tests.unit.support import AGENT_PASSWORD, login


@pytest.fixture
def agent(client, world) -> dict[str, str]:
    return login(client, "agent@shop.test", AGENT_PASSWORD)


@pytest.fixture
def shop(session, world) -> None:
    """Customers and words that a wildcard would confuse: 50% and 500, A_B and AxB."""
    for name, text, rating in [
        ("50% Club", "Is the 50% sale on?", 5),
        ("500 Club", "I need 500 pairs", 4),
        ("A_B Traders", "order for a_b", 3),
        ("AxB Traders", "order for axb", 2),
    ]:
        contact = Contact(name=name)
        session.add(contact)
        session.flush()
        conversation = Conversation(contact_id=contact.id, channel="simulator")
        session.add(conversation)
        session.flush()
        session.add(
            Message(conversation_id=conversation.id, channel="simulator", direction="inbound", body=text)
        )
        session.add(
            Review(contact_id=contact.id, customer_name=name, product_name=name, rating=rating, text=text)
        )
    session.commit()


def _names(response, *path) -> list[str]:
    assert response.status_code == 200, response.text
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    found = []
    for item in items:
        for key in path:
            item = item[key]
        found.append(item)
    return sorted(found)


SEARCHES = [
    ("/api/contacts", ("name",)),
    ("/api/conversations", ("contact", "name")),
    ("/api/reviews", ("customer_name",)),
    ("/api/leads", ("name",)),
]


@pytest.mark.parametrize(("url", "path"), SEARCHES)
def test_a_percent_sign_in_a_search_is_a_percent_sign(client, agent, shop, url, path):
    assert _names(client.get(url, params={"q": "50%"}, headers=agent), *path) == ["50% Club"]


@pytest.mark.parametrize(("url", "path"), SEARCHES)
def test_an_underscore_in_a_search_is_an_underscore(client, agent, shop, url, path):
    assert _names(client.get(url, params={"q": "a_b"}, headers=agent), *path) == ["A_B Traders"]
    assert _names(client.get(url, params={"q": "_"}, headers=agent), *path) == ["A_B Traders"]


def test_a_backslash_in_a_search_is_a_backslash(client, agent, shop):
    response = client.get("/api/contacts", params={"q": "\\"}, headers=agent)
    assert _names(response, "name") == []


def test_the_message_text_search_of_the_inbox_is_literal_too(client, agent, shop):
    response = client.get("/api/conversations", params={"q": "need 5_0"}, headers=agent)
    assert _names(response, "contact", "name") == []  # not "I need 500 pairs"
    response = client.get("/api/conversations", params={"q": "the 50% sale"}, headers=agent)
    assert _names(response, "contact", "name") == ["50% Club"]


def test_the_knowledge_search_reads_words_not_wildcards(session, world):
    session.add(KnowledgeArticle(question="Can I order 500 pairs?", answer="Yes."))
    session.add(KnowledgeArticle(question="Do you sell ab boots?", answer="Yes."))
    session.commit()
    assert search(session, "50%") == []
    assert search(session, "_") == []
