"""The assistant answers bursts of customer messages, hands over honestly, and stays out of the way."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from aisha_app.actions.ingest import receive_simulated
from aisha_app.actions.outbound import Draft, send_message
from aisha_app.models import Conversation, Message, Product
from aisha_app.models.base import utcnow
from tests.unit.support import AGENT_PASSWORD, login, make_due, run_jobs

PHONE = "+254722333444"


@pytest.fixture
def catalog(session):
    session.add(
        Product(sku="BOOT-1", name="Steel-toe safety boots", price=Decimal("4500"), currency="KES", stock=18)
    )
    session.commit()


def replies(session) -> list[Message]:
    return list(session.exec(select(Message).where(Message.from_assistant).order_by(Message.id)).all())


def test_a_question_about_a_product_gets_its_real_price(session, catalog):
    receive_simulated(session, PHONE, "Fatuma", "How much are the safety boots?")
    make_due(session)
    run_jobs()
    (reply,) = replies(session)
    assert reply.body == "Steel-toe safety boots costs KES 4,500. We have 18 in stock."
    assert reply.meta["decision"] == "continue" and reply.meta["tools"] == ["search_products"]
    conversation = session.exec(select(Conversation)).one()
    assert conversation.ai_enabled and conversation.status == "open"


def test_asking_for_a_person_hands_the_conversation_to_staff(session, catalog):
    receive_simulated(session, PHONE, "Fatuma", "I want to talk to a real person")
    make_due(session)
    run_jobs()
    (reply,) = replies(session)
    assert "colleague" in reply.body
    conversation = session.exec(select(Conversation)).one()
    assert (conversation.status, conversation.ai_enabled) == ("pending", False)
    assert conversation.handoff_reason == "The customer asked for a person."
    assert conversation.handed_off_at is not None

    receive_simulated(session, PHONE, "Fatuma", "hello?")  # no more automatic replies
    make_due(session)
    run_jobs()
    assert len(replies(session)) == 1


def test_a_burst_of_messages_gets_one_answer(session, catalog):
    for text in ("hi", "I need boots", "how much are the safety boots?"):
        receive_simulated(session, PHONE, "Fatuma", text)
    make_due(session)
    run_jobs()
    assert len(replies(session)) == 1
    assert "KES 4,500" in replies(session)[0].body


def test_no_reply_once_a_person_has_answered(session, catalog, world):
    receive_simulated(session, PHONE, "Fatuma", "How much are the safety boots?")
    conversation = session.exec(select(Conversation)).one()
    send_message(session, conversation.id, Draft(text="Let me check for you"), sender=world.agent)
    make_due(session)
    run_jobs()
    assert replies(session) == []


def test_an_old_message_gets_no_automatic_reply(session, catalog):
    receive_simulated(session, PHONE, "Fatuma", "How much are the safety boots?")
    conversation = session.exec(select(Conversation)).one()
    conversation.last_inbound_at = utcnow() - timedelta(minutes=11)
    session.add(conversation)
    session.commit()
    make_due(session)
    run_jobs()
    assert replies(session) == []


def test_ask_the_ai_over_the_api(client, session, catalog, world):
    headers = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.post(
        "/api/ai/reply", json={"prompt": "How much are the safety boots?"}, headers=headers
    )
    assert response.status_code == 200
    assert response.json() == {
        "response": "Steel-toe safety boots costs KES 4,500. We have 18 in stock.",
        "decision": "continue",
        "tokens_used": 0,
        "tools_called": ["search_products"],
    }
    assert client.post("/api/ai/reply", json={"prompt": "hi"}).status_code == 401
    assert (
        client.post(
            "/api/ai/reply", json={"prompt": "hi", "conversation_id": 999}, headers=headers
        ).status_code
        == 404
    )
