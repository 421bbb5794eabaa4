"""What a channel can do is said by its adapter, and every path stores a customer the same way."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from aisha_app.actions.ingest import find_or_create_contact, open_conversation, receive_simulated
from aisha_app.api import webhooks
from aisha_app.models import Channel, Contact, Conversation, ConversationStatus
from aisha_app.models.base import utcnow
from aisha_app.services.messaging import ADAPTERS, capabilities
from tests.unit.support import AGENT_PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]


def test_every_channel_keeps_the_webhook_urls_its_provider_is_configured_with(client):
    routes = {(method, route.path) for route in webhooks.router.routes for method in route.methods}
    assert routes == {
        ("POST", "/webhooks/twilio"),
        ("POST", "/webhooks/twilio/status"),
        ("GET", "/webhooks/whatsapp"),
        ("POST", "/webhooks/whatsapp"),
        ("GET", "/webhooks/messenger"),
        ("POST", "/webhooks/messenger"),
    }
    # Served by the app as before: a Meta handshake with a wrong token is refused, not unknown.
    assert client.get("/webhooks/whatsapp", params={"hub.mode": "subscribe"}).status_code == 403
    assert client.get("/webhooks/messenger", params={"hub.mode": "subscribe"}).status_code == 403
    answer = client.post("/webhooks/twilio", data={"Body": "hi"})  # unsigned
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("channel", "hours_ago", "open_"),
    [
        (Channel.WHATSAPP_CLOUD, 23, True),
        (Channel.WHATSAPP_CLOUD, 25, False),
        (Channel.TWILIO_WHATSAPP, 25, False),
        (Channel.MESSENGER, 23, True),
        (Channel.MESSENGER, 25, False),
        (Channel.SIMULATOR, 1000, True),
        (Channel.SIMULATOR, None, True),
        (Channel.WHATSAPP_CLOUD, None, False),
    ],
)
def test_free_text_may_be_sent_by_each_channels_own_window_rule(channel, hours_ago, open_):
    last = None if hours_ago is None else utcnow() - timedelta(hours=hours_ago)
    assert capabilities(channel).window_open(last) is open_


def test_a_sender_becomes_a_contact_by_the_columns_its_channel_names():
    assert capabilities(Channel.WHATSAPP_CLOUD).contact_fields("+254712345678") == {
        "phone_e164": "+254712345678",
        "whatsapp_id": "254712345678",
    }
    assert capabilities(Channel.MESSENGER).contact_fields("6021") == {"messenger_psid": "6021"}
    assert capabilities(Channel.SIMULATOR).contact_fields("+999100") == {"phone_e164": "+999100"}


def test_a_customer_staff_wrote_to_first_is_the_same_contact_and_conversation_when_they_answer(
    client, world, session
):
    agent = login(client, "agent@shop.test", AGENT_PASSWORD)
    response = client.post(
        "/api/messages", json={"to": "+254700111222", "channel": "simulator", "text": "Karibu"}, headers=agent
    )
    assert response.status_code == 201, response.text
    receive_simulated(session, "+254700111222", "Kamau", "Asante")  # the webhook writer's path
    session.commit()
    contacts = session.exec(select(Contact).where(Contact.phone_e164 == "+254700111222")).all()
    assert [c.name for c in contacts] == ["Kamau"]
    conversations = session.exec(select(Conversation).where(Conversation.contact_id == contacts[0].id)).all()
    assert [c.id for c in conversations] == [response.json()["conversation_id"]]


def test_a_contact_found_by_staff_is_the_one_the_webhook_writer_finds(session, world):
    found = find_or_create_contact(session, Channel.TWILIO_WHATSAPP, "+254712345678", "Someone else")
    assert found.id == world.contacts[0].id
    assert found.name == "Wanjiru"  # a known name is kept
    new = find_or_create_contact(session, Channel.MESSENGER, "6021", "Baraka")
    assert (new.messenger_psid, new.phone_e164, new.name, new.last_seen_at) == ("6021", None, "Baraka", None)
    assert find_or_create_contact(session, Channel.MESSENGER, "6021").id == new.id


def test_reopening_a_resolved_conversation_ends_its_handoff_whoever_reopens_it(session, world):
    contact = world.contacts[0]
    conversation = Conversation(
        contact_id=contact.id,
        channel=Channel.WHATSAPP_CLOUD,
        status=ConversationStatus.RESOLVED,
        ai_enabled=False,
        handed_off_at=utcnow(),
    )
    session.add(conversation)
    session.commit()
    reopened = open_conversation(session, contact, Channel.WHATSAPP_CLOUD)
    assert reopened.id == conversation.id
    assert (reopened.status, reopened.ai_enabled, reopened.handed_off_at) == (
        ConversationStatus.OPEN,
        True,
        None,
    )


SWITCH_ON_NAME = re.compile(r"channel\s*(==|!=|\bin\b|\bnot in\b)\s*[({]?\s*Channel\.[A-Z_]+")


def test_no_module_outside_the_adapters_switches_on_a_channels_name():
    adapters = ROOT / "aisha_app" / "services" / "messaging"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "aisha_app").rglob("*.py"))
        if path.parent != adapters
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SWITCH_ON_NAME.search(line)
    ]
    assert offenders == []
    assert set(ADAPTERS) == set(Channel)  # and every channel has its adapter
